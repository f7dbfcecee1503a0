"""Request trigger: conditions, outputs builder; Response action and what the caller gets."""

from __future__ import annotations

import base64
import re

import pytest

from emulator.runtime import RunOptions, VirtualClock, invoke
from emulator.runtime.errors import HostError
from emulator.runtime.ids import new_run_id, run_id_time, version_id
from emulator.runtime.trigger import RequestTrigger

from .helpers import run, workflow


def _trigger(**extra):
    return {"manual": {"type": "Request", "kind": "Http", **extra}}


def _request_trigger(**inputs) -> RequestTrigger:
    return RequestTrigger(workflow({}, triggers=_trigger(inputs=inputs)).triggers["manual"])


def build_trigger_outputs(headers, queries, body, params=None):
    trigger = _request_trigger(relativePath="/{id}") if params is not None else _request_trigger()
    return trigger.outputs(headers, queries or {}, body, params)


async def test_trigger_condition_false_means_no_run():
    wf = workflow({"A": {"type": "Compose", "inputs": 1}}, triggers=_trigger(conditions=[
        {"expression": "@equals(triggerBody()?['go'], true)"}, {"expression": "@true"}]))
    inv = await invoke(wf, "manual", {"headers": {}, "body": {"go": False}}, RunOptions(clock=VirtualClock()))
    assert inv.skipped and inv.record == {} and await inv.response is None
    inv2 = await invoke(wf, "manual", {"headers": {}, "body": {"go": True}}, RunOptions(clock=VirtualClock()))
    assert not inv2.skipped and (await inv2.done)["status"] == "Succeeded"


async def test_trigger_condition_that_throws():
    wf = workflow({}, triggers=_trigger(conditions=[{"expression": "@startsWith(triggerBody()?['x'], 'a')"}]))
    inv = await invoke(wf, "manual", {"headers": {}}, RunOptions(clock=VirtualClock()))
    assert inv.skipped and "startsWith" in inv.condition_error["message"]


async def test_trigger_record_shape():
    _, rec, inv = await run({"T": {"type": "Compose", "inputs": "@trigger()"}}, body={"a": 1})
    t = rec["actions"]["T"]["outputs"]
    assert list(t)[:3] == ["name", "inputs", "outputs"]
    assert t["outputs"]["body"] == {"a": 1} and t["status"] == "Succeeded"
    assert t["clientTrackingId"] == inv.run_id


async def test_response_and_status_codes():
    resp, rec, inv = await run({"R": {"type": "Response", "inputs": {
        "statusCode": "@add(200, 1)", "headers": {"X-A": "@concat('v', 1)"}, "body": "@triggerBody()"}}},
        body={"k": True})
    assert resp == {"status": 201, "headers": {"X-A": "v1"}, "body": {"k": True}, "hasBody": True}
    assert rec["actions"]["R"]["code"] == "Created"
    assert inv.response_is_async is False


async def test_response_3xx_rejected():
    resp, rec, _ = await run({"R": {"type": "Response", "inputs": {"statusCode": 302}}})
    assert resp is None and rec["actions"]["R"]["status"] == "Failed" and rec["status"] == "Failed"


async def test_second_response_conflicts_and_fails_run():
    resp, rec, _ = await run({"R1": {"type": "Response", "inputs": {"statusCode": 200, "body": "one"}},
                              "R2": {"type": "Response", "inputs": {"statusCode": 200, "body": "two"},
                                     "runAfter": {"R1": ["Succeeded"]}}})
    assert resp["body"] == "one"
    assert rec["actions"]["R2"]["status"] == "Failed" and rec["status"] == "Failed"


async def test_no_response_resolves_none():
    resp, rec, _ = await run({"A": {"type": "Compose", "inputs": 1}})
    assert resp is None and rec["status"] == "Succeeded"


async def test_response_skipped_when_client_not_waiting():
    wf = workflow({"R": {"type": "Response", "inputs": {"statusCode": 200}}})
    inv = await invoke(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock(), client_waiting=False))
    rec = await inv.done
    assert rec["actions"]["R"]["status"] == "Skipped"
    assert rec["actions"]["R"]["code"] == "ActionResponseSkipped"
    assert rec["status"] == "Succeeded"


async def test_async_response_flag_and_actions_after_response_keep_running():
    wf = workflow({"R": {"type": "Response", "operationOptions": "Asynchronous", "inputs": {"statusCode": 200}},
                   "After": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Minute"}},
                             "runAfter": {"R": ["Succeeded"]}}})
    inv = await invoke(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock()))
    assert inv.response_is_async
    assert (await inv.response)["status"] == 200
    assert (await inv.done)["actions"]["After"]["status"] == "Succeeded"


