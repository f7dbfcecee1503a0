"""End to end on real sockets: client -> gateway -> flow -> answer; gatewayOnly lock-down; the bearer token
forwarded with the sig; validate-jwt against the emulator's own issuer URL; GET /gateway; load errors."""

from __future__ import annotations

import json
import logging

import pytest

from emulator.gateway import GatewayLoadError
from emulator.gateway import app as gateway_app
from emulator.server.callers import PROOF_HEADER
from tests.gateway.conftest import inbound

FLOW = {"definition": {
    "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
               "workflowdefinition.json#",
    "contentVersion": "1.0.0.0",
    "triggers": {"manual": {"type": "Request", "kind": "Http",
                            "inputs": {"method": "POST", "relativePath": "/{orderId}"}}},
    "actions": {"Answer": {"type": "Response", "kind": "Http", "runAfter": {}, "inputs": {
        "statusCode": 201,
        "body": {"orderId": "@triggerOutputs()['relativePathParameters']['orderId']",
                 "item": "@triggerBody()?['item']", "headers": "@triggerOutputs()['headers']",
                 "queries": "@triggerOutputs()['queries']"}}}},
}}
KEY = "e2e-key-000001"


def doc(policy=None, gateway_only=True, **api):
    api_doc = {"name": "orders", "path": "orders",
               "backend": {"workflow": "orders", "trigger": "manual", "gatewayOnly": gateway_only},
               "operations": [{"name": "submit", "method": "POST", "urlTemplate": "/{orderId}"}]}
    if policy:
        api_doc["policy"] = "api.xml"
    api_doc.update(api)
    return {"namedValues": {"secret-thing": {"value": "hush", "secret": True}}, "apis": [api_doc],
            "subscriptions": [{"name": "team", "scope": "/apis/orders", "primaryKey": KEY}]}


DELETE_AUTH = '<set-header name="Authorization" exists-action="delete" />'


async def test_client_gateway_flow_answer(live_gateway, caplog):
    caplog.set_level(logging.INFO, logger="emulator.gateway")
    live = await live_gateway({"orders.json": FLOW}, doc(policy=True),
                              {"api.xml": inbound('<set-header name="X-From" exists-action="override">'
                                                  '<value>{{secret-thing}}</value></set-header>')})
    status, headers, body = await live.call("POST", f"{live.gateway_base}/orders/42?color=red",
                                            json={"item": "pen"}, headers={"Ocp-Apim-Subscription-Key": KEY})
    assert status == 201, body
    assert body["orderId"] == "42" and body["item"] == "pen" and body["queries"]["color"] == "red"
    flow_headers = {k.lower(): v for k, v in body["headers"].items()}
    assert flow_headers["x-forwarded-for"] == "127.0.0.1" and flow_headers["x-from"] == "hush"
    assert PROOF_HEADER.lower() not in flow_headers  # the server strips the gateway's proof
    assert "x-ms-workflow-run-id" in headers
    line = [r.getMessage() for r in caplog.records if r.name == "emulator.gateway"][-1]
    assert "api=orders operation=submit subscription=team status=201 answered-by=forwarded" in line
    assert KEY not in line and "hush" not in line


async def test_gateway_only_locks_direct_calls(live_gateway):
    live = await live_gateway({"orders.json": FLOW, "open.json": FLOW}, doc())
    url = live.callback("orders")["value"].replace("{orderId}", "7")
    status, _, body = await live.call("POST", url, json={})
    assert status == 401
    assert body["error"]["code"] == "AuthorizationFailed"
    assert "'127.0.0.1' is not in the allowed caller IP address ranges" in body["error"]["message"]
    status, _, body = await live.call("POST", url, json={}, headers={PROOF_HEADER: "guess"})
    assert status == 401 and body["error"]["code"] == "AuthorizationFailed"
    open_url = live.callback("open")["value"].replace("{orderId}", "7")
    assert (await live.call("POST", open_url, json={}))[0] == 201  # other flows are untouched
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/7", json={},
                                   headers={"Ocp-Apim-Subscription-Key": KEY})
    assert status == 201


async def test_bearer_token_forwarded_with_sig_is_refused_unless_deleted(live_gateway):
    live = await live_gateway({"orders.json": FLOW}, doc())
    status, _, body = await live.call("POST", f"{live.gateway_base}/orders/1", json={},
                                      headers={"Ocp-Apim-Subscription-Key": KEY, "Authorization": "Bearer abc"})
    assert status == 401 and body["error"]["code"] == "DirectApiRequestHasMoreThanOneAuthorization"
    live = await live_gateway({"orders.json": FLOW}, doc(policy=True), {"api.xml": inbound(DELETE_AUTH)})
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/1", json={},
                                   headers={"Ocp-Apim-Subscription-Key": KEY, "Authorization": "Bearer abc"})
    assert status == 201


