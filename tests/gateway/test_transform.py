"""set-header, set-query-parameter, rewrite-uri, set-backend-service, set-method, set-body, set-status."""

from __future__ import annotations

from tests.gateway.conftest import SUB_KEY, inbound

KEY = {"Ocp-Apim-Subscription-Key": SUB_KEY}


async def echo(client, method="GET", path="/echo/x", **kwargs):
    headers = {**KEY, **kwargs.pop("headers", {})}
    resp = await client.request(method, path, headers=headers, **kwargs)
    return resp, (await resp.json() if resp.content_type == "application/json" else await resp.text())


async def test_set_header_actions_on_request_and_response(gateway):
    client = await gateway(api_policy=inbound(
        '<set-header name="X-New" exists-action="override"><value>1</value><value>2</value></set-header>'
        '<set-header name="X-Keep" exists-action="skip"><value>replaced</value></set-header>'
        '<set-header name="X-Add" exists-action="append"><value>more</value></set-header>'
        '<set-header name="X-Gone" exists-action="delete" />'
        '<set-header name="X-Ip" exists-action="override"><value>@(context.Request.IpAddress)</value></set-header>',
        outbound='<set-header name="X-Backend" exists-action="delete" />'
                 '<set-header name="X-Out" exists-action="override"><value>@(context.Response.StatusCode.ToString())'
                 '</value></set-header>'))
    resp, body = await echo(client, headers={"X-Keep": "mine", "X-Add": "first", "X-Gone": "bye"})
    headers = body["headers"]
    assert headers["X-New"] == "1,2" or headers["X-New"] in ("1", "2")
    assert headers["X-Keep"] == "mine" and "X-Gone" not in headers and headers["X-Ip"] == "127.0.0.1"
    assert resp.headers.getall("X-Out") == ["200"] and "X-Backend" not in resp.headers


async def test_set_query_parameter_and_rewrite_uri(gateway):
    client = await gateway(operations=[{"name": "get", "method": "GET", "urlTemplate": "/orders/{id}"}],
                           api_policy=inbound(
        '<set-query-parameter name="api-version" exists-action="override"><value>2016-10-01</value>'
        '</set-query-parameter><set-query-parameter name="drop" exists-action="delete" />'
        '<rewrite-uri template="/v2/items/{id}?source=gw" />'))
    _, body = await echo(client, path="/echo/orders/42?drop=1&keep=2")
    assert body["path"] == "/svc/v2/items/42"
    assert body["query"] == {"source": "gw", "api-version": "2016-10-01", "keep": "2"}
    client = await gateway(api_policy=inbound('<rewrite-uri template="/fixed" copy-unmatched-params="false" />'))
    _, body = await echo(client, path="/echo/a?x=1")
    assert body["path"] == "/svc/fixed" and body["query"] == {}


async def test_set_backend_service_and_method_and_body(gateway):
    base = str(gateway.backend.make_url("/elsewhere"))
    client = await gateway(api_policy=inbound(
        f'<set-backend-service base-url="{base}" /><set-method>PUT</set-method>'
        '<set-body>@{ var b = context.Request.Body.As&lt;JObject&gt;(); return "n=" + b["n"]; }</set-body>'))
    _, body = await echo(client, "POST", "/echo/a", json={"n": 3})
    assert (body["method"], body["path"], body["body"]) == ("PUT", "/elsewhere/a", "n=3")


async def test_set_body_and_status_outbound(gateway):
    client = await gateway(api_policy=inbound(
        "", outbound='<set-status code="202" reason="Later" /><set-body>{"replaced": true}</set-body>'))
    resp, body = await echo(client)
    assert resp.status == 202 and resp.reason == "Later" and body == {"replaced": True}


async def test_backend_id_from_apiops_backends(gateway):
    client = await gateway(api_policy=inbound('<set-backend-service backend-id="legacy" />'))
    client.gw.config.backends["legacy"] = str(gateway.backend.make_url("/legacy"))
    _, body = await echo(client, path="/echo/z")
    assert body["path"] == "/legacy/z"
    client = await gateway(api_policy=inbound('<set-backend-service backend-id="nowhere" />'))
    resp, _ = await echo(client)
    assert resp.status == 500
