"""Subscription keys (header/query, names per API, scopes, suspended) and APIM's routing."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import SUB_KEY

MISSING = ("Access denied due to missing subscription key. Make sure to include subscription key when making "
           "requests to an API.")
INVALID = ("Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
           "subscription.")


async def test_missing_invalid_suspended(gateway):
    client = await gateway(subscriptions=[
        {"name": "ok", "scope": "/apis/echo", "primaryKey": "k-ok", "secondaryKey": "k-ok-2"},
        {"name": "off", "scope": "/", "primaryKey": "k-off", "state": "suspended"},
        {"name": "other", "scope": "/products/p", "primaryKey": "k-other"}],
        products=[{"name": "p", "apis": []}])
    resp = await client.get("/echo/x")
    assert resp.status == 401 and await resp.json() == {"statusCode": 401, "message": MISSING}
    for key in ("nope", "k-off", "k-other"):
        resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": key})
        assert resp.status == 401 and await resp.json() == {"statusCode": 401, "message": INVALID}, key
    assert (await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "k-ok-2"})).status == 200
    assert (await client.get("/echo/x?subscription-key=k-ok")).status == 200


async def test_key_names_per_api_and_forwarded_as_is(gateway):
    client = await gateway(api={"subscriptionKeyParameterNames": {"header": "X-Api-Key", "query": "apikey"}})
    assert (await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": SUB_KEY})).status == 401
    resp = await client.get("/echo/x", headers={"X-Api-Key": SUB_KEY})
    assert resp.status == 200
    assert (await resp.json())["headers"]["X-Api-Key"] == SUB_KEY  # APIM forwards it unless a policy deletes it
    assert (await client.get(f"/echo/x?apikey={SUB_KEY}")).status == 200


async def test_open_api_needs_no_key(gateway):
    client = await gateway(api={"subscriptionRequired": False})
    assert (await client.get("/echo/x")).status == 200
    assert (await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": SUB_KEY})).status == 200
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "not-a-key"})
    assert resp.status == 401 and "invalid subscription key" in (await resp.json())["message"]


@pytest.mark.parametrize("path, status, backend_path", [
    ("/echo", 200, "/svc"), ("/echo/", 200, "/svc"), ("/echo/a/b", 200, "/svc/a/b"), ("/ECHO/a", 200, "/svc/a"),
    ("/echoes", 404, None), ("/other", 404, None), ("/", 404, None)])
async def test_api_without_operations(gateway, path, status, backend_path):
    client = await gateway()
    resp = await client.get(path, headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
    assert resp.status == status
    if backend_path is None:
        assert await resp.json() == {"statusCode": 404, "message": "Resource not found"}
    else:
        assert (await resp.json())["path"] == backend_path


async def test_operations_route_by_method_and_template(gateway):
    client = await gateway(operations=[
        {"name": "get-order", "method": "GET", "urlTemplate": "/orders/{id}"},
        {"name": "list", "method": "GET", "urlTemplate": "/orders"},
        {"name": "mine", "method": "GET", "urlTemplate": "/orders/mine"},
        {"name": "create", "method": "POST", "urlTemplate": "/orders"}])
    headers = {"Ocp-Apim-Subscription-Key": SUB_KEY}
    client.gw.config.apis[0].operations[0].policy = None
    resp = await client.get("/echo/orders/42?x=1", headers=headers)
    body = await resp.json()
    assert resp.status == 200 and body["path"] == "/svc/orders/42" and body["query"] == {"x": "1"}
    assert (await client.delete("/echo/orders/42", headers=headers)).status == 404
    assert (await client.get("/echo/orders/42/more", headers=headers)).status == 404
    assert (await client.post("/echo/orders", headers=headers)).status == 200
    router = client.gw.router
    assert router.route("GET", "/echo/orders/mine")[0].operation.name == "mine"
    assert router.route("GET", "/echo/orders/7")[0].params == {"id": "7"}
    assert router.route("GET", "/echo/orders/")[0].operation.name == "list"


async def test_product_policy_applies_through_a_product_subscription(gateway):
    from tests.gateway.conftest import inbound

    client = await gateway(
        products=[{"name": "gold", "apis": ["echo"], "policy": "gold.xml"}],
        subscriptions=[{"name": "via-product", "scope": "/products/gold", "primaryKey": "k-gold"},
                       {"name": "all", "scope": "/", "primaryKey": "k-all"}],
        api_policy=inbound('<set-header name="X-Api" exists-action="override"><value>@(context.Product?.Name ?? "none")'
                           "</value></set-header>"),
        extra_files={"gold.xml": inbound('<set-header name="X-Product" exists-action="override"><value>gold</value>'
                                         "</set-header>")})
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "k-gold"})
    headers = (await resp.json())["headers"]
    assert headers["X-Product"] == "gold" and headers["X-Api"] == "gold"
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "k-all"})
    headers = (await resp.json())["headers"]
    assert "X-Product" not in headers and headers["X-Api"] == "none"
