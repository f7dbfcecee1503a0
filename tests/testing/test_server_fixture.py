"""``logic_apps_server``: the real server on 127.0.0.1 and a free port, answering as ``logic_apps`` does."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp

FLOWS = Path(__file__).resolve().parents[2] / "flows"
CASES = [
    ("token-in-path", dict(method="GET", path="/secure/s3cr3t-token")),
    ("token-in-path", dict(method="GET", path="/secure/guess")),
    ("token-in-path", dict(method="POST", path="/secure/guess")),
    ("token-in-path", dict(method="GET", path="/secure/x", query={"sig": "forged"})),
    ("secret-key-condition", dict(json={"name": "Ada"}, headers={"secretKey": "no"})),
    ("secret-key-condition", dict(json={"name": "Ada"}, headers={"secretKey": "let-me-in"})),
    ("send-email", dict(json={"to": "x"})),
    ("send-email", dict(json={"to": "a", "subject": "b", "body": "c"})),
    ("notify-with-token", dict(path="/notify/s3cr3t-token", json={"to": "a"})),
    ("nope", dict()),
]
VOLATILE = {"x-ms-workflow-run-id", "x-ms-correlation-id", "x-ms-client-tracking-id", "x-ms-trigger-history-name",
            "x-ms-tracking-id", "x-ms-request-id", "server"}  # (aiohttp's Server header: the socket's own)


def test_answers_match_the_in_process_emulator(logic_apps, logic_apps_server):
    for la in (logic_apps, logic_apps_server):
        la.load(FLOWS)
        la.mock_action("Send_an_email_(V2)", body={"id": 1})
    for workflow, kwargs in CASES:
        local = logic_apps.invoke(workflow, **kwargs)
        served = logic_apps_server.invoke(workflow, **kwargs)
        where = f"{workflow} {kwargs}"
        assert served.status == local.status, where
        assert _stable(served.body) == _stable(local.body), where
        assert {k.lower() for k in served.headers} - VOLATILE == {k.lower() for k in local.headers} - VOLATILE, where
        for name in ("Content-Type", "x-ms-workflow-name", "x-ms-workflow-id", "Cache-Control"):
            assert served.headers.get(name) == local.headers.get(name), (where, name)
        assert (served.run is None) == (local.run is None) and served.skipped == local.skipped, where
        if served.run is not None:
            assert served.run.status == local.run.status, where
            assert {n: a.status for n, a in served.run.actions.items()} == \
                   {n: a.status for n, a in local.run.actions.items()}, where
    assert len(logic_apps.calls) == len(logic_apps_server.calls) == 2


def _stable(body: bytes):
    """The body without the run id some error messages carry."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        value["error"]["message"] = value["error"]["message"].split("Request tracking id")[0]
    return value


def test_url_serves_any_client_and_runs_are_recorded(logic_apps_server):
    logic_apps_server.load(FLOWS / "token-in-path.json")
    assert logic_apps_server.base_url.startswith("http://127.0.0.1:")
    url = logic_apps_server.url("token-in-path", path="/secure/s3cr3t-token")
    assert url.startswith(logic_apps_server.base_url + "/workflows/")
    with urllib.request.urlopen(url) as resp:
        assert resp.status == 200 and json.loads(resp.read()) == {"status": "authorized",
                                                                    "message": "Token accepted."}
    try:
        urllib.request.urlopen(url.replace("sig=", "sig=x"))
    except urllib.error.HTTPError as err:
        assert err.code == 401
    runs = logic_apps_server.runs
    assert len(runs) == 1 and runs[0].status == "Succeeded"


async def test_async_clients_and_the_async_twin(logic_apps_server):
    logic_apps_server.load(FLOWS / "secret-key-condition.json")
    url = logic_apps_server.url("secret-key-condition")
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"name": "Ada"}, headers={"secretKey": "let-me-in"}) as resp:
            assert resp.status == 200
    results = await asyncio.gather(*[logic_apps_server.ainvoke("secret-key-condition", json={},
                                                               headers={"secretKey": "let-me-in"})
                                     for _ in range(5)])
    assert [r.status for r in results] == [200] * 5 and all(r.run.status == "Succeeded" for r in results)
    skipped = await logic_apps_server.ainvoke("secret-key-condition", json={})
    assert skipped.status == 202 and skipped.skipped and skipped.run is None


def test_url_is_what_list_callback_url_answers(logic_apps_server):
    logic_apps_server.load(FLOWS / "token-in-path.json")
    api = f"{logic_apps_server.base_url}/workflows/token-in-path/triggers/manual/listCallbackUrl?api-version=2016-06-01"
    with urllib.request.urlopen(urllib.request.Request(api, method="POST")) as resp:
        listed = json.loads(resp.read())
    assert logic_apps_server.url("token-in-path") == listed["value"]
    assert logic_apps_server.runs == [] and "{token}" in listed["value"]
