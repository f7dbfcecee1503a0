"""Secrets never leave the server: a run of calls that carry every kind of secret, then everything the
server wrote (its log records, stdout/stderr, every answer, the management API) is searched for them.

Secrets: the SAS keys and each URL's ``sig``, bearer tokens and the client secret that got one, a token
carried in a relative path (the log shows the trigger's path template, not its values), secure inputs and
outputs. ``listCallbackUrl`` answers are the one place a ``sig`` belongs; they are left out of the search.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging

import pytest

from tests.conftest import ROOT
from tests.e2e.test_hostile import raw, target

ISSUER_TENANT = "c0ffee00-0000-4000-8000-000000000001"
PATH_TOKEN = "s3cr3t-token"
PASSWORD = "hunter2-PASSWORD-in-a-body"
CLIENT_SECRET = "client-secret-value-42"
FAKE_SIG = "AAAAfakeSignatureThatIsNotRight0000000000000"
FAKE_BEARER = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtYmVhcmVyIn0.c2lnbmF0dXJlLW9mLWEtZmFrZS10b2tlbg"

SECURE = {"definition": {
    "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
               "workflowdefinition.json#",
    "contentVersion": "1.0.0.0",
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"},
                            "runtimeConfiguration": {"secureData": {"properties": ["outputs"]}}}},
    "actions": {
        "Keep": {"type": "Compose", "inputs": "@triggerBody()?['password']", "runAfter": {},
                 "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}},
        "Answer": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "stored"},
                   "runAfter": {"Keep": ["Succeeded"]}}}}}

MALFORMED_IS_JSON = importlib.util.find_spec("emulator.server.malformed") is not None


@pytest.fixture
async def live(tmp_path, serve_real):
    folder = tmp_path / "flows"
    folder.mkdir()
    for name in ("token-in-path", "token-in-header", "secret-key-condition", "oauth-protected"):
        (folder / f"{name}.json").write_text((ROOT / "flows" / f"{name}.json").read_text(), encoding="utf-8")
    (folder / "secure.json").write_text(json.dumps(SECURE), encoding="utf-8")
    return await serve_real([folder], history="sqlite")


async def test_no_secret_in_logs_answers_or_the_management_api(live, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    async def call(method, url, **kwargs):
        async with live.session.request(method, url, **kwargs) as resp:
            body = await resp.text(errors="replace")
            seen.append(f"{resp.status} {dict(resp.headers)} {body}")
            return resp.status, body

    workflows = ["token-in-path", "token-in-header", "secret-key-condition", "secure"]
    sigs = {name: live.url(name).split("sig=")[1] for name in workflows}
    keys = [key for name in workflows + ["oauth-protected"] for key in live.server.keys.keys(name)]

    # calls that carry secrets, right and wrong
    assert (await call("GET", live.url("token-in-path", relative=f"/secure/{PATH_TOKEN}")))[0] == 200
    assert (await call("GET", live.url("token-in-path", relative="/secure/a-wrong-guess")))[0] == 401
    assert (await call("POST", live.url("token-in-header"), headers={"x-api-token": "header-token-123"}))[0] == 200
    assert (await call("POST", live.url("secret-key-condition"), json={"secretKey": "let-me-in"}))[0] < 500
    assert (await call("POST", live.url("secure"), json={"password": PASSWORD}))[0] == 200
    wrong = live.url("secure").split("sig=")[0] + f"sig={FAKE_SIG}"
    assert (await call("POST", wrong, json={"password": PASSWORD}))[0] == 401
    assert (await call("POST", live.url("secure"), headers={"Authorization": f"Bearer {FAKE_BEARER}"}))[0] in (400, 401)
    oauth = f"{live.base}/workflows/{live.entry('oauth-protected').id}/triggers/manual/paths/invoke" \
            f"?api-version=2016-10-01"
    status, answer = await call("POST", f"{live.base}/{ISSUER_TENANT}/oauth2/token",
                                data={"grant_type": "client_credentials", "client_id": "demo",
                                      "client_secret": CLIENT_SECRET, "resource": "https://management.azure.com/"})
    bearer = json.loads(answer)["access_token"]
    seen.pop()  # the issuer's answer is the one place the token belongs
    assert (await call("POST", oauth, headers={"Authorization": f"Bearer {bearer}"}, json={"name": "x"}))[0] == 200
    assert (await call("POST", oauth, headers={"Authorization": f"Bearer {FAKE_BEARER}"}, json={}))[0] == 401

    # the management API: workflows, runs, actions, trigger histories
    api = "?api-version=2016-06-01"
    status, listing = await call("GET", f"{live.base}/workflows{api}")
    assert status == 200
    for name in workflows + ["oauth-protected"]:
        _, runs = await call("GET", f"{live.base}/workflows/{name}/runs{api}")
        for run in json.loads(runs)["value"]:
            await call("GET", f"{live.base}/workflows/{name}/runs/{run['name']}{api}")
            await call("GET", f"{live.base}/workflows/{name}/runs/{run['name']}/actions{api}")
        await call("GET", f"{live.base}/workflows/{name}/triggers/manual/histories{api}")
        await call("GET", f"{live.base}/workflows/{name}{api}")

    for link in _content_links(seen):  # the inputs and outputs themselves, as a client reads them
        await call("GET", link)

    captured = capsys.readouterr()
    logs = "\n".join(caplog.text.splitlines())
    answers = "\n".join(seen)
    everything = "\n".join([logs, captured.out, captured.err, answers])
    secrets = {"a SAS key": keys, "a sig": list(sigs.values()) + [FAKE_SIG], "a bearer token": [bearer, FAKE_BEARER],
               "the client secret": [CLIENT_SECRET], "a secure input or output": [PASSWORD]}
    for what, values in secrets.items():
        for value in values:
            assert value not in everything, f"{what} was written: ...{_around(everything, value)}..."
    # a token in a relative path: the log names the trigger's template, never the values
    assert PATH_TOKEN not in logs + captured.out + captured.err, _around(logs, PATH_TOKEN)
    assert "Traceback" not in logs


@pytest.mark.xfail(not MALFORMED_IS_JSON, reason="issue-10's server/malformed.py answers and logs a malformed "
                   "request without quoting it; passes once it is on main", strict=True)
async def test_a_malformed_request_line_holding_a_sig_is_neither_echoed_nor_logged(live, caplog):
    caplog.set_level(logging.DEBUG)
    path = target(live, "secure")
    sig = path.split("sig=")[1]
    for line in (f"GET {path} HTTP/1.1 junk", f"GET {path} HTTP/9.9", f"G\x01T {path} HTTP/1.1",
                 f"GET {path}\x7f HTTP/1.1"):
        status, body = await raw(live, (line + "\r\nHost: x\r\n\r\n").encode())
        assert status == 400
        assert sig.encode() not in body and json.loads(body)["error"]["code"]
    await asyncio.sleep(0.1)
    assert sig not in caplog.text
    assert "Traceback" not in caplog.text


async def test_the_verbose_log_shows_the_path_template_not_a_token_in_the_path(live, caplog):
    live.server.config.verbose = True
    caplog.set_level(logging.INFO)
    async with live.session.get(live.url("token-in-path", relative=f"/secure/{PATH_TOKEN}")) as resp:
        assert resp.status == 200
    [line] = [r.getMessage() for r in caplog.records if r.name == "emulator.server.access"]
    assert "/paths/invoke/secure/{token}?api-version=" in line and "sig=REDACTED" in line
    assert PATH_TOKEN not in caplog.text


def _content_links(answers: list[str]) -> list[str]:
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("inputsLink", "outputsLink") and isinstance(item, dict) and item.get("uri"):
                    found.append(item["uri"])
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for answer in answers:
        body = answer.split(" ", 1)[1].split("} ", 1)[-1]
        try:
            walk(json.loads(body))
        except ValueError:
            continue
    return found


def _around(text: str, value: str) -> str:
    at = text.find(value)
    return text[max(0, at - 200): at + 60]


async def test_an_over_long_url_or_header_is_refused_without_quoting_it(serve_real, caplog):
    from emulator.limits import Limits

    caplog.set_level(logging.DEBUG)
    live = await serve_real({"e.json": SECURE}, limits=Limits(url_chars=100, header_line_bytes=200))
    sig = live.url("e").split("sig=")[1]
    short = f"/workflows/e/triggers/manual/run?sig={sig}&pad=" + "a" * 2000
    status, body = await raw(live, f"POST {short} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 400 and sig.encode() not in body
    status, body = await raw(live, f"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {FAKE_BEARER}"
                                   f"{'x' * 300}\r\n\r\n".encode())
    assert status == 400 and FAKE_BEARER[:20].encode() not in body
    assert json.loads(body)["error"]["message"].startswith("The request is not a valid HTTP request: Got more")
    await asyncio.sleep(0.1)
    assert sig not in caplog.text and FAKE_BEARER[:20] not in caplog.text
