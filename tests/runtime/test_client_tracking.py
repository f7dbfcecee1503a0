"""The run's client tracking id: trigger ``correlation.clientTrackingId``, the caller's header, or the run id."""

from __future__ import annotations

from emulator.definitions import load_definition
from emulator.runtime.actions.registry import lookup
from tests.runtime.helpers import run, workflow

ECHO = {"R": {"type": "Response", "inputs": {"statusCode": 200, "body": "@trigger().clientTrackingId"}}}


def _with_correlation(expression: str) -> dict:
    return {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}},
                       "correlation": {"clientTrackingId": expression}}}


async def test_the_run_id_by_default():
    resp, rec, inv = await run(ECHO)
    assert resp["body"] == inv.run_id
    assert rec["correlation"] == {"clientTrackingId": inv.run_id}
    assert rec["actions"]["R"]["clientTrackingId"] == inv.run_id


async def test_the_callers_header():
    resp, rec, inv = await run(ECHO, headers={"X-MS-Client-Tracking-Id": "order-42"})
    assert resp["body"] == "order-42"
    assert rec["correlation"]["clientTrackingId"] == "order-42"
    assert rec["trigger"]["clientTrackingId"] == "order-42"
    assert rec["actions"]["R"]["clientTrackingId"] == "order-42"
    assert rec["name"] == inv.run_id  # the run keeps its own id


async def test_the_trigger_setting_wins_over_the_header():
    wf = workflow(ECHO, triggers=_with_correlation("@concat('po-', triggerBody()?['id'])"))
    resp, rec, _ = await run(wf, body={"id": 7}, headers={"x-ms-client-tracking-id": "from-header"})
    assert resp["body"] == "po-7"
    assert rec["correlation"]["clientTrackingId"] == "po-7"


async def test_an_empty_setting_falls_back_to_the_header_then_the_run_id():
    wf = workflow(ECHO, triggers=_with_correlation("@triggerBody()?['missing']"))
    resp, _, _ = await run(wf, body={}, headers={"x-ms-client-tracking-id": "from-header"})
    assert resp["body"] == "from-header"
    resp, _, inv = await run(wf, body={})
    assert resp["body"] == inv.run_id


async def test_a_setting_that_throws_starts_no_run():
    wf = workflow(ECHO, triggers=_with_correlation("@triggerBody()['id']"))
    _, rec, inv = await run(wf, body={})
    assert inv.skipped and rec is None
    assert inv.condition_error["part"] == "correlation"
    assert "'id'" in inv.condition_error["message"]


def test_the_setting_is_compiled_at_load():
    definition = {"triggers": _with_correlation("@concat('a'"), "actions": {}}
    _, problems = load_definition(definition, "wf", action_types=lookup)
    errors = [p for p in problems if p.severity == "error"]
    assert [p.json_path for p in errors] == ["$.triggers.manual.correlation.clientTrackingId"]
    assert errors[0].column


async def test_a_child_workflow_shares_the_callers_id():
    child = workflow(ECHO, name="child")
    parent = workflow({"Call": {"type": "Workflow", "inputs": {
        "host": {"triggerName": "manual", "workflow": {"id": "/workflows/child"}}}},
        "R": {"type": "Response", "runAfter": {"Call": ["Succeeded"]},
              "inputs": {"statusCode": 200, "body": "@body('Call')"}}}, name="parent")
    resp, _, inv = await run(parent, workflows=[parent, child])
    assert resp["body"] == inv.run_id
    resp, _, _ = await run(parent, workflows=[parent, child], headers={"x-ms-client-tracking-id": "chain-1"})
    assert resp["body"] == "chain-1"