async def test_validate_jwt_against_the_emulators_own_openid_config(live_gateway):
    flows = {"orders.json": FLOW}
    policy = inbound('<validate-jwt header-name="Authorization" failed-validation-httpcode="401" '
                     'failed-validation-error-message="Unauthorized. Access token is missing or invalid.">'
                     '<openid-config url="{{issuer}}/contoso/v2.0/.well-known/openid-configuration" />'
                     '<audiences><audience>api://orders</audience></audiences></validate-jwt>' + DELETE_AUTH)
    gateway_doc = doc(policy=True)
    gateway_doc["namedValues"]["issuer"] = {"value": "http://127.0.0.1:1"}
    live = await live_gateway(flows, gateway_doc, {"api.xml": policy})
    # The issuer's URL is only known once the server listens: point the named value at it and reload.
    gateway_doc["namedValues"]["issuer"]["value"] = live.base
    (live.gateway.config.file).write_text(json.dumps(gateway_doc))
    live.gateway.use(gateway_app.load(live.gateway.config.file, live.server).config)
    store = live.server.jwt_keys
    headers = {"Ocp-Apim-Subscription-Key": KEY}
    status, _, body = await live.call("POST", f"{live.gateway_base}/orders/1", json={}, headers=headers)
    assert status == 401 and body == {"statusCode": 401, "message": "Unauthorized. Access token is missing or invalid."}
    token = store.mint("contoso", "api://orders", issuer_style="v2")
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/1", json={},
                                   headers={**headers, "Authorization": f"Bearer {token}"})
    assert status == 201
    v1 = store.mint("contoso", "api://orders")
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/1", json={},
                                   headers={**headers, "Authorization": f"Bearer {v1}"})
    assert status == 201  # a v1 token of the same tenant is accepted too (docs/fidelity.md)
    other = store.mint("fabrikam", "api://orders", issuer_style="v2")
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/1", json={},
                                   headers={**headers, "Authorization": f"Bearer {other}"})
    assert status == 401


async def test_gateway_configuration_is_served_masked(live_gateway):
    live = await live_gateway({"orders.json": FLOW}, doc())
    status, _, body = await live.call("GET", f"{live.base}/gateway")
    assert status == 200
    assert body["namedValues"]["secret-thing"] == {"value": "***", "secret": True}
    assert body["subscriptions"][0]["primaryKey"] == "***"
    assert body["apis"][0]["backend"] == {"workflow": "orders", "trigger": "manual", "gatewayOnly": True}
    assert KEY not in json.dumps(body) and "hush" not in json.dumps(body)


async def test_backend_naming_no_flow_does_not_load(live_gateway):
    with pytest.raises(GatewayLoadError, match="ghost"):
        await live_gateway({"orders.json": FLOW}, doc(backend={"workflow": "ghost"}))


AZURE_STYLE = inbound("""
<validate-jwt header-name="Authorization" failed-validation-httpcode="401"
              failed-validation-error-message="Unauthorized. Access token is missing or invalid.">
    <openid-config url="https://login.microsoftonline.com/contoso/.well-known/openid-configuration" />
</validate-jwt>
<set-backend-service base-url="{{flow-host}}" />
<rewrite-uri template="/workflows/{{flow-id}}/triggers/manual/paths/invoke/{orderId}" />
<set-query-parameter name="api-version" exists-action="override"><value>2016-10-01</value></set-query-parameter>
<set-query-parameter name="sp" exists-action="override"><value>/triggers/manual/run</value></set-query-parameter>
<set-query-parameter name="sv" exists-action="override"><value>1.0</value></set-query-parameter>
<set-query-parameter name="sig" exists-action="override"><value>{{flow-sig}}</value></set-query-parameter>
<set-header name="Authorization" exists-action="delete" />""")


async def test_the_azure_logic_app_policy_of_spec_11_works_unchanged(live_gateway):
    gateway_doc = doc(policy=True, backend={"url": "https://prod-72.westus.logic.azure.com:443"})
    gateway_doc["namedValues"].update({"flow-host": {"value": "x"}, "flow-id": {"value": "x"},
                                       "flow-sig": {"value": "x", "secret": True}})
    live = await live_gateway({"orders.json": FLOW}, gateway_doc, {"api.xml": AZURE_STYLE})
    callback = live.callback("orders")
    gateway_doc["namedValues"]["flow-host"]["value"] = live.base
    gateway_doc["namedValues"]["flow-id"]["value"] = live.server.registry.find("orders").id
    gateway_doc["namedValues"]["flow-sig"]["value"] = callback["queries"]["sig"]
    live.gateway.config.file.write_text(json.dumps(gateway_doc))
    live.gateway.use(gateway_app.load(live.gateway.config.file, live.server).config)
    token = live.server.jwt_keys.mint("contoso", "api://anything")
    status, _, body = await live.call("POST", f"{live.gateway_base}/orders/9", json={"item": "cup"},
                                      headers={"Ocp-Apim-Subscription-Key": KEY, "Authorization": f"Bearer {token}"})
    assert status == 201, body
    assert body["orderId"] == "9" and body["item"] == "cup"
