"""A run starts in the caller's step and carries on in a task only once it has to wait."""

from __future__ import annotations

import asyncio

import pytest

from emulator.runtime import RunOptions, VirtualClock, invoke
from emulator.runtime.eager import start_now

from .helpers import workflow

RESPOND = {"R": {"type": "Response", "inputs": {"statusCode": 200, "body": "@triggerBody()"}}}


async def test_a_run_that_never_waits_is_over_when_invoke_returns():
    wf = workflow(RESPOND)
    inv = await invoke(wf, None, {"headers": {}, "body": {"a": 1}}, RunOptions(clock=VirtualClock()))
    assert inv.response.done() and inv.done.done()
    assert inv.response.result()["body"] == {"a": 1}
    assert inv.done.result()["actions"]["R"]["status"] == "Succeeded"


async def test_a_run_that_waits_goes_on_in_a_task():
    wf = workflow({"W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}},
                   "R": {"type": "Response", "inputs": {"statusCode": 201}, "runAfter": {"W": ["Succeeded"]}}})
    inv = await invoke(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock()))
    assert not inv.done.done()
    record = await inv.done
    assert (await inv.response)["status"] == 201
    assert [record["actions"][n]["status"] for n in ("W", "R")] == ["Succeeded", "Succeeded"]


async def test_the_response_timeout_runs_while_the_run_waits():
    wf = workflow({"W": {"type": "Wait", "inputs": {"interval": {"count": 5, "unit": "Second"}}},
                   "R": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {"W": ["Succeeded"]}}})
    inv = await invoke(wf, None, {"headers": {}}, RunOptions(response_timeout=0.05))
    response = await asyncio.wait_for(inv.response, 2)
    assert response["timedOut"] and response["status"] == 504
    inv._task.cancel()
    await asyncio.gather(inv._task, return_exceptions=True)


async def test_start_now_forwards_results_and_cancellation():
    loop = asyncio.get_running_loop()
    gate = loop.create_future()
    seen = []

    async def body():
        seen.append("started")
        try:
            value = await gate
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        await asyncio.sleep(0)
        return value * 2

    task = start_now(body())
    assert seen == ["started"] and task is not None
    gate.set_result(21)
    assert await task == 42

    gate = loop.create_future()
    task = start_now(body())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[-1] == "cancelled"

    async def instant():
        return "done"

    assert start_now(instant()) is None


IF_THEN_RESPOND = {"Check": {"type": "If", "expression": {"and": [{"equals": ["@triggerBody()?['a']", 1]}]},
                             "actions": {"Yes": {"type": "Response", "inputs": {"statusCode": 200}}},
                             "else": {"actions": {"No": {"type": "Response", "inputs": {"statusCode": 401}}}}}}


def test_plans_know_the_branches_that_never_wait():
    from emulator.runtime.plan import workflow_plan

    plain = workflow(IF_THEN_RESPOND)
    assert workflow_plan(plain).branch(plain.actions).never_waits
    waiting = workflow({"Scope": {"type": "Scope", "actions": {
        "W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}}}}})
    assert not workflow_plan(waiting).branch(waiting.actions).never_waits
    limited = workflow({"C": {"type": "Compose", "inputs": 1, "limit": {"timeout": "PT1S"}}})
    assert not workflow_plan(limited).branch(limited.actions).never_waits
    parallel = workflow({"A": {"type": "Compose", "inputs": 1}, "B": {"type": "Compose", "inputs": 2}})
    assert not workflow_plan(parallel).branch(parallel.actions).never_waits  # not a chain: scheduled


@pytest.mark.parametrize("body, taken, skipped", [({"a": 1}, "Yes", "No"), ({"a": 2}, "No", "Yes")])
async def test_a_run_that_never_waits_runs_as_plain_calls(body, taken, skipped):
    wf = workflow(IF_THEN_RESPOND)
    inv = await invoke(wf, None, {"headers": {}, "body": body}, RunOptions(clock=VirtualClock()))
    assert inv._task is None and inv.done.done()
    actions = inv.done.result()["actions"]
    assert [actions[n]["status"] for n in ("Check", taken, skipped)] == ["Succeeded", "Succeeded", "Skipped"]
    assert actions[skipped]["error"]["code"] == "ActionBranchingConditionNotSatisfied"
    assert inv.response.result()["status"] == (200 if taken == "Yes" else 401)


async def test_an_emulator_error_in_a_plain_run_fails_the_run():
    from emulator.runtime.actions.data import Compose

    wf = workflow({"C": {"type": "Compose", "inputs": 1}})
    original = Compose.execute
    Compose.execute = staticmethod(lambda step: 1 / 0)
    try:
        inv = await invoke(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock()))
    finally:
        Compose.execute = original
    record = inv.done.result()
    assert record["status"] == "Failed"
    assert record["actions"]["C"]["error"] == {"code": "EmulatorError", "message": "ZeroDivisionError: division by zero"}
