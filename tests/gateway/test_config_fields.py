"""The configuration's field names and semantics as issue 12 fixes them: routing with and without a trailing
slash, an API without operations, subscription scopes and states, named values and secrets."""

from __future__ import annotations

import logging

import pytest

from tests.gateway.conftest import SUB_KEY

MISSING = {"statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include "
                                         "subscription key when making requests to an API."}
INVALID = {"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a "
                                         "valid key for an active subscription."}


@pytest.mark.parametrize("api_path", ["orders", "/orders", "orders/", "/orders/"])
@pytest.mark.parametrize("path, status, backend", [
    ("/orders", 200, "/svc"), ("/orders/", 200, "/svc"), ("/orders/42", 200, "/svc/42"),
    ("/ORDERS/42/lines?x=1", 200, "/svc/42/lines"), ("/ordersx", 404, None), ("/other", 404, None),
])
async def test_api_path_with_or_without_slashes_and_no_operations(gateway, api_path, path, status, backend):
    client = await gateway(api={"name": "orders", "path": api_path})
    for method in ("GET", "POST", "DELETE", "PATCH"):
        resp = await client.request(method, path, headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
        assert resp.status == status, (method, path)
        if status == 200:
            body = await resp.json()
            assert body["path"] == backend and body["method"] == method
        else:
            assert await resp.json() == {"statusCode": 404, "message": "Resource not found"}


async def test_operation_remainder_reaches_the_backend(gateway):
    client = await gateway(api={"name": "orders", "path": "orders/"},
                           operations=[{"name": "get", "method": "GET", "urlTemplate": "/{id}"},
                                       {"name": "list", "method": "GET", "urlTemplate": "/"}])
    key = {"Ocp-Apim-Subscription-Key": SUB_KEY}
    assert (await (await client.get("/orders/42", headers=key)).json())["path"] == "/svc/42"
    for path in ("/orders", "/orders/"):
        resp = await client.get(path, headers=key)
        assert resp.status == 200, path
    assert (await client.post("/orders/42", headers=key)).status == 404


SUBS = [{"name": "one-api", "scope": "/apis/echo", "primaryKey": "k-api", "secondaryKey": "k-api-2"},
        {"name": "other-product", "scope": "/products/silver", "primaryKey": "k-other"},
        {"name": "everything", "scope": "/", "primaryKey": "k-all", "state": "active"},
        {"name": "all-apis", "scope": "/apis", "primaryKey": "k-all-apis"},
        {"name": "via-product", "scope": "/products/gold", "primaryKey": "k-gold"},
        {"name": "paused", "scope": "/", "primaryKey": "k-paused", "state": "suspended"}]


async def test_subscription_scopes_and_states(gateway):
    client = await gateway(subscriptions=SUBS, products=[{"name": "gold", "apis": ["echo"]},
                                                         {"name": "silver", "apis": []}])

    async def call(key=None, query=False):
        if key is None:
            return await client.get("/echo/x")
        if query:
            return await client.get(f"/echo/x?subscription-key={key}")
        return await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": key})

    resp = await call()
    assert resp.status == 401 and await resp.json() == MISSING
    for key in ("k-api", "k-api-2", "k-all", "k-all-apis", "k-gold"):
        assert (await call(key)).status == 200, key
        assert (await call(key, query=True)).status == 200, key
    for key in ("k-paused", "nope", "k-other"):
        resp = await call(key)
        assert resp.status == 401 and await resp.json() == INVALID, key


async def test_named_values_and_secrets_never_logged(gateway, caplog):
    caplog.set_level(logging.DEBUG)
    client = await gateway(named_values={"Backend-Sig": {"value": "s3cr3t-sig-value", "secret": True},
                                         "greeting": {"value": "hello"}},
                           api_policy="""<policies><inbound><base />
<set-query-parameter name="sig" exists-action="override"><value>{{backend-sig}}</value></set-query-parameter>
<set-header name="X-Greeting" exists-action="override"><value>{{ greeting }} world</value></set-header>
<set-header name="X-Combined" exists-action="override"><value>@("{{greeting}}" + "!")</value></set-header>
</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>""")
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
    body = await resp.json()
    assert body["query"]["sig"] == "s3cr3t-sig-value"
    assert body["headers"]["X-Greeting"] == "hello world" and body["headers"]["X-Combined"] == "hello!"
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("emulator"))
    assert "gateway GET /echo/x" in logged
    assert "s3cr3t-sig-value" not in logged and SUB_KEY not in logged
    public = client.gw.config.public()
    assert public["namedValues"]["Backend-Sig"]["value"] == "***"
    assert public["namedValues"]["greeting"]["value"] == "hello"
    assert "s3cr3t-sig-value" not in str(public) and SUB_KEY not in str(public)


