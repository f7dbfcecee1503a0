"""The engine: runs a workflow's actions by ``runAfter`` in nested containers.

One :class:`Run` per trigger firing. :meth:`Run.run_branch` schedules a list of actions (the
top level, a Scope body, an If branch, one loop iteration): an action starts when every action
it runs after has finished; if a predecessor ended with a status it does not accept, it is
Skipped (``ActionConditionFailed``). Actions of a branch that is not taken, or inside a container
that was skipped, are Skipped with ``ActionBranchingConditionNotSatisfied`` /
``ActionDependencyFailed``. A container's status comes from its last actions (see
:func:`branch_status`).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from ..definitions.status import CANCELLED, FAILED, RUNNING, SKIPPED, SUCCEEDED, TIMED_OUT
from ..expressions import ExpressionError
from ..expressions.values import type_name
from . import run as records
from .clock import iso, stamper
from .context import derive
from .errors import ActionFailure, invalid_template
from .plan import BranchPlan, workflow_plan


class Frame:
    """Where actions run: the expression context and the loop iteration(s) we are in."""

    __slots__ = ("ctx", "indexes")

    def __init__(self, ctx, indexes: tuple = ()):
        self.ctx = ctx
        self.indexes = indexes   # ({"scopeName": loop, "itemIndex": i}, ...)


class Step:
    """One execution of one action: what a handler reads and fills in."""

    __slots__ = ("run", "action", "frame", "record", "inputs", "outputs", "status", "code", "error",
                 "_extra")

    def __init__(self, run, action, frame, record):
        self.run = run
        self.action = action
        self.frame = frame
        self.record = record
        self.inputs = None
        self.outputs = None
        self.status = SUCCEEDED
        self.code = action.handler.code
        self.error = None
        self._extra = None

    @property
    def extra(self) -> dict:
        """More fields for the record (``iterationCount``, ``retryHistory``), made when a handler first asks."""
        if self._extra is None:
            self._extra = {}
        return self._extra

    @property
    def ctx(self):
        return self.frame.ctx

    @property
    def name(self) -> str:
        return self.action.name

    def evaluate(self, compiled, where: str = "inputs", ctx=None):
        """Evaluate compiled inputs; an expression error fails the action as InvalidTemplate."""
        if compiled is None:
            return None
        ctx = ctx or self.frame.ctx
        ctx.action = self.record
        try:
            return compiled.evaluate(ctx)
        except ExpressionError as err:
            raise invalid_template(self.action.name, err, where) from None

    def evaluate_inputs(self):
        """The action's evaluated inputs; a type that reads named inputs gets an object (or nothing).

        Every action with inputs comes here: :meth:`evaluate` written out, to save a call.
        """
        action = self.action
        compiled = action.inputs
        if compiled is None:
            return None
        ctx = self.frame.ctx
        ctx.action = self.record
        try:
            value = compiled.evaluate(ctx)
        except ExpressionError as err:
            raise invalid_template(action.name, err, "inputs") from None
        if value is not None and not isinstance(value, dict) and action.handler.object_inputs:
            raise ActionFailure(
                "InvalidTemplate",
                f"The inputs of template action '{action.name}' of type '{action.type}' are not valid: "
                f"they must be an object; the evaluated value is of type '{type_name(value)}'.")
        return value


def branch_status(branch, done: dict, plan=None) -> str:
    """A container's status from its last actions (those nothing else in it runs after).

    A Skipped last action counts as the worst status of what it ran after, so a failure that
    no handler caught fails the container, while a ``runAfter: Failed`` handler that ran absorbs it.
    """
    actions = branch.actions
    plan = plan or BranchPlan(branch)
    if len(plan.leaves) == 1:  # the common case: one last action that ran
        rec = done.get(plan.leaves[0])
        status = rec["status"] if rec else SKIPPED
        if status != SKIPPED:
            return FAILED if status in records.FAILED_STATES else \
                CANCELLED if status == CANCELLED else SUCCEEDED
    deps_of = plan.deps
    memo: dict[str, str] = {}

    def effective(name: str) -> str:
        if name in memo:
            return memo[name]
        memo[name] = SKIPPED
        rec = done.get(name)
        status = rec["status"] if rec else SKIPPED
        if status == SKIPPED:
            deps = deps_of[name]
            status = records.worst(effective(d) for d in deps) if deps else SKIPPED
        memo[name] = status
        return status

    leaves = [effective(n) for n in plan.leaves if n in actions]
    result = records.worst(leaves)
    if result in records.FAILED_STATES:
        return FAILED
    if result == CANCELLED:
        return CANCELLED
    return SUCCEEDED


# A container's status when its one last action ran with this status (see branch_status)
_CONTAINER_STATUS = {FAILED: FAILED, TIMED_OUT: FAILED, CANCELLED: CANCELLED}


def condition_failed(action, dep: str, expected, actual: str) -> dict:
    return {"code": "ActionConditionFailed",
            "message": f"The execution of template action '{action.name}' is skipped: the 'runAfter' condition "
                       f"for action '{dep}' is not satisfied. Expected status values '{', '.join(expected)}' "
                       f"and actual value '{actual}'."}


def branch_not_taken(action) -> dict:
    return {"code": "ActionBranchingConditionNotSatisfied", "message": _not_taken_message(action.name)}


@lru_cache(maxsize=4096)
def _not_taken_message(name: str) -> str:
    """One text per action name, shared by the records of every run that skips it."""
    return f"The execution of template action '{name}' skipped: the branching condition for this action is not " \
           "satisfied."


def dependency_failed(container_name: str, status: str, code: str):
    def make(action) -> dict:
        return {"code": "ActionDependencyFailed",
                "message": f"The execution of template action '{action.name}' is skipped: dependant action "
                           f"'{container_name}' completed with status '{status}' and code '{code}'."}
    return make


async def _execute(step: Step) -> None:
    """What :meth:`Run.run_action` does with an action's handler (:meth:`Run.run_now` is the same as plain
    calls, for a handler that never waits)."""
    handler = step.action.handler
    if handler.chooses_branch:
        branch = handler.choose(step)
        handler.settle(step, SUCCEEDED if branch is None else await step.run.run_branch(branch, step.frame))
    elif handler.waits:
        await handler.execute(step)
    else:
        handler.execute(step)


def _failed(step: Step, failure: ActionFailure) -> None:
    step.status = failure.status
    step.code = failure.record_code
    step.error = failure.error
    if failure.inputs is not None:
        step.inputs = failure.inputs
    if failure.outputs is not None:
        step.outputs = failure.outputs


def _crashed(step: Step, exc: Exception) -> None:
    step.status, step.code = FAILED, "InternalServerError"
    step.error = {"code": "EmulatorError", "message": f"{type(exc).__name__}: {exc}"}


class Run:
    __slots__ = ("workflow", "plan", "trigger", "trigger_record", "ctx", "record", "actions", "options",
                 "invocation", "clock", "stamp", "mocks", "terminated", "cancelled", "timed_out", "response_sent",
                 "holds_response", "held_response", "client_timed_out", "calls", "tracking_id",
                 "client_tracking_id")

    def __init__(self, workflow, trigger, trigger_record: dict, ctx, record: dict, options, invocation,
                 plan=None):
        self.workflow = workflow
        self.plan = plan or workflow_plan(workflow)
        self.trigger = trigger
        self.trigger_record = trigger_record
        self.ctx = ctx
        self.record = record
        self.actions = record["actions"]  # the run history's records by action name
        self.options = options
        self.invocation = invocation
        self.clock = options.clock
        self.stamp = stamper(self.clock)  # the current time as run-record text
        self.mocks = options.mocks
        self.terminated: tuple[str, dict | None] | None = None
        self.cancelled = False  # set by runtime.cancel(): the run ends Cancelled, actions in progress too
        self.timed_out = False  # set past the run duration limit (limits.run_seconds): the run ends TimedOut
        self.response_sent = False
        self.holds_response = self.plan.holds_response
        self.held_response: dict | None = None
        self.client_timed_out = False
        self.calls: list[dict] = []
        self.tracking_id = invocation.tracking_id
        self.client_tracking_id = record["correlation"]["clientTrackingId"]
        ctx.result_provider = self.result_provider(ctx)

    # ------------------------------------------------------------------ records

    def store(self, action, frame, rec: dict) -> None:
        """Put a finished (or running) record where expressions and the run history find it."""
        frame.ctx.actions[action.name] = rec
        if not frame.indexes:
            self.actions[action.name] = rec if not (action.secure_inputs or action.secure_outputs) \
                else records.public_record(rec, action)
            return
        shown = records.public_record(rec, action)
        if frame.indexes:
            summary = self.actions.setdefault(action.name, {"name": action.name, "repetitions": []})
            rep = dict(shown)
            rep["repetitionIndexes"] = [dict(i) for i in frame.indexes]
            reps = summary["repetitions"]
            for i, existing in enumerate(reps):
                if existing.get("repetitionIndexes") == rep["repetitionIndexes"]:
                    reps[i] = rep
                    break
            else:
                reps.append(rep)
            summary["repetitionCount"] = len(reps)
            for key in ("status", "code", "startTime", "endTime"):
                if key in rep:
                    summary[key] = rep[key]
            if rep.get("error"):  # the summary's error goes with its status: the same repetition's, or none
                summary["error"] = rep["error"]
            else:
                summary.pop("error", None)

    def skip(self, action, frame, error: dict, code: str = "ActionSkipped") -> dict:
        now = self.stamp()
        rec = {"name": action.name, "startTime": now, "endTime": now, "status": SKIPPED, "code": code,
               "error": error, "trackingId": self.tracking_id, "clientTrackingId": self.client_tracking_id}
        self.store(action, frame, rec)
        if action.handler.is_container:
            self.skip_children(action, frame, SKIPPED, code)
        return rec

    def skip_children(self, action, frame, status: str, code: str) -> None:
        make = dependency_failed(action.name, status, code)
        for branch in action.branches.values():
            self.skip_branch(branch, frame, make)

    def skip_branch(self, branch, frame, root_error) -> None:
        """Mark every action of a branch Skipped: roots with ``root_error``, the rest by runAfter."""
        plan = self.plan.branch(branch)
        if plan.chain is not None:
            previous = None
            for action in plan.chain:
                if previous is None:
                    error = root_error(action)
                else:
                    name = previous["name"]
                    error = condition_failed(action, name, action.run_after[name], previous["status"])
                previous = self.skip(action, frame, error)
            return
        done: dict[str, dict] = {}
        pending = dict(branch.actions)
        deps_of = plan.deps
        while pending:
            progressed = False
            for name, action in list(pending.items()):
                deps = deps_of[name]
                if deps and any(d not in done for d in deps):
                    continue
                del pending[name]
                progressed = True
                error = root_error(action) if not deps else None
                if error is None:
                    dep = deps[0]
                    error = condition_failed(action, dep, action.run_after[dep], done[dep]["status"])
                done[name] = self.skip(action, frame, error)
            if not progressed:
                break

    # ------------------------------------------------------------------ scheduling

    async def run_branch(self, branch, frame) -> str:
        """Run one list of actions by runAfter; return the container status.

        The usual branch is a chain (each action runs after the one before it): it runs here, in order,
        with no scheduling; any other shape goes to :meth:`_run_graph`.
        """
        if not branch.actions:
            return SUCCEEDED
        plan = self.plan.branch(branch)
        chain = plan.chain
        if chain is None:
            return await self._run_graph(branch, plan, frame)
        if plan.never_waits:
            return self._run_chain_now(branch, plan, frame)
        previous = None
        for i, action in enumerate(chain):
            if self.terminated:
                self._skip_terminated(chain[i:], frame)
                previous = None
                break
            skipped = None if previous is None else self._not_after(action, previous, frame)
            if skipped is not None:
                previous = skipped
            elif action.handler.waits or action.limit:
                previous = await self.run_action(action, frame)
            else:
                previous = self.run_now(action, frame)
        return self._chain_status(branch, plan, previous, frame)

    def _not_after(self, action, previous: dict, frame) -> dict | None:
        """The Skipped record of a chain's ``action`` when ``previous``, the record of the action before it,
        ended with a status it does not run after (ActionConditionFailed); None when it runs."""
        status = previous["status"]
        accepted = action.run_after[previous["name"]]
        if status in accepted:
            return None
        return self.skip(action, frame, condition_failed(action, previous["name"], accepted, status))

    @staticmethod
    def _chain_status(branch, plan, last: dict | None, frame) -> str:
        """A chain's status from the record of its last action (None when the run was terminated)."""
        if last is not None:
            status = last["status"]
            if status != SKIPPED:  # the last action ran: the branch's status is its status
                return _CONTAINER_STATUS.get(status, SUCCEEDED)
        # every action of the chain has just put its record in frame.ctx.actions (run, skipped or terminated)
        return branch_status(branch, frame.ctx.actions, plan)

    def run_branch_now(self, branch, frame, plan=None) -> str:
        """:meth:`run_branch` for a branch that never waits (``BranchPlan.never_waits``, or empty); ``plan``:
        its BranchPlan when the caller has it already."""
        if not branch.actions:
            return SUCCEEDED
        return self._run_chain_now(branch, plan or self.plan.branch(branch), frame)

    def _run_chain_now(self, branch, plan, frame) -> str:
        """The chain loop of :meth:`run_branch` as plain calls: every action runs through :meth:`run_now`."""
        chain = plan.chain
        previous = None
        for i, action in enumerate(chain):
            if self.terminated:
                self._skip_terminated(chain[i:], frame)
                previous = None
                break
            skipped = None if previous is None else self._not_after(action, previous, frame)
            previous = skipped if skipped is not None else self.run_now(action, frame)
        return self._chain_status(branch, plan, previous, frame)

    async def _run_graph(self, branch, plan, frame) -> str:
        """Run a branch whose actions are not one chain: each starts when all it runs after are done."""
        actions = branch.actions
        done: dict[str, dict] = {}
        pending = dict(actions)
        deps_of = plan.deps
        running: dict[asyncio.Task, object] = {}
        while pending or running:
            if self.terminated:
                break
            progressed = False
            to_start = []
            for name, action in list(pending.items()):
                deps = deps_of[name]
                if deps and any(d not in done for d in deps):
                    continue
                del pending[name]
                progressed = True
                unmet = next((d for d in deps if done[d]["status"] not in action.run_after[d]), None)
                if unmet is not None:
                    done[name] = self.skip(action, frame, condition_failed(
                        action, unmet, action.run_after[unmet], done[unmet]["status"]))
                else:
                    to_start.append(action)
            if len(to_start) == 1 and not running:
                action = to_start[0]
                if action.handler.waits or action.limit:
                    done[action.name] = await self.run_action(action, frame)
                else:
                    done[action.name] = self.run_now(action, frame)
                continue
            for action in to_start:
                task = asyncio.ensure_future(self.run_action(action, frame))
                running[task] = action
            if not running:
                if not progressed:
                    break
                continue
            try:
                finished, _ = await asyncio.wait(running.keys(), return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                for task in running:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
                raise
            for task in finished:
                action = running.pop(task)
                done[action.name] = task.result()
        if self.terminated:
            for task in running:
                task.cancel()
            for task, action in running.items():
                try:
                    done[action.name] = await task
                except asyncio.CancelledError:
                    pass
            self._skip_terminated(pending.values(), frame, done)
        return branch_status(branch, done, plan)

    def _skip_terminated(self, actions, frame, done: dict | None = None) -> None:
        """Record the actions a terminated run never started as Skipped (code Terminated), also in ``done``."""
        for action in actions:
            now = self.stamp()
            rec = {"name": action.name, "startTime": now, "endTime": now, "status": SKIPPED,
                   "code": "Terminated"}
            self.store(action, frame, rec)
            if done is not None:
                done[action.name] = rec

    def _begin(self, action, frame, started=None) -> Step:
        """The action's Running record, stored, and the step its handler fills in."""
        rec = {"name": action.name, "startTime": self.stamp() if started is None else iso(started),
               "status": RUNNING, "trackingId": self.tracking_id, "clientTrackingId": self.client_tracking_id}
        if frame.indexes or action.secure_inputs or action.secure_outputs:
            self.store(action, frame, rec)  # stored again by finish(): a repetition, or a copy with parts secured
        else:  # the usual action: both maps hold the record itself, as it fills in
            frame.ctx.actions[action.name] = self.actions[action.name] = rec
        return Step(self, action, frame, rec)

    async def run_action(self, action, frame) -> dict:
        started = self.clock.now() if action.limit else None  # a datetime only to time a limit.timeout
        step = self._begin(action, frame, started)
        try:
            if started is not None:
                await self._execute_limited(step, started)
            else:
                await _execute(step)
        except ActionFailure as failure:
            _failed(step, failure)
        except asyncio.CancelledError:
            if self.cancelled:
                step.status, step.code, step.error = CANCELLED, "Cancelled", dict(records.ACTION_CANCELLED)
            else:
                step.status, step.code = CANCELLED, "Terminated"
                step.error = {"code": "Terminated", "message": "The action was cancelled because the run was "
                              "terminated."}
        except Exception as exc:  # noqa: BLE001 - an emulator bug must not hang the run
            _crashed(step, exc)
        self.finish(step)
        return step.record

    def run_now(self, action, frame) -> dict:
        """:meth:`run_action` as a plain call, for an action with no ``limit`` whose handler never waits, or a
        container that chooses a branch that never waits (see ``BranchPlan.never_waits``)."""
        step = self._begin(action, frame)
        handler = action.handler
        try:
            if handler.chooses_branch:
                branch = handler.choose(step)
                handler.settle(step, SUCCEEDED if branch is None else self.run_branch_now(branch, frame))
            else:
                handler.execute(step)
        except ActionFailure as failure:
            _failed(step, failure)
        except Exception as exc:  # noqa: BLE001 - an emulator bug must not hang the run
            _crashed(step, exc)
        self.finish(step)
        return step.record

    async def _execute_limited(self, step: Step, started) -> None:
        """Run an action that has a ``limit``: fail it as TimedOut past its ``limit.timeout``."""
        action = step.action
        timeout = self.plan.timeout(action)
        if timeout and not self.clock.virtual:
            try:
                await asyncio.wait_for(_execute(step), timeout)
            except asyncio.TimeoutError:
                raise ActionFailure("ActionTimedOut", f"The execution of template action '{action.name}' "
                                    f"timed out after '{action.limit.get('timeout')}'.",
                                    status=TIMED_OUT, record_code="ActionTimedOut") from None
        else:
            await _execute(step)
            if timeout and (self.clock.now() - started).total_seconds() > timeout:
                raise ActionFailure("ActionTimedOut", f"The execution of template action '{action.name}' "
                                    f"timed out after '{action.limit.get('timeout')}'.",
                                    status=TIMED_OUT, record_code="ActionTimedOut")

    def finish(self, step: Step) -> None:
        rec = step.record
        if step.inputs is not None:
            rec["inputs"] = step.inputs
        if step.outputs is not None:
            rec["outputs"] = step.outputs
        rec["endTime"] = self.stamp()
        rec["status"] = step.status
        rec["code"] = step.code
        if step.error is not None:
            rec["error"] = step.error
        if step._extra:
            rec.update(step._extra)
        action = step.action
        if action.tracked_properties is not None:
            try:
                step.frame.ctx.action = rec
                rec["trackedProperties"] = action.tracked_properties.evaluate(step.frame.ctx)
            except ExpressionError as err:
                rec["trackedProperties"] = None
                rec.setdefault("trackedPropertiesError", {"code": "InvalidTemplate", "message": err.message})
        frame = step.frame
        if frame.indexes or action.secure_inputs or action.secure_outputs:
            self.store(action, frame, rec)  # otherwise both maps hold ``rec`` itself since the action started

    # ------------------------------------------------------------------ loops, results, termination

    def iteration_frame(self, frame, loop_action, index: int, item=None, has_item=False) -> Frame:
        ctx = derive(frame.ctx, loop=loop_action.name, item=item, has_item=has_item, index=index)
        ctx.result_provider = self.result_provider(ctx)
        return Frame(ctx, frame.indexes + ({"scopeName": loop_action.name, "itemIndex": index},))

    def result_provider(self, ctx):
        def provide(name: str):
            return self.result(name, ctx)
        return provide

    def result(self, name: str, ctx) -> list:
        action = self.workflow.all_actions.get(name)
        if action is None or not action.handler.is_container:
            raise ExpressionError(
                f"The template language function 'result' expects its parameter to be the name of a scoped "
                f"action (Scope, If, Switch, Foreach, Until); '{name}' is not. Please see "
                "https://aka.ms/logicexpressions#result for usage details.")
        out = []
        for child in action.children():
            if action.handler.is_loop:
                summary = self.record["actions"].get(child.name) or {}
                reps = summary.get("repetitions")
                if reps is None and child.name in ctx.actions:
                    reps = [ctx.actions[child.name]]
                for rep in reps or []:
                    out.append(records.result_entry(rep))
            else:
                rec = ctx.actions.get(child.name)
                if rec is not None:
                    out.append(records.result_entry(records.public_record(rec, child)))
        return out

    def terminate(self, status: str, error: dict | None) -> None:
        """Stop the run: every scheduler cancels its running actions when it next wakes."""
        if self.terminated is None:
            self.terminated = (status, error)
