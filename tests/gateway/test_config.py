"""Loading the gateway file: schema, named values, policies parsed at load, errors naming file, line, element;
an APIOps extractor folder."""

from __future__ import annotations

import json

import pytest

from emulator.gateway import GatewayLoadError
from emulator.gateway import config as gateway_config
from emulator.gateway.policy import BASE, compose
from tests.gateway.conftest import inbound, write_gateway


def load_error(path, check=None) -> GatewayLoadError:
    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(path, check)
    return info.value


@pytest.mark.parametrize("xml, line, element, words", [
    ("<policies>\n<inbound>\n<base />\n<frobnicate />\n</inbound>\n</policies>", 4, "frobnicate",
     "policy <frobnicate> is not supported"),
    ('<policies>\n<inbound>\n<set-header name="a" bogus="1" />\n</inbound>\n</policies>', 3, "set-header",
     "attribute 'bogus'"),
    ('<policies>\n<inbound>\n<set-variable name="a" value="@(context.Nope)" />\n</inbound>\n</policies>', 3,
     "set-variable", "member 'Nope'"),
    ("<policies>\n<inbound>\n<set-header name='a'>\n</inbound>\n</policies>", 4, "set-header", "not well-formed"),
    ("<policies>\n<backend>\n<rate-limit calls='1' renewal-period='1' />\n</backend>\n</policies>", 3,
     "rate-limit", "not allowed in the 'backend' section"),
    ("<policies>\n<inbound>\n<choose>\n<when condition='@(1 +)'/>\n</choose>\n</inbound>\n</policies>", 4,
     "when", "cannot be parsed"),
    ("<policies>\n<inbound>\n<set-header name='{{nope}}' />\n</inbound>\n</policies>", 3, "set-header",
     "named value 'nope'"),
    ("<policies>\n<inbound>\n<ip-filter action='allow'><address>x.y</address></ip-filter>\n</inbound>\n</policies>",
     3, "address", "not an IP address"),
    ("<policies>\n<inbound>\n<rate-limit calls='x' renewal-period='1' />\n</inbound>\n</policies>", 3,
     "rate-limit", "must be an integer"),
    ("<policy>\n</policy>", 1, "policy", "root element"),
])
def test_policy_errors_name_file_line_and_element(tmp_path, xml, line, element, words):
    error = load_error(write_gateway(tmp_path, api_policy=xml))
    assert error.file.endswith("api.xml")
    assert error.line == line
    assert error.element == element
    assert words in error.message
    assert f"line {line}" in str(error) and "api.xml" in str(error)


def test_schema_errors_name_the_json_path(tmp_path):
    path = tmp_path / "gw.json"
    path.write_text(json.dumps({"apis": [{"name": "a", "backend": {"workflow": 1}}]}))
    error = load_error(path)
    assert "$.apis[0].backend" in str(error) and "gw.json" in str(error)
    path.write_text('{"apis": [\n  {"name": }\n]}')
    error = load_error(path)
    assert error.line == 2 and "not valid JSON" in error.message
    path.write_text(json.dumps({"subscriptions": [{"name": "s", "scope": "/apis/none", "primaryKey": "k"}]},
                               indent=2))
    error = load_error(path)
    assert "names no api" in str(error) and error.line == 5
    path.write_text('{\n  "apis": [\n    {"name": "a", "path": 3}\n  ]\n}')
    assert load_error(path).line == 3


def test_backend_naming_no_flow_is_a_load_error(tmp_path):
    path = write_gateway(tmp_path, api={"backend": {"workflow": "ghost"}})
    error = load_error(path, lambda wf, trigger: f"the backend names the workflow '{wf}', which is not loaded")
    assert "ghost" in str(error) and "gateway.json" in str(error) and error.element == "backend"
    assert error.line == 1 and "gateway.json, line 1, element <backend>" in str(error)


def test_missing_policy_file(tmp_path):
    path = write_gateway(tmp_path)
    doc = json.loads(path.read_text())
    doc["policy"] = "nope.xml"
    path.write_text(json.dumps(doc))
    assert "cannot be read" in str(load_error(path))


