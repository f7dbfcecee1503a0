"""The demo flows in flows/, end to end on a real socket with the real runtime (walk-through: docs/server.md)."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.conftest import ROOT

FLOWS = ROOT / "flows"
RUN_ID = re.compile(r"^\d{29}CU\d{2}$")


@pytest.fixture
async def live(serve_real):
    return await serve_real([FLOWS])


async def test_every_flow_loads(live):
    names = {e.name for e in live.server.registry.entries()}
    assert {"secret-key-condition", "token-in-path", "token-in-header", "send-email"} <= names
    assert live.server.registry.problems == []


async def test_secret_key_header_condition(live):
    url = live.url("secret-key-condition")
    status, headers, out = await live.call_json("POST", url, json={"name": "Ada"}, headers={"secretKey": "let-me-in"})
    assert status == 200
    assert out == {"message": "Hello, Ada. The secret key matched."}
    assert RUN_ID.match(headers["x-ms-workflow-run-id"])
    for wrong in ({"secretKey": "nope"}, {}):
        status, headers, data = await live.call("POST", url, json={"name": "Eve"}, headers=wrong)
        assert (status, data) == (202, b"")
        assert "x-ms-workflow-run-id" not in headers
    history = await live.server.history.trigger_histories("secret-key-condition", "manual")
    assert [h["properties"]["status"] for h in history] == ["Skipped", "Skipped", "Succeeded"]
    assert len(await live.server.history.runs("secret-key-condition")) == 1


async def test_token_in_relative_path(live):
    ok = live.url("token-in-path", relative="secure/s3cr3t-token")
    status, headers, out = await live.call_json("GET", ok)
    assert status == 200 and out == {"status": "authorized", "message": "Token accepted."}
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    status, _, out = await live.call_json("GET", live.url("token-in-path", relative="secure/wrong"))
    assert status == 401 and out == {"status": "unauthorized", "message": "Invalid token."}
    status, _, out = await live.call_json("POST", ok)
    assert status == 400 and out["error"]["code"] == "TriggerRequestMethodNotValid"
    status, _, out = await live.call_json("GET", live.url("token-in-path", relative="secure"))
    assert status == 404 and out["error"]["code"] == "TriggerRequestPathNotValid"
    status, _, out = await live.call_json("GET", ok.split("&sig=")[0])
    assert status == 401 and out["error"]["code"] == "DirectApiAuthorizationRequired"


async def test_token_in_header_parse_json(live):
    url = live.url("token-in-header")
    status, _, out = await live.call_json("POST", url, json={"order": 7}, headers={"x-api-token": "header-token-123"})
    assert status == 200 and out == {"status": "authorized", "received": {"order": 7}}
    for headers in ({"x-api-token": "wrong"}, {}):
        status, _, out = await live.call_json("POST", url, json={"order": 7}, headers=headers)
        assert status == 401 and out["status"] == "unauthorized"


async def test_send_email_answered_by_mock_outbox(live):
    url = live.url("send-email")
    mail = {"to": "ada@example.com", "subject": "Hello", "body": "From the emulator"}
    status, headers, out = await live.call_json("POST", url, json=mail)
    assert status == 200 and out == {"status": "sent", "to": "ada@example.com", "subject": "Hello"}
    status, _, outbox = await live.call_json("GET", f"{live.base}/workflows/send-email/outbox")
    assert status == 200 and len(outbox["value"]) == 1
    call = outbox["value"][0]
    assert call["action"] == "Send_an_email_(V2)" and call["request"]["connector"] == "office365"
    assert call["request"]["body"]["To"] == "ada@example.com"
    assert call["request"]["body"]["Body"] == "<p>From the emulator</p>"
    assert call["response"]["body"] == {"status": "queued by the mock outbox"}
    run_id = headers["x-ms-workflow-run-id"]
    await asyncio.sleep(0.05)
    status, _, run = await live.call_json("GET", f"{live.base}/workflows/send-email/runs/{run_id}")
    assert status == 200 and run["properties"]["status"] == "Succeeded"
    status, _, actions = await live.call_json("GET", f"{live.base}/workflows/send-email/runs/{run_id}/actions")
    assert {a["name"] for a in actions["value"]} == {"Send_an_email_(V2)", "Response"}
    status, _, out = await live.call_json("POST", url, json={"to": "ada@example.com"})
    assert status == 400 and out["error"]["code"] == "TriggerInputSchemaMismatch"
    assert out["error"]["message"].endswith("Error details: 'Required properties are missing from object: subject, body.'.")


async def test_sas_refused_where_access_control_disables_it(live):
    from emulator.server import auth

    if auth.access is None:
        pytest.skip("the access stream (emulator.server.access) is not there")
    status, _, out = await live.call_json("POST", live.url("oauth-protected"), json={"name": "x"})
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationScheme"
