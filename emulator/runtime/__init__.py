"""Run workflows: ``await invoke(workflow, trigger_name, trigger_outputs, options)``.

The caller gets an :class:`Invocation` at once: ``response`` resolves when a Response action
runs (or to None when the run ends without one), ``done`` when the run ends (the run record).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ..expressions import EvalContext, ExpressionError
from . import ids
from . import run as records
from .clock import Clock, VirtualClock, iso
from .engine import Frame, Run
from .mocks import MockSet
from .trigger_outputs import build_trigger_outputs

__all__ = ["Clock", "Invocation", "MockSet", "RunOptions", "VirtualClock", "build_trigger_outputs", "invoke",
           "run_to_end"]


@dataclass
class RunOptions:
    mocks: object = None                 # MockSet | dict | path | None
    clock: object = None                 # Clock | VirtualClock | None (real time)
    http: object = None                  # aiohttp.ClientSession for real outbound calls (made when None)
    workflows: object = None             # {name: Workflow} or [Workflow] for the Workflow action
    response_timeout: float | None = 120.0
    client_waiting: bool = True          # False: a Response action is Skipped (ActionResponseSkipped)
    scale_unit: str = "CU00"
    location: str = "local"
    foreach_concurrency: int = 20        # default Foreach degree of parallelism
    rng: object = None

    def __post_init__(self):
        self.mocks = MockSet.load(self.mocks)
        if self.clock is None:
            self.clock = Clock()

    def workflow_map(self) -> dict:
        if isinstance(self.workflows, dict):
            return self.workflows
        return {wf.name: wf for wf in (self.workflows or [])}


@dataclass
class Invocation:
    skipped: bool = False
    run_id: str = ""
    response: asyncio.Future | None = None
    done: asyncio.Future | None = None
    record: dict = field(default_factory=dict)
    correlation_id: str = ""
    tracking_id: str = ""
    response_is_async: bool = False
    condition_error: dict | None = None  # a trigger condition that threw (no run)
    trigger_record: dict | None = None
    run: object = None


def _trigger_record(trigger, outputs: dict, now: str, run_id: str, tracking_id: str) -> dict:
    rec = {"name": trigger.name, "inputs": dict(trigger.inputs), "outputs": outputs, "startTime": now,
           "endTime": now, "trackingId": tracking_id, "clientTrackingId": run_id, "originHistoryName": run_id,
           "status": "Succeeded"}
    if trigger.kind:
        rec["kind"] = trigger.kind
    return rec


def _new_context(workflow, options: RunOptions, trigger_rec: dict, run_id: str) -> EvalContext:
    wf_id = f"/workflows/{workflow.workflow_id}"
    return EvalContext(
        parameters=workflow.parameters, variables={}, appsettings=workflow.app_settings, trigger=trigger_rec,
        actions={}, workflow={"id": wf_id, "name": workflow.name, "type": "Microsoft.Logic/workflows",
                              "location": options.location, "tags": {},
                              "run": {"id": f"{wf_id}/runs/{run_id}", "name": run_id,
                                      "type": "Microsoft.Logic/workflows/runs"}},
        now=options.clock.now, rng=options.rng)


def find_trigger(workflow, trigger_name: str | None):
    if trigger_name:
        for name, trig in workflow.triggers.items():
            if name.lower() == trigger_name.lower():
                return trig
        raise KeyError(f"workflow '{workflow.name}' has no trigger '{trigger_name}'")
    requests = workflow.request_triggers() or list(workflow.triggers.values())
    if not requests:
        raise KeyError(f"workflow '{workflow.name}' has no trigger")
    return requests[0]


def find_trigger_for_cli(workflow, trigger_name):
    return find_trigger(workflow, trigger_name)


async def invoke(workflow, trigger_name: str | None, trigger_outputs: dict,
                 options: RunOptions | None = None) -> Invocation:
    """Fire ``trigger_name`` with ``trigger_outputs``; start the run unless a condition is false."""
    options = options or RunOptions()
    loop = asyncio.get_running_loop()
    trigger = find_trigger(workflow, trigger_name)
    now = options.clock.now()
    run_id = ids.new_run_id(now, options.scale_unit)
    inv = Invocation(run_id=run_id, correlation_id=ids.new_correlation_id(), tracking_id=ids.new_tracking_id(),
                     response=loop.create_future(), done=loop.create_future())
    trigger_rec = _trigger_record(trigger, trigger_outputs, iso(now), run_id, inv.tracking_id)
    inv.trigger_record = trigger_rec
    ctx = _new_context(workflow, options, trigger_rec, run_id)

    for cond in trigger.conditions:
        try:
            value = cond.evaluate(ctx)
        except ExpressionError as err:
            inv.skipped = True
            inv.condition_error = {"code": "InvalidTemplate", "message": (
                f"The template language expression evaluation failed: '{err.message}'.")}
            break
        if value is not True:
            inv.skipped = True
            break
    if inv.skipped:
        trigger_rec["status"] = "Skipped"
        inv.response.set_result(None)
        inv.done.set_result(None)
        return inv

    responses = [a for a in workflow.all_actions.values() if a.type == "Response"]
    inv.response_is_async = any("asynchronous" in a.operation_options for a in responses)
    inv.record = {"name": run_id, "id": f"{ctx.workflow['id']}/runs/{run_id}", "status": "Running",
                  "startTime": iso(now), "correlation": {"clientTrackingId": run_id},
                  "trigger": trigger_rec, "actions": {}, "outputs": {}}
    run = Run(workflow, trigger, trigger_rec, ctx, inv.record, options, inv)
    inv.run = run
    task = loop.create_task(_execute(run, inv, options))
    inv.done.add_done_callback(lambda _f: None)
    inv._task = task  # keep a reference
    return inv


async def _execute(run: Run, inv: Invocation, options: RunOptions) -> None:
    timer = None
    if options.response_timeout and options.client_waiting and not options.clock.virtual and \
            any(a.type == "Response" for a in run.workflow.all_actions.values()) and not inv.response_is_async:
        timer = asyncio.get_running_loop().call_later(options.response_timeout, _response_timeout, run, inv)
    try:
        status = await run.run_branch(run.workflow.actions, Frame(run.ctx))
        error = records.ACTION_FAILED if status == "Failed" else None
        if run.terminated:
            status, error = run.terminated
            if status == "Failed" and not error:
                error = {"code": "Terminated", "message": "The run was terminated with status 'Failed'."}
            if status != "Failed":
                error = None
        _finish(run, inv, status, error)
    except Exception as exc:  # noqa: BLE001 - keep the caller from hanging on an emulator bug
        _finish(run, inv, "Failed", {"code": "EmulatorError", "message": f"{type(exc).__name__}: {exc}"})
    finally:
        if timer is not None:
            timer.cancel()


def _finish(run: Run, inv: Invocation, status: str, error) -> None:
    record = inv.record
    record["status"] = status
    record["endTime"] = iso(run.clock.now())
    if error:
        record["error"] = error
    _outputs(run, record)
    records.sort_repetitions(record["actions"])
    record["calls"] = run.calls
    if not inv.response.done():
        inv.response.set_result(None)
    if not inv.done.done():
        inv.done.set_result(record)


def _outputs(run: Run, record: dict) -> None:
    defs = run.workflow.definition.get("outputs")
    if not isinstance(defs, dict):
        return
    from ..expressions import compile_value

    for name, spec in defs.items():
        if isinstance(spec, dict) and "value" in spec:
            try:
                value = compile_value(spec["value"]).evaluate(run.ctx)
            except ExpressionError as err:
                value = {"error": {"code": "InvalidTemplate", "message": err.message}}
            record["outputs"][name] = {"type": spec.get("type"), "value": value}


def _response_timeout(run: Run, inv: Invocation) -> None:
    if not inv.response.done():
        run.client_timed_out = True
        inv.response.set_result({"status": 504, "headers": {}, "timedOut": True, "body": {"error": {
            "code": "ActionResponseTimedOut",
            "message": "The server did not receive a timely response from the workflow: the client application "
                       "timed out waiting for a response from service."}}})


async def run_to_end(workflow, trigger_name, trigger_outputs, options=None):
    """Convenience for tests and the CLI: ``(response | None, run record | None, invocation)``."""
    inv = await invoke(workflow, trigger_name, trigger_outputs, options)
    record = await inv.done
    response = inv.response.result() if inv.response.done() else None
    return response, record, inv