def test_bad_xml_names_the_unclosed_element(tmp_path):
    from emulator.gateway import GatewayLoadError
    from emulator.gateway import config as gateway_config
    from tests.gateway.conftest import write_gateway

    path = write_gateway(tmp_path, api_policy='<policies>\n<inbound>\n<base />\n<set-header name="x">\n</inbound>\n'
                                              "</policies>\n")
    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(path)
    assert "api.xml, line 5, element <set-header>" in str(info.value) and "line 4" in str(info.value)


async def test_apiops_policy_fragments_are_included(tmp_path, aiohttp_client):
    import json

    from emulator.gateway import GatewayLoadError
    from emulator.gateway import app as gateway_app
    from emulator.gateway import config as gateway_config

    root = tmp_path / "artifacts"
    (root / "policy fragments" / "cors-and-tag").mkdir(parents=True)
    (root / "policy fragments" / "cors-and-tag" / "policyFragmentInformation.json").write_text(
        json.dumps({"properties": {"format": "rawxml"}}))
    (root / "policy fragments" / "cors-and-tag" / "policy.xml").write_text(
        '<fragment>\n\t<return-response>\n\t\t<set-status code="418" reason="Teapot" />\n'
        '\t\t<set-header name="X-Fragment" exists-action="override"><value>{{who}}</value></set-header>\n'
        "\t</return-response>\n</fragment>")
    (root / "policy.xml").write_text('<policies>\n<inbound>\n<include-fragment fragment-id="cors-and-tag" />\n'
                                     "</inbound>\n<backend><forward-request /></backend>\n</policies>")
    (root / "apis" / "a").mkdir(parents=True)
    (root / "apis" / "a" / "apiInformation.json").write_text(json.dumps(
        {"properties": {"path": "a", "serviceUrl": "http://127.0.0.1:9", "subscriptionRequired": False}}))
    gw = tmp_path / "gateway.json"
    gw.write_text(json.dumps({"apiops": "artifacts", "namedValues": {"who": {"value": "fragment"}}}))
    client = await aiohttp_client(gateway_app.create_app(gateway_app.Gateway(gateway_config.load(gw))))
    resp = await client.get("/a/x")
    assert resp.status == 418 and resp.headers["X-Fragment"] == "fragment"
    (root / "policy.xml").write_text('<policies>\n<inbound>\n<include-fragment fragment-id="ghost" />\n'
                                     "</inbound>\n</policies>")
    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(gw)
    assert "line 3, element <include-fragment>" in str(info.value) and "ghost" in str(info.value)


def test_a_backend_url_sig_is_masked_at_get_gateway(tmp_path):
    from emulator.gateway import config as gateway_config
    from tests.gateway.conftest import write_gateway

    url = "https://prod-00.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sv=1.0&sig=S3cr3tSig"
    cfg = gateway_config.load(write_gateway(tmp_path, api={"backend": {"url": url}}))
    shown = cfg.public()["apis"][0]["backend"]["url"]
    assert "S3cr3tSig" not in shown and "sig=" in shown and shown.startswith("https://prod-00")


