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