def test_named_values_resolve_at_load_and_secrets_are_masked(tmp_path):
    path = write_gateway(tmp_path, api_policy=inbound('<set-header name="X-Sig" exists-action="override">'
                                                      '<value>{{sig}}</value></set-header>'),
                         named_values={"sig": {"value": "s3cret", "secret": True}, "plain": {"value": "p"}})
    cfg = gateway_config.load(path)
    header = cfg.apis[0].policy.sections["inbound"][1]
    assert header.values[0].constant == "s3cret"
    public = cfg.public()
    assert public["namedValues"] == {"sig": {"value": "***", "secret": True},
                                     "plain": {"value": "p", "secret": False}}
    assert "s3cret" not in json.dumps(public)
    assert all(s["primaryKey"] == "***" for s in public["subscriptions"])


def test_base_composition_across_scopes(tmp_path):
    path = write_gateway(
        tmp_path,
        global_policy=inbound('<set-variable name="g" value="1" />'),
        api_policy=('<policies><inbound><set-variable name="a1" value="1" /><base />'
                    '<set-variable name="a2" value="1" /></inbound></policies>'),
        operations=[{"name": "op", "method": "GET", "urlTemplate": "/x", "policy": "op.xml"},
                    {"name": "nobase", "method": "GET", "urlTemplate": "/y", "policy": "nobase.xml"}],
        extra_files={"op.xml": inbound('<set-variable name="o" value="1" />'),
                     "nobase.xml": '<policies><inbound><set-variable name="only" value="1" /></inbound></policies>'})
    cfg = gateway_config.load(path)
    api = cfg.apis[0]
    names = [s.name for s in compose([cfg.global_policy, None, api.policy, api.operations[0].policy], "inbound")]
    assert names == ["a1", "g", "a2", "o"]
    names = [s.name for s in compose([cfg.global_policy, None, api.policy, api.operations[1].policy], "inbound")]
    assert names == ["only"]
    assert BASE not in compose([cfg.global_policy], "inbound")


def test_apiops_folder(tmp_path):
    root = tmp_path / "artifacts"
    (root / "apis" / "orders" / "operations" / "get-order").mkdir(parents=True)
    (root / "apis" / "orders;rev=2").mkdir(parents=True)
    (root / "named values" / "nv-1").mkdir(parents=True)  # the extractor's folder name, with its space
    (root / "backends" / "legacy").mkdir(parents=True)
    (root / "products" / "starter").mkdir(parents=True)
    (root / "policy.xml").write_text(inbound('<set-variable name="g" value="{{Greeting}}" />'))
    (root / "named values" / "nv-1" / "namedValueInformation.json").write_text(json.dumps(
        {"properties": {"displayName": "Greeting", "value": "hello", "secret": False}}))
    (root / "backends" / "legacy" / "backendInformation.json").write_text(json.dumps(
        {"properties": {"url": "http://127.0.0.1:9/legacy", "protocol": "http"}}))
    (root / "apis" / "orders" / "apiInformation.json").write_text(json.dumps({"properties": {
        "displayName": "Orders", "path": "orders", "serviceUrl": "http://127.0.0.1:9/orders",
        "subscriptionRequired": True, "subscriptionKeyParameterNames": {"header": "X-Key", "query": "key"}}}))
    (root / "apis" / "orders" / "specification.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: Orders, version: '1'}\npaths:\n  /orders/{id}:\n    get:\n"
        "      operationId: get-order\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n              example: {id: 1}\n")
    (root / "apis" / "orders" / "operations" / "get-order" / "policy.xml").write_text(
        inbound('<mock-response status-code="200" content-type="application/json" />'))
    (root / "products" / "starter" / "productInformation.json").write_text(json.dumps({"properties": {}}))
    (root / "products" / "starter" / "apis.json").write_text(json.dumps([{"name": "orders"}]))
    gw = tmp_path / "gateway.json"
    gw.write_text(json.dumps({"apiops": "artifacts", "subscriptions": [
        {"name": "s", "scope": "/products/starter", "primaryKey": "k1"}]}))
    cfg = gateway_config.load(gw)
    api = cfg.apis[0]
    assert (api.name, api.path, api.header, api.query, api.backend.url) == (
        "orders", "orders", "X-Key", "key", "http://127.0.0.1:9/orders")
    op = api.operations[0]
    assert (op.name, op.method, op.url_template) == ("get-order", "GET", "/orders/{id}")
    assert op.policy is not None and op.example(200, "application/json") == b'{"id": 1}'
    assert cfg.products[0].apis == ("orders",)
    assert cfg.backends == {"legacy": "http://127.0.0.1:9/legacy"}
    assert cfg.global_policy.sections["inbound"][1].value.constant == "hello"


