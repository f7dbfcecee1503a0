"""What the dashboard reads besides the management API: the page and its files, the live feed of calls
(``GET /events``, server-sent events) and each workflow's protection in plain words."""

from __future__ import annotations

import asyncio
import json

import pytest

from emulator.server.events import CallFeed
from tests.conftest import ROOT
from tests.server.live import start

FLOWS = ROOT / "flows"


@pytest.fixture
async def live(tmp_path):
    running = await start([FLOWS], tmp_path / "state")
    yield running
    await running.close()


class Stream:
    """An open ``GET /events``: ``await next()`` gives ``(id, type, data)``."""

    def __init__(self, resp):
        self.resp = resp

    async def next(self, timeout: float = 2.0):
        fields = {}
        while True:
            line = (await asyncio.wait_for(self.resp.content.readline(), timeout)).decode().rstrip("\n")
            if not line:
                if "data" in fields:
                    return int(fields["id"]), fields["event"], json.loads(fields["data"])
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = value

    async def until(self, predicate, timeout: float = 2.0):
        while True:
            event = await self.next(timeout)
            if predicate(event[2]):
                return event


async def open_events(live, **headers) -> Stream:
    resp = await live.session.get(live.base + "/events", headers=headers)
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
    return Stream(resp)


async def test_the_page_and_its_files_are_served(live):
    for path, kind in (("/", "text/html"), ("/dashboard/app.js", "javascript"), ("/dashboard/style.css", "text/css"),
                       ("/dashboard/presets.json", "application/json")):
        async with live.session.get(live.base + path) as resp:
            assert resp.status == 200, path
            assert kind in resp.headers["Content-Type"], path
            text = await resp.text()
            assert "http://" not in text.replace("http://127.0.0.1", "") or path.endswith(".json"), path
    async with live.session.get(live.base + "/dashboard/../app.py") as resp:
        assert resp.status == 404


async def test_every_trigger_call_is_published_with_its_outcome(live):
    stream = await open_events(live)
    status, headers, _ = await live.call("POST", live.url("secret-key-condition"), headers={"secretKey": "let-me-in"},
                                         json={"name": "Ada"})
    assert status == 200
    run_id = headers["x-ms-workflow-run-id"]
    _, kind, call = await stream.until(lambda e: e.get("runId") == run_id)
    assert kind == "call" and call["workflow"] == "secret-key-condition" and call["status"] == 200
    assert call["outcome"] == "run" and call["method"] == "POST" and call["durationMs"] >= 0 and call["time"]
    assert call["runStatus"] == "Succeeded"  # over before the answer went out: no run event needed

    await live.call("POST", live.url("secret-key-condition"), headers={"secretKey": "nope"}, json={})
    _, _, skipped = await stream.until(lambda e: e["type"] == "call")
    assert skipped["status"] == 202 and skipped["outcome"] == "skipped" and skipped["runId"] is None

    unsigned = live.url("send-email").split("&sp=")[0]
    await live.call("POST", unsigned, json={"to": "a", "subject": "b", "body": "c"})
    _, _, refused = await stream.until(lambda e: e["type"] == "call")
    assert refused["status"] == 401 and refused["outcome"] == "refused"
    assert refused["code"] == "DirectApiAuthorizationRequired" and refused["workflow"] == "send-email"

    await live.call("POST", live.base + "/workflows/nope/triggers/manual/paths/invoke?api-version=2016-10-01")
    _, _, missing = await stream.until(lambda e: e["type"] == "call")
    assert missing["status"] == 404 and missing["code"] == "WorkflowNotFound"
    stream.resp.close()


async def test_a_page_opened_later_gets_the_recent_calls_and_resumes_after_its_last_id(live):
    for _ in range(3):
        await live.call("GET", live.url("token-in-path", relative="secure/s3cr3t-token"))
    stream = await open_events(live)
    first = [await stream.next() for _ in range(3)]
    calls = [e for e in first if e[1] == "call"]
    assert calls and all(e[2]["workflow"] == "token-in-path" for e in calls)
    stream.resp.close()
    last = live.server.calls.last_id
    await live.call("GET", live.url("token-in-path", relative="secure/wrong"))
    resumed = await open_events(live, **{"Last-Event-ID": str(last)})
    event_id, _, data = await resumed.next()
    assert event_id == last + 1 and data["type"] == "call"
    resumed.resp.close()
    async with live.session.get(live.base + "/events", headers={"Last-Event-ID": "x"}) as resp:
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "InvalidLastEventId"


