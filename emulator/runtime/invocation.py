"""One run of a workflow: ``await invoke(workflow, trigger_name, trigger_outputs, options)``.

The caller gets an :class:`Invocation` at once: ``response`` resolves when a Response action
runs (or to None when the run ends without one), ``done`` when the run ends (the run record).
How a caller's request becomes ``trigger_outputs`` and what the caller is answered: :mod:`.trigger`.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from .. import limits as host_limits
from ..definitions.status import CANCELLED, FAILED, RUNNING, SKIPPED, SUCCEEDED, TIMED_OUT
from ..expressions import EvalContext, ExpressionError
from ..expressions.values import to_string
from . import ids, messages
from . import run as records
from .clock import Clock, reading
from .eager import start_now
from .engine import Frame, Run
from .mocks import MockSet
from .plan import workflow_plan

__all__ = ["Invocation", "RunOptions", "cancel", "invoke", "run_to_end"]


@dataclass
class RunOptions:
    mocks: object = None                 # MockSet | dict | path | None
    clock: object = None                 # Clock | VirtualClock | None (real time)
    http: object = None                  # aiohttp.ClientSession for real outbound calls (made when None)
    workflows: object = None             # {name: Workflow} or [Workflow] for the Workflow action
    workflow_ids: dict | None = None     # {lower-case name: id} a server serves them under (else the loader's)
    response_timeout: float | None = 120.0
    client_waiting: bool = True          # False: a Response action is Skipped (ActionResponseSkipped)
    scale_unit: str = "CU00"
    location: str = "local"
    foreach_concurrency: int = 20        # default Foreach degree of parallelism
    rng: object = None
    artifacts: object = None             # integration-account folder (Maps/, Schemas/) for Xslt, Liquid...
    limits: host_limits.Limits = host_limits.DEFAULT  # Foreach items, Until iterations, variables, run duration

    def __post_init__(self):
        self.mocks = MockSet.load(self.mocks)
        if self.clock is None:
            self.clock = Clock()

    def workflow_map(self) -> dict:
        if isinstance(self.workflows, dict):
            return self.workflows
        return {wf.name: wf for wf in (self.workflows or [])}


class Invocation:
    """What ``invoke`` hands back: ids, the ``response`` and ``done`` futures, the live run record."""

    __slots__ = ("skipped", "run_id", "response", "done", "record", "correlation_id", "tracking_id",
                 "response_is_async", "condition_error", "trigger_record", "run", "_task", "_timer")

    def __init__(self, skipped: bool = False, run_id: str = "", response: asyncio.Future | None = None,
                 done: asyncio.Future | None = None, record: dict | None = None, correlation_id: str = "",
                 tracking_id: str = "", response_is_async: bool = False, condition_error: dict | None = None,
                 trigger_record: dict | None = None, run: object = None):
        self.skipped = skipped
        self.run_id = run_id
        self.response = response
        self.done = done
        self.record = record if record is not None else {}
        self.correlation_id = correlation_id  # on the host the correlation id is the trigger's tracking id
        self.tracking_id = tracking_id
        self.response_is_async = response_is_async
        self.condition_error = condition_error  # a trigger condition (or the correlation) that threw: no run
        self.trigger_record = trigger_record
        self.run = run
        self._task = None
        self._timer = None


def _trigger_record(trigger, outputs: dict, now: str, run_id: str, tracking_id: str, standard: bool) -> dict:
    """``trigger()``: on Standard without ``kind``, and without ``inputs`` when the trigger has none (observed)."""
    rec = {"name": trigger.name}
    if trigger.inputs or not standard:
        rec["inputs"] = dict(trigger.inputs)
    rec.update({"outputs": outputs, "startTime": now, "endTime": now, "trackingId": tracking_id,
                "clientTrackingId": run_id, "originHistoryName": run_id, "status": SUCCEEDED})
    if trigger.kind and not standard:
        rec["kind"] = trigger.kind
    return rec


_RNG = random.Random()  # rand()/guid() when the caller gives no source (seeding one per run is slow)


def _new_context(workflow, options: RunOptions, trigger_rec: dict, run_id: str) -> EvalContext:
    served = options.workflow_ids
    wf_id = f"/workflows/{(served.get(workflow.name.lower()) if served else None) or workflow.workflow_id}"
    return EvalContext.for_run(
        workflow.parameters, workflow.app_settings, trigger_rec,
        {"id": wf_id, "name": workflow.name, "type": "Microsoft.Logic/workflows", "location": options.location,
         "tags": {}, "run": {"id": f"{wf_id}/runs/{run_id}", "name": run_id,
                             "type": "Microsoft.Logic/workflows/runs"}},
        options.clock.now, options.rng or _RNG)


CLIENT_TRACKING_HEADER = "x-ms-client-tracking-id"


def _client_tracking_id(trigger, ctx, outputs: dict) -> str | None:
    """The run's client tracking id: the trigger's ``correlation.clientTrackingId`` when it gives one, else
    the caller's ``x-ms-client-tracking-id`` header (a parent workflow sends its own), else None (the run id).
    """
    compiled = trigger.client_tracking_id
    if compiled is not None:
        value = compiled.evaluate(ctx)
        if value is not None and value != "":
            return value if isinstance(value, str) else to_string(value)
    headers = outputs.get("headers")
    if headers:
        for name, value in headers.items():
            if len(name) == 23 and name.lower() == CLIENT_TRACKING_HEADER and value:
                return value
    return None


def find_trigger(workflow, trigger_name: str | None, plan=None):
    plan = plan or workflow_plan(workflow)
    if trigger_name:
        found = plan.triggers.get(trigger_name.lower())
        if found is None:
            raise KeyError(f"workflow '{workflow.name}' has no trigger '{trigger_name}'")
        return found
    if plan.default_trigger is None:
        raise KeyError(f"workflow '{workflow.name}' has no trigger")
    return plan.default_trigger


async def invoke(workflow, trigger_name: str | None, trigger_outputs: dict,
                 options: RunOptions | None = None) -> Invocation:
    """Fire ``trigger_name`` with ``trigger_outputs``; start the run unless a condition is false.

    The run starts at once, in the caller's step, and goes on in a task of its own from its first real
    wait (a timer, an outbound call, parallel branches): a run that never waits is over when this returns.
    """
    options = options or RunOptions()
    loop = asyncio.get_running_loop()
    plan = workflow_plan(workflow)
    trigger = find_trigger(workflow, trigger_name, plan)
    clock = options.clock
    now_ticks, stamp = reading(clock)  # one clock reading: the run id's time and the trigger's stamp
    run_id = ids.run_id_at(now_ticks, options.scale_unit)
    tracking_id = ids.new_guid()  # a plain GUID
    trigger_rec = _trigger_record(trigger, trigger_outputs, stamp, run_id, tracking_id,
                                  workflow.flavor == "standard")
    ctx = _new_context(workflow, options, trigger_rec, run_id)

    for cond in trigger.conditions:
        try:
            value = cond.evaluate(ctx)
        except ExpressionError as err:
            return _skipped(loop, run_id, tracking_id, trigger_rec, SKIPPED, {
                "code": "InvalidTemplate", "message": messages.expression_failed(err.message)})
        if value is not True:
            return _skipped(loop, run_id, tracking_id, trigger_rec, SKIPPED, None)
    try:
        client_tracking_id = _client_tracking_id(trigger, ctx, trigger_outputs) or run_id
    except ExpressionError as err:
        return _skipped(loop, run_id, tracking_id, trigger_rec, FAILED, {
            "code": "InvalidTemplate", "part": "correlation", "message": messages.expression_failed(err.message)})
    trigger_rec["clientTrackingId"] = client_tracking_id
    record = {"name": run_id, "id": ctx.workflow["run"]["id"], "status": RUNNING,
              "startTime": stamp, "correlation": {"clientTrackingId": client_tracking_id},
              "trigger": trigger_rec, "actions": {}, "outputs": {}}
    inv = Invocation(run_id=run_id, response=loop.create_future(), done=loop.create_future(), record=record,
                     correlation_id=tracking_id, tracking_id=tracking_id, response_is_async=plan.response_is_async,
                     trigger_record=trigger_rec)
    run = inv.run = Run(workflow, trigger, trigger_rec, ctx, record, options, inv, plan)
    top = plan.branch(workflow.actions) if workflow.actions.actions else None
    if top is None or top.never_waits:  # the whole run is plain calls: no coroutine
        _run_now(run, inv, top)
        return inv
    task = start_now(_execute(run, inv, options))
    if task is not None:
        inv._task = task  # keep a reference
        if options.response_timeout and options.client_waiting and not clock.virtual and plan.has_response \
                and not plan.response_is_async and not inv.response.done():
            inv._timer = loop.call_later(options.response_timeout, _response_timeout, run, inv)
            task.add_done_callback(_cancel_timer(inv))
        if not clock.virtual:  # the run duration limit: only a run that waits can outlive it
            deadline = loop.call_later(options.limits.run_seconds, _run_timed_out, inv)
            task.add_done_callback(lambda _task: deadline.cancel())
    return inv


def _skipped(loop, run_id: str, tracking_id: str, trigger_rec: dict, status: str, error: dict | None):
    """The Invocation of a call that starts no run: a false trigger condition, or one (or the correlation)
    that threw (``condition_error``); ``response`` and ``done`` resolve to None at once."""
    trigger_rec["status"] = status
    inv = Invocation(skipped=True, run_id=run_id, response=loop.create_future(), done=loop.create_future(),
                     correlation_id=tracking_id, tracking_id=tracking_id, condition_error=error,
                     trigger_record=trigger_rec)
    inv.response.set_result(None)
    inv.done.set_result(None)
    return inv


def _run_timed_out(inv: Invocation) -> None:
    """The run went on past ``limits.run_seconds``: it ends TimedOut, as a cancelled run does otherwise."""
    run = inv.run
    if run is not None and not inv.done.done():
        run.timed_out = True
        cancel(inv)


def _cancel_timer(inv: Invocation):
    def cancel(_task) -> None:
        if inv._timer is not None:
            inv._timer.cancel()
            inv._timer = None
    return cancel


def cancel(inv: Invocation) -> bool:
    """Cancel a run that is going on (the management API's ``runs/{run}/cancel``).

    Actions in progress end Cancelled, those not started Skipped, and the run Cancelled with the host's
    code and message. False when the run is over (or never waited, so it had no task to cancel).
    """
    run, task = inv.run, inv._task
    if run is None or task is None or task.done() or inv.done.done():
        return False
    run.cancelled = True
    run.terminate(CANCELLED, None)
    task.cancel()
    return True


async def _execute(run: Run, inv: Invocation, options: RunOptions) -> None:
    try:
        _end(run, inv, await run.run_branch(run.workflow.actions, Frame(run.ctx)))
    except asyncio.CancelledError:
        if not run.cancelled:
            raise
        _finish(run, inv, *_cancelled(run))
    except Exception as exc:  # noqa: BLE001 - keep the caller from hanging on an emulator bug
        _emulator_error(run, inv, exc)


def _run_now(run: Run, inv: Invocation, top) -> None:
    """:func:`_execute` for a run none of whose actions can wait (``BranchPlan.never_waits``): plain calls.
    ``top``: the BranchPlan of the workflow's actions (None when it has none)."""
    try:
        _end(run, inv, run.run_branch_now(run.workflow.actions, Frame(run.ctx), top))
    except Exception as exc:  # noqa: BLE001 - keep the caller from hanging on an emulator bug
        _emulator_error(run, inv, exc)


def _end(run: Run, inv: Invocation, status: str) -> None:
    """Finish the run whose top-level actions ended with ``status`` (termination and cancellation first)."""
    error = records.ACTION_FAILED if status == FAILED else None
    if run.terminated:
        inv.record["code"] = "Terminated"  # whatever status the Terminate action gave
        status, error = run.terminated
        if status == FAILED and not error:
            error = {"code": "Terminated", "message": messages.TERMINATED_FAILED}
        if status != FAILED:
            error = None
    if run.cancelled:
        status, error = _cancelled(run)
    _finish(run, inv, status, error)


def _emulator_error(run: Run, inv: Invocation, exc: Exception) -> None:
    _finish(run, inv, FAILED, {"code": "EmulatorError", "message": f"{type(exc).__name__}: {exc}"})


def _cancelled(run: Run) -> tuple[str, dict]:
    """How a cancelled run ends: TimedOut past the run duration limit, else Cancelled."""
    if run.timed_out:
        return TIMED_OUT, {"code": "RunTimedOut", "message": messages.run_timed_out(run.options.limits.run_seconds)}
    return CANCELLED, dict(records.RUN_CANCELLED)


def _finish(run: Run, inv: Invocation, status: str, error) -> None:
    record = inv.record
    record["status"] = status
    record["endTime"] = run.stamp()
    if error:
        record["error"] = error
    plan = run.plan
    if plan.outputs:
        _outputs(run, record, plan.outputs)
    if plan.has_loops:
        records.sort_repetitions(record["actions"])
    record["calls"] = run.calls
    # Break the reference cycles of a run (context <-> result() provider <-> run <-> invocation): what is left
    # is freed at once by reference counting instead of piling up for the cyclic garbage collector.
    run.ctx.result_provider = None
    inv.run = None
    if not inv.response.done():
        inv.response.set_result(run.held_response)
    if not inv.done.done():
        inv.done.set_result(record)


def _outputs(run: Run, record: dict, outputs: list) -> None:
    for name, kind, compiled in outputs:
        try:
            value = compiled.evaluate(run.ctx)
        except ExpressionError as err:
            value = {"error": {"code": "InvalidTemplate", "message": err.message}}
        record["outputs"][name] = {"type": kind, "value": value}


def _response_timeout(run: Run, inv: Invocation) -> None:
    inv._timer = None
    if not inv.response.done():
        run.client_timed_out = True
        inv.response.set_result(RESPONSE_TIMED_OUT)


# What ``Invocation.response`` resolves to when the caller's wait for a Response ran out (the caller answers
# 504 ActionResponseTimedOut, see :func:`emulator.runtime.trigger.answer`).
RESPONSE_TIMED_OUT = {"status": 504, "headers": {}, "timedOut": True}


async def run_to_end(workflow, trigger_name, trigger_outputs, options=None):
    """Run to the end (tests, benchmarks): ``(response | None, run record | None, invocation)``.

    A caller that is answered as over HTTP goes through :mod:`emulator.runtime.trigger` instead."""
    inv = await invoke(workflow, trigger_name, trigger_outputs, options)
    record = await inv.done
    response = inv.response.result() if inv.response.done() else None
    return response, record, inv