def test_apiops_secret_without_value(tmp_path):
    root = tmp_path / "a"
    (root / "namedValues" / "key").mkdir(parents=True)
    (root / "namedValues" / "key" / "namedValueInformation.json").write_text(json.dumps(
        {"properties": {"displayName": "key", "secret": True}}))
    (root / "policy.xml").write_text(inbound('<set-variable name="k" value="{{key}}" />'))
    error = load_error(root)
    assert "no value" in str(error)


def test_load_errors_never_show_secret_values(tmp_path):
    path = write_gateway(tmp_path, api_policy=inbound('<set-variable name="a" value="@(&quot;{{key}}&quot; +)" />'),
                         named_values={"key": {"value": "TopSecret123", "secret": True}})
    error = load_error(path)
    assert "TopSecret123" not in str(error) and "cannot be parsed" in str(error)


DOCS_STYLE = '''<policies>
    <inbound>
        <base />
        <set-variable name="IsMobile" value="@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPad") || context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPhone"))" />
        <choose>
            <when condition="@(context.Variables.GetValueOrDefault<bool>("IsMobile"))">
                <set-header name="X-Device" exists-action="override"><value>mobile</value></set-header>
            </when>
        </choose>
        <set-body>@{
            var body = context.Request.Body.As<JObject>(true);
            if (body["n"] != null && (int)body["n"] > 1) { return "many"; }
            return "few";
        }</set-body>
        <set-variable name="escaped" value="@(&quot;a&quot; + &quot;&lt;b&quot;)" />
    </inbound>
</policies>'''


async def test_policies_written_as_in_the_docs_load_unescaped(gateway):
    from tests.gateway.conftest import SUB_KEY

    client = await gateway(api_policy=DOCS_STYLE)
    resp = await client.post("/echo/x", json={"n": 3},
                             headers={"Ocp-Apim-Subscription-Key": SUB_KEY, "User-Agent": "my iPad"})
    body = await resp.json()
    assert body["headers"]["X-Device"] == "mobile" and body["body"] == "many"
    statements = client.gw.config.apis[0].policy.sections["inbound"]
    assert statements[-1].value.source == '@("a" + "<b")'


async def test_reload_when_a_policy_file_changes(gateway, caplog):
    import logging
    import os

    from tests.gateway.conftest import SUB_KEY

    client = await gateway(api_policy=inbound('<set-header name="X-V" exists-action="override"><value>1</value>'
                                              "</set-header>"))
    gw = client.gw
    gw._seen = gw._fingerprint()
    assert gw.reload_if_changed() is False
    policy = gw.config.apis[0].policy.file
    with open(policy, "w", encoding="utf-8") as fh:
        fh.write(inbound('<set-header name="X-V" exists-action="override"><value>2</value></set-header>'))
    os.utime(policy, ns=(1, 10**18))
    assert gw.reload_if_changed() is True
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
    assert (await resp.json())["headers"]["X-V"] == "2"
    caplog.set_level(logging.WARNING, logger="emulator.gateway")
    with open(policy, "w", encoding="utf-8") as fh:
        fh.write("<policies><inbound><oops/></inbound></policies>")
    os.utime(policy, ns=(1, 2 * 10**18))
    assert gw.reload_if_changed() is False
    assert "previous one stays" in caplog.text and "oops" in caplog.text
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
    assert (await resp.json())["headers"]["X-V"] == "2"