@pytest.mark.parametrize("text, line, words", [
    ('{\n  "apis": [\n    {"name": "a",\n     "paht": "x"}\n  ]\n}\n', 4, "'paht' was unexpected"),
    ('{\n  "apis": [{"name": "a", "policy": "missing.xml"}]\n}\n', 2, "'missing.xml' cannot be read"),
])
def test_json_errors_point_at_the_line(tmp_path, text, line, words):
    from emulator.gateway import GatewayLoadError
    from emulator.gateway import config as gateway_config

    path = tmp_path / "gateway.json"
    path.write_text(text)
    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(path)
    assert f"gateway.json, line {line}" in str(info.value) and words in str(info.value)


@pytest.mark.parametrize("scheme, call", [
    ("Segment", lambda v: (f"/orders/{v}/x" if v else "/orders/x", {}, {})),
    ("Query", lambda v: ("/orders/x", {"api-version": v} if v else {}, {})),
    ("Header", lambda v: ("/orders/x", {}, {"Api-Version": v} if v else {})),
])
async def test_apiops_version_sets_route_by_version(tmp_path, aiohttp_client, scheme, call):
    import json

    from emulator.gateway import app as gateway_app
    from emulator.gateway import config as gateway_config

    root = tmp_path / "artifacts"
    (root / "version sets" / "orders-vs").mkdir(parents=True)
    (root / "version sets" / "orders-vs" / "versionSetInformation.json").write_text(json.dumps({"properties": {
        "displayName": "Orders", "versioningScheme": scheme, "versionQueryName": "api-version",
        "versionHeaderName": "Api-Version"}}))
    for name, version in (("orders", ""), ("orders-v2", "v2"), ("orders-v3", "v3")):
        (root / "apis" / name).mkdir(parents=True)
        props = {"path": "orders", "subscriptionRequired": False, "apiVersionSetId": "/apiVersionSets/orders-vs"}
        if version:
            props["apiVersion"] = version
        (root / "apis" / name / "apiInformation.json").write_text(json.dumps({"properties": props}))
        (root / "apis" / name / "policy.xml").write_text(
            f'<policies><inbound><return-response><set-header name="X-Api" exists-action="override">'
            f"<value>{name}</value></set-header></return-response></inbound></policies>")
    gw = tmp_path / "gateway.json"
    gw.write_text(json.dumps({"apiops": "artifacts"}))
    client = await aiohttp_client(gateway_app.create_app(gateway_app.Gateway(gateway_config.load(gw))))
    for version, api in (("", "orders"), ("v2", "orders-v2"), ("v3", "orders-v3")):
        path, query, headers = call(version)
        resp = await client.get(path, params=query, headers=headers)
        assert (resp.status, resp.headers.get("X-Api")) == (200, api), (version, path)


def test_backend_id_naming_nothing_is_a_load_error_when_flows_are_checked(tmp_path):
    from emulator.gateway import GatewayLoadError
    from emulator.gateway import config as gateway_config
    from tests.gateway.conftest import inbound, write_gateway

    path = write_gateway(tmp_path, api_policy=inbound('\n<set-backend-service backend-id="ghost-flow" />'))

    def check(workflow, trigger):
        return None if workflow == "orders" else f"the workflow '{workflow}' is not loaded"

    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(path, check)
    assert "line 2, element <set-backend-service>" in str(info.value) and "ghost-flow" in str(info.value)
    write_gateway(tmp_path, api_policy=inbound('<set-backend-service backend-id="orders" />'))
    assert gateway_config.load(path, check).apis


async def test_a_backend_url_with_a_query_keeps_it_after_the_relative_path(gateway):
    base = str(gateway.backend.make_url("/api/fn")) + "?code=func-key"
    client = await gateway(api={"backend": {"url": base}})
    resp = await client.get("/echo/orders/7?x=1", headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
    body = await resp.json()
    assert body["path"] == "/api/fn/orders/7" and body["query"] == {"x": "1", "code": "func-key"}