def test_build_trigger_outputs_json_text_form_binary():
    out = build_trigger_outputs({"Content-Type": "application/json"}, {"a": "1"}, b'{"x": 1}', {"id": "7"})
    assert out == {"headers": {"Content-Type": "application/json"}, "queries": {"a": "1"}, "body": {"x": 1},
                   "relativePathParameters": {"id": "7"}}
    assert build_trigger_outputs({"content-type": "text/plain"}, None, b"hi", None)["body"] == "hi"
    form = build_trigger_outputs({"Content-Type": "application/x-www-form-urlencoded"}, None,
                                 b"a=1&b=x+y&a=2", None)["body"]
    assert form["$formdata"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "x y"},
                                 {"key": "a", "value": "2"}]
    assert base64.b64decode(form["$content"]) == b"a=1&b=x+y&a=2"
    xml = build_trigger_outputs({"Content-Type": "application/xml"}, None, b"<a/>", None)["body"]
    assert xml == {"$content-type": "application/xml", "$content": base64.b64encode(b"<a/>").decode()}
    assert "body" not in build_trigger_outputs({}, None, b"", None)


def test_build_trigger_outputs_multipart_and_invalid_json():
    body = (b"--XX\r\nContent-Disposition: form-data; name=\"FirstName\"\r\n\r\nFoo\r\n"
            b"--XX\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX--\r\n")
    out = build_trigger_outputs({"Content-Type": "multipart/form-data; boundary=XX"}, None, body, None)
    parts = out["body"]["$multipart"]
    assert parts[0]["body"] == {"$content-type": "application/octet-stream", "$content": "Rm9v"}
    assert parts[0]["headers"]["Content-Length"] == "3"
    assert parts[1]["body"] == "hi"
    with pytest.raises(HostError) as caught:
        build_trigger_outputs({"Content-Type": "application/json"}, None, b"{nope", None)
    assert (caught.value.status, caught.value.code) == (400, "InvalidRequestContent")


def test_relative_path_matching():
    assert _request_trigger(relativePath="/orders/{id}/items/{n}").match("/orders/42/items/a%20b") == \
        {"id": "42", "n": "a b"}
    for template, path in (("/orders/{id}", "/other/1"), ("orders/{id}", "orders")):
        with pytest.raises(HostError) as caught:
            _request_trigger(relativePath=template).match(path)
        assert (caught.value.status, caught.value.code) == (404, "TriggerRequestPathNotValid")
    assert _request_trigger().match("/") == {}


def test_ids_have_host_format():
    from datetime import datetime, timezone

    now = datetime(2023, 7, 10, 13, 53, 4, tzinfo=timezone.utc)
    rid = new_run_id(now, "CU18")
    assert re.fullmatch(r"\d{29}CU18", rid)
    assert abs((run_id_time(rid) - now).total_seconds()) < 1
    assert version_id(now).startswith("08585")


@pytest.mark.parametrize("kind, answered_before_run_ends", [("Stateless", False), ("Stateful", True)])
def test_stateless_workflow_answers_when_the_run_ends(tmp_path, kind, answered_before_run_ends):
    """Spec §8: in a Standard stateless workflow the Response is sent only after every other action ran."""
    import asyncio
    import json

    from emulator.definitions import load_path
    from emulator.runtime.actions.registry import lookup

    folder = tmp_path / "app" / "wf"
    folder.mkdir(parents=True)
    definition = {
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
        "actions": {
            "Response": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "early"}},
            "Later": {"type": "Wait", "inputs": {"interval": {"count": 5, "unit": "Second"}},
                      "runAfter": {"Response": ["Succeeded"]}},
        }}
    (folder / "workflow.json").write_text(json.dumps({"definition": definition, "kind": kind}))
    wf = load_path(tmp_path / "app", action_types=lookup).workflows[0]

    async def scenario():
        inv = await invoke(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock()))
        # the run is now waiting (the virtual clock yields once): has the caller been answered yet?
        answered_early = inv.response.done() and not inv.done.done()
        record = await inv.done
        return answered_early, inv.response.result(), record

    answered_early, answer, record = asyncio.run(scenario())
    assert answered_early is answered_before_run_ends
    assert answer["body"] == "early"
    assert record["actions"]["Later"]["status"] == "Succeeded"