async def test_a_slow_subscriber_loses_its_oldest_events_and_never_blocks_the_server():
    feed = CallFeed(recent=5)
    sub = feed.subscribe(size=3)
    for n in range(10):
        feed.publish({"type": "call", "n": n})  # never awaits, never raises
    assert sub.dropped == 7 and [sub.queue.get_nowait()[1]["n"] for _ in range(3)] == [7, 8, 9]
    later = feed.subscribe(after=9)  # ids count from 1
    assert later.queue.qsize() == 1 and later.queue.get_nowait()[1]["n"] == 9
    restarted = feed.subscribe(after=999)  # an id from before a restart: every kept event
    assert restarted.queue.qsize() == 5
    feed.unsubscribe(sub)
    assert sub not in feed.subscribers


async def test_protection_in_plain_words(live):
    async def kinds(workflow):
        async with live.session.get(f"{live.base}/workflows/{workflow}/protection") as resp:
            assert resp.status == 200
            (trigger,) = (await resp.json())["value"]
            for item in trigger["protections"]:
                assert item["title"] and item["detail"] and item["why"]
            return trigger, [p["kind"] for p in trigger["protections"]]

    trigger, found = await kinds("secret-key-condition")
    assert found == ["sas", "condition"] and trigger["method"] == "POST"
    condition = trigger["protections"][1]
    assert condition["expression"] == "@equals(triggerOutputs()?['headers']?['secretKey'], parameters('secretKey'))"
    assert "202" in condition["why"]
    trigger, found = await kinds("token-in-path")
    assert found == ["sas"] and trigger["method"] == "GET" and trigger["relativePath"] == "secure/{token}"
    assert (await kinds("send-email"))[1] == ["sas", "schema"]
    trigger, found = await kinds("oauth-protected")
    assert found == ["sas-off", "oauth"]
    assert {"name": "aud", "value": "https://management.azure.com/"} in trigger["protections"][1]["claims"]
    async with live.session.get(f"{live.base}/workflows/nope/protection") as resp:
        assert resp.status == 404 and (await resp.json())["error"]["code"] == "WorkflowNotFound"


async def test_ip_rules_and_auth_none_are_named(tmp_path):
    flow = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {}},
            "properties": {}}
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "ip.json").write_text(json.dumps(flow))
    (folder / "ip.access.json").write_text(json.dumps(
        {"triggers": {"allowedCallerIpAddresses": [{"addressRange": "10.0.0.0/24"}]}}))
    (folder / "nested.json").write_text(json.dumps(flow))
    (folder / "nested.access.json").write_text(json.dumps({"triggers": {"allowedCallerIpAddresses": []}}))
    running = await start([folder], tmp_path / "state", auth="none")
    try:
        async with running.session.get(f"{running.base}/workflows/ip/protection") as resp:
            items = (await resp.json())["value"][0]["protections"]
        assert [p["kind"] for p in items] == ["no-auth", "ip"] and "10.0.0.0/24" in items[1]["detail"]
        async with running.session.get(f"{running.base}/workflows/nested/protection") as resp:
            items = (await resp.json())["value"][0]["protections"]
        assert items[1]["kind"] == "ip" and "only other workflows" in items[1]["why"].lower()
    finally:
        await running.close()


async def test_the_audit_of_each_workflow(live):
    async with live.session.get(f"{live.base}/workflows/token-in-header/audit") as resp:
        assert resp.status == 200
        report = await resp.json()
    (trigger,) = report["triggers"]
    assert trigger["trigger"] == "manual" and any("x-api-token" in c["reads"] for c in trigger["checks"])
    assert [f["rule"] for f in report["findings"]] == ["secret-not-securestring"]
    assert report["findings"][0]["fix"]
    async with live.session.get(f"{live.base}/workflows/oauth-protected/audit") as resp:
        assert [w["kind"] for w in (await resp.json())["triggers"][0]["waysIn"]] == ["sas-disabled", "oauth"]
    async with live.session.get(f"{live.base}/workflows/nope/audit") as resp:
        assert resp.status == 404 and (await resp.json())["error"]["code"] == "WorkflowNotFound"


LATER = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
    "Answer": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200}, "runAfter": {}},
    "Then_wait": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}},
                  "runAfter": {"Answer": ["Succeeded"]}}}}}


async def test_a_run_that_goes_on_after_its_answer_is_reported_again_when_it_ends(serve):
    running = await serve({"later.json": LATER})
    stream = await open_events(running)
    status, headers, _ = await running.call("POST", running.url("later"), json={})
    assert status == 200
    run_id = headers["x-ms-workflow-run-id"]
    _, _, call = await stream.until(lambda e: e.get("runId") == run_id)
    assert call["runStatus"] == "Running"
    _, kind, ended = await stream.until(lambda e: e["type"] == "run", timeout=5)
    assert kind == "run" and ended["runId"] == run_id and ended["status"] == "Succeeded"
    assert ended["workflow"] == "later" and ended["endTime"]
    stream.resp.close()
