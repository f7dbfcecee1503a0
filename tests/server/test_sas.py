"""SAS: signing, every authorization error of spec §2, keys persisted, regenerated and derived."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from emulator.server import sas
from tests.server.flowdefs import ECHO, flow, response


def test_signature_binds_every_part():
    base = sas.sign("k", "a" * 32, "/triggers/manual/run", "1.0", "")
    assert len(base) == 43 and "=" not in base and "+" not in base and "/" not in base
    for changed in (sas.sign("k2", "a" * 32, "/triggers/manual/run"), sas.sign("k", "b" * 32, "/triggers/manual/run"),
                    sas.sign("k", "a" * 32, "/triggers/other/run"), sas.sign("k", "a" * 32, "/triggers/manual/run", "1.1"),
                    sas.sign("k", "a" * 32, "/triggers/manual/run", "1.0", "2030-01-01T00:00:00.0000000Z")):
        assert changed != base


def test_keys_persist_and_master_key(tmp_path):
    store = sas.KeyStore(tmp_path)
    primary = store.key("Flow")
    assert sas.KeyStore(tmp_path).key("flow") == primary
    assert store.key("flow", "secondary") != primary
    derived = sas.KeyStore(None, master="m").key("flow")
    assert derived == sas.KeyStore(None, master="m").key("FLOW") != sas.KeyStore(None, master="n").key("flow")
    with_master = sas.KeyStore(tmp_path, master="m")
    with_master.regenerate("flow")
    assert with_master.key("flow") != derived
    assert sas.KeyStore(tmp_path, master="m").key("flow") == with_master.key("flow")


def test_expiry_format_roundtrip():
    when = datetime(2030, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    text = sas.format_expiry(when)
    assert text == "2030-01-02T03:04:05.1234560Z"
    assert sas.parse_expiry(text) == when
    assert sas.parse_expiry("2030-01-02T03:04:05Z") == when.replace(microsecond=0)
    assert sas.parse_expiry("nope") is None


async def test_missing_api_version(serve):
    live = await serve({"echo.json": ECHO})
    url = live.url("echo").replace("api-version=2016-10-01&", "")
    status, headers, out = await live.call_json("POST", url)
    assert status == 400
    assert out == {"error": {"code": "MissingApiVersionParameter",
                             "message": "The api-version query parameter (?api-version=) is required for all requests."}}
    assert headers["Content-Type"] == "application/json; charset=utf-8"


async def test_workflow_and_trigger_not_found(serve):
    live = await serve({"echo.json": ECHO})
    url = live.url("echo")
    status, _, out = await live.call_json("POST", url.replace(live.entry("echo").id, "gone"))
    assert status == 404 and out["error"] == {"code": "WorkflowNotFound", "message": "The workflow 'gone' could not be found."}
    status, _, out = await live.call_json("POST", url.replace("/triggers/manual/", "/triggers/other/"))
    assert status == 404 and out["error"]["code"] == "TriggerNotFound"


async def test_authorization_errors(serve, tmp_path):
    live = await serve({"echo.json": ECHO})
    standard = await serve({"std": ECHO}, folder=tmp_path / "project")
    url = live.url("echo")
    unsigned = url.split("&sig=")[0]
    status, _, out = await live.call_json("POST", unsigned)
    assert status == 401 and out["error"] == {"code": "DirectApiAuthorizationRequired", "message":
                                              "The request must be authenticated only by Shared Access scheme."}
    status, _, out = await live.call_json("POST", unsigned + "&sig=AAAA")
    assert status == 401 and out["error"] == {"code": "DirectApiInvalidAuthorizationSignature",
                                              "message": "The provided authorization signature is not valid."}
    status, _, out = await live.call_json("POST", url.replace("sv=1.0", "sv=2.0"))
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    # the same with the access stream's policies and with the SAS-only fallback
    status, _, out = await live.call_json("POST", url, headers={"Authorization": "Bearer abc"})
    assert status == 401 and out["error"] == {
        "code": "DirectApiRequestHasMoreThanOneAuthorization",
        "message": "The request has SAS authentication scheme, 'Bearer' authorization scheme or internal token "
                   "scheme. Only one scheme should be used."}
    status, _, out = await standard.call_json("POST", standard.url("std"), headers={"Authorization": "HMAC abc"})
    assert status == 400 and "'HMAC' authorization scheme" in out["error"]["message"]
    status, _, out = await live.call_json("POST", unsigned, headers={"Authorization": "Bearer abc"})
    assert status == 401 and out["error"]["code"] == "OAuthAccessPolicyNotFound"


async def test_signature_checked_before_method(serve):
    live = await serve({"echo.json": ECHO})
    status, _, out = await live.call_json("GET", live.url("echo").split("&sig=")[0] + "&sig=bad")
    assert status == 401
    status, _, out = await live.call_json("GET", live.url("echo"))
    assert out["error"]["code"] == "TriggerRequestMethodNotValid"


async def test_scope_and_other_workflow(serve):
    two = flow({"R": response(200, "ok")})
    two["definition"]["triggers"]["second"] = {"type": "Request", "kind": "Http", "inputs": {}}
    live = await serve({"echo.json": ECHO, "two.json": two})
    first = live.url("two", "manual")
    wrong_trigger = first.replace("/triggers/manual/", "/triggers/second/")
    status, _, out = await live.call_json("POST", wrong_trigger)
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    other = first.replace(live.entry("two").id, live.entry("echo").id)
    assert (await live.call("POST", other))[0] == 401
    assert (await live.call("POST", live.url("two", "second")))[0] == 200


async def test_secondary_key_and_expiry(serve):
    live = await serve({"echo.json": ECHO})
    assert (await live.call("POST", live.url("echo", key_type="secondary")))[0] == 200
    future = datetime.now(timezone.utc) + timedelta(hours=1)
    url = live.url("echo", not_after=future)
    assert "&se=" in url
    assert (await live.call("POST", url))[0] == 200
    past = live.url("echo", not_after=datetime.now(timezone.utc) - timedelta(seconds=1))
    status, _, out = await live.call_json("POST", past)
    assert status == 401 and out["error"]["message"] == "The provided authorization signature has expired."
    tampered = url.replace(url.split("&se=")[1], sas.format_expiry(future + timedelta(days=1)).replace(":", "%3A"))
    assert (await live.call("POST", tampered))[0] == 401


async def test_urls_survive_restart(tmp_path, serve):
    live = await serve({"echo.json": ECHO})
    url = live.url("echo")
    from tests.server.live import start

    again = await start([tmp_path / "flows"], tmp_path / "state")
    try:
        same = url.replace(live.base, again.base)
        assert (await again.call("POST", same))[0] == 200
    finally:
        await again.close()


@pytest.mark.parametrize("env", [True, False])
async def test_master_key_from_env(monkeypatch, tmp_path, env):
    if env:
        monkeypatch.setenv("LOGICAPPS_SAS_KEY", "secret")
        assert sas.KeyStore(tmp_path).key("x") == sas.KeyStore(None, master="secret").key("x")
    else:
        monkeypatch.delenv("LOGICAPPS_SAS_KEY", raising=False)
        assert sas.KeyStore(tmp_path).key("x") != sas.KeyStore(None, master="secret").key("x")
