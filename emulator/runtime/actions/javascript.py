"""``JavaScriptCode`` (Execute JavaScript Code): the script runs on V8 (``mini-racer``).

Each execution gets a fresh V8 context (nothing leaks between actions or runs), a time limit and a heap
limit, and runs in a worker thread so a slow script never stalls the server. The script is a function
body: what it ``return``s becomes the action's ``body`` (``undefined`` -> null). It sees
``workflowContext``, the host's object: ``trigger`` (what ``trigger()`` gives) and ``actions`` (the run records:
``name``, ``inputs``, ``outputs``, ``startTime``, ``endTime``, ``status``, ``code``...), and ``workflow`` (``id``, ``name``,
``type``, ``run``). With ``explicitDependencies`` only the listed actions and those the code names are there, and
the trigger only with ``includeTrigger: true`` or when the code reads ``workflowContext.trigger`` (the
documented Example 2 lists an action and still reads the trigger); ``require()`` does not exist.

Host limits: a Standard workflow's script has at most 100,000 characters and 15 seconds, a Consumption
workflow's 1,024 characters and 5 seconds. A script that throws fails the action as the host does:
``InlineCodeScriptRuntimeFailure``, "The inline code action 'JavaScriptCode' execution failed, with error
'<what was thrown>'."; so do a syntax error, the time limit and the heap limit (with V8's text).
"""

from __future__ import annotations

import asyncio
import json

from ...definitions.status import RUNNING
from ...expressions.values import to_json_value
from .. import run as records
from ..errors import ActionFailure
from .builtin import BuiltIn
from .registry import action_type

LIMITS = {"standard": (100_000, 15.0), "consumption": (1_024, 5.0)}
HEAP_LIMIT = 512 * 1024 * 1024  # bytes of V8 heap one execution may use
_RECORD_KEYS = ("name", "inputs", "outputs", "startTime", "endTime", "trackingId", "clientTrackingId",
                "originHistoryName", "trackedProperties", "code", "status", "error")


def limits(workflow) -> tuple[int, float]:
    return LIMITS["standard" if getattr(workflow, "flavor", "") == "standard" else "consumption"]


def _record(rec: dict) -> dict:
    return {k: rec[k] for k in _RECORD_KEYS if k in rec and rec[k] is not None}


def workflow_context(step, inputs: dict) -> dict:
    """The host includes what the code refers to (it reads the script for references) plus what
    ``explicitDependencies`` lists; without that input every finished action and the trigger are there."""
    ctx = step.ctx
    deps = inputs.get("explicitDependencies")
    code = str(inputs.get("code") or "")
    names = None
    include_trigger = True
    if isinstance(deps, dict):
        listed = deps.get("actions")
        names = {str(n) for n in listed} if isinstance(listed, list) else set()
        include_trigger = deps.get("includeTrigger") is True or "workflowContext.trigger" in code
    actions = {}
    for name, rec in (ctx.actions or {}).items():
        if name == step.name or not isinstance(rec, dict):
            continue
        if names is not None and name not in names and name not in code:
            continue
        if rec.get("status") in (None, RUNNING):
            continue
        actions[name] = _record(records.public_record(rec, step.run.workflow.all_actions[name])
                                if name in step.run.workflow.all_actions else rec)
    value = {"actions": actions, "workflow": ctx.workflow or {}}
    if include_trigger:
        value["trigger"] = ctx.trigger or {}  # what trigger() gives, as the host documents it
    return to_json_value(value)


FAILURE = "InlineCodeScriptRuntimeFailure"  # the host's code for a script that throws


def failure(action_type: str, error: str) -> ActionFailure:
    """The host's failure: ``The inline code action 'JavaScriptCode' execution failed, with error '...'.``"""
    return ActionFailure(FAILURE, f"The inline code action '{action_type}' execution failed, with error '{error}'.")


def run_script(code: str, context: dict, timeout: float, heap_limit: int = HEAP_LIMIT,
               action_type: str = "JavaScriptCode"):
    """Run ``code`` as a function body with ``workflowContext``; returns its JSON result (None for undefined).

    A throw, a syntax error, the time limit or the heap limit raise ActionFailure (InlineCodeScriptRuntimeFailure);
    the error text is what was thrown (an Error's ``message``, any other value as ``String(value)``).
    """
    from py_mini_racer import (
        JSEvalException,
        JSOOMException,
        JSParseException,
        JSTimeoutException,
        MiniRacer,
    )

    setup = f"const workflowContext = JSON.parse({json.dumps(json.dumps(context))});"
    script = (f"(function () {{ try {{ return JSON.stringify({{ok: ((function () {{ {code}\n}})()) ?? null}}); }} "
              "catch (e) { return JSON.stringify({thrown: (e instanceof Error) ? String(e.message) : String(e)}); } "
              "})()")
    racer = MiniRacer()
    try:
        racer.set_hard_memory_limit(heap_limit)
        racer.eval(setup)
        result = racer.eval(script, timeout_sec=timeout)
    except JSTimeoutException:
        _settle(racer)
        raise failure(action_type, f"The script did not finish within {timeout:g} seconds.") from None
    except JSOOMException:
        raise failure(action_type, "The script ran out of memory.") from None
    except (JSParseException, JSEvalException) as exc:
        raise failure(action_type, _v8_message(exc)) from None
    finally:
        racer.close()
    outcome = json.loads(result) if isinstance(result, str) else {}
    if "thrown" in outcome:
        raise failure(action_type, outcome["thrown"])
    return outcome.get("ok")


def _settle(racer) -> None:
    """Let V8 report the cancelled script before the context closes (else its late callback is lost noisily)."""
    try:
        racer.eval("0", timeout_sec=1.0)
    except Exception:  # noqa: BLE001 - best effort: the context is closed right after
        pass


def _v8_message(exc) -> str:
    """V8's report without the echo of the wrapper: the last line that names the error, e.g. ``Error: boom``."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    named = [line for line in lines if not line.startswith("at ") and not set(line) <= {"^"}]
    return named[-1] if named else (lines[0] if lines else "unknown error")


@action_type("JavaScriptCode")
class JavaScriptCode(BuiltIn):
    @staticmethod
    async def run(step, inputs: dict) -> None:
        code = inputs.get("code")
        if not isinstance(code, str):
            raise ActionFailure("InvalidTemplate", f"The 'code' of action '{step.name}' must be a string.")
        max_chars, timeout = limits(step.run.workflow)
        if len(code) > max_chars:
            raise ActionFailure("InvalidTemplate", f"The script of action '{step.name}' has {len(code)} characters; "
                                f"the limit is {max_chars}.")
        context = workflow_context(step, inputs)
        body = await asyncio.to_thread(run_script, code, context, timeout, HEAP_LIMIT, step.action.type)
        step.outputs = {"body": body}
