"""``JavaScriptCode`` (Execute JavaScript Code): the script runs on V8 (``mini-racer``).

Each execution gets a fresh V8 context (nothing leaks between actions or runs), a time limit and a heap
limit, and runs in a worker thread so a slow script never stalls the server. The script is a function
body: what it ``return``s becomes the action's ``body`` (``undefined`` -> null). It sees
``workflowContext``, the host's object: ``workflow`` (``id``, ``name``, ``type``, ``run``), and, as the host
works them out from the code (:func:`dependencies`), ``trigger`` (what ``trigger()`` gives) when the code reads
``workflowContext.trigger`` and the ``actions`` it names (run records: ``name``, ``inputs``, ``outputs``,
``startTime``, ``endTime``, ``status``, ``code``...), plus what ``explicitDependencies`` lists
(``actions``, ``includeTrigger``); ``require()`` does not exist.

Host limits: a Standard workflow's script has at most 100,000 characters and 15 seconds, a Consumption
workflow's 1,024 characters and 5 seconds. A script that throws fails the action as the host does:
``InlineCodeScriptRuntimeFailure``, "The inline code action 'JavaScriptCode' execution failed, with error
'<what was thrown>'."; a syntax error with ``InlineCodeParsingFailure``, the time limit with
``InlineCodeExecutionTimeout`` (the host's codes; the same sentence, with V8's text), the heap limit as a throw.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading

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


_NAME = r"[A-Za-z_$][\w$]*"
_CONTEXT_ALIAS = re.compile(rf"\b(?:var|let|const)\s+({_NAME})\s*=\s*workflowContext\s*(?:;|$)", re.M)
_ACTIONS_ALIAS = re.compile(rf"\b(?:var|let|const)\s+({_NAME})\s*=\s*workflowContext\s*\.\s*actions\s*(?:;|$)",
                            re.M)
_TRIGGER = re.compile(r"\bworkflowContext\s*\.\s*trigger\b")


def dependencies(code: str) -> tuple[set[str], bool]:
    """The actions and whether the trigger the code refers to, as the host works them out before it runs the
    script: ``workflowContext.actions.<name>`` (also through ``var a = workflowContext.actions`` or
    ``var c = workflowContext``) and ``workflowContext.trigger``. Bracket access (``actions["my.action"]``) is
    not seen, which is why the host documents ``explicitDependencies`` for such names."""
    names = set()
    for base in ["workflowContext", *_CONTEXT_ALIAS.findall(code)]:
        names.update(re.findall(rf"\b{re.escape(base)}\s*\.\s*actions\s*\.\s*({_NAME})", code))
    for alias in _ACTIONS_ALIAS.findall(code):
        names.update(re.findall(rf"\b{re.escape(alias)}\s*\.\s*({_NAME})", code))
    return names, _TRIGGER.search(code) is not None


def workflow_context(step, inputs: dict) -> dict:
    """``workflowContext`` as the host builds it: the actions and the trigger the code refers to
    (:func:`dependencies`) plus those ``explicitDependencies`` names; ``workflow`` always."""
    ctx = step.ctx
    names, include_trigger = dependencies(str(inputs.get("code") or ""))
    deps = inputs.get("explicitDependencies")
    if isinstance(deps, dict):
        listed = deps.get("actions")
        if isinstance(listed, list):
            names.update(str(n) for n in listed)
        include_trigger = include_trigger or deps.get("includeTrigger") is True
    actions = {}
    for name, rec in (ctx.actions or {}).items():
        if name == step.name or not isinstance(rec, dict) or name not in names:
            continue
        if rec.get("status") in (None, RUNNING):
            continue
        actions[name] = _record(records.public_record(rec, step.run.workflow.all_actions[name])
                                if name in step.run.workflow.all_actions else rec)
    value = {"actions": actions, "workflow": ctx.workflow or {}}
    if include_trigger:
        value["trigger"] = ctx.trigger or {}  # what trigger() gives, as the host documents it
    return to_json_value(value)


# the host's inline-code error codes (its Node runner's ErrorCode table)
FAILURE = "InlineCodeScriptRuntimeFailure"  # the script threw
PARSING_FAILURE = "InlineCodeParsingFailure"  # the script does not parse (found while reading its dependencies)
TIMEOUT = "InlineCodeExecutionTimeout"  # the script ran past the time limit


def failure(action_type: str, error: str, code: str = FAILURE) -> ActionFailure:
    """The host's failure: ``The inline code action 'JavaScriptCode' execution failed, with error '...'.``"""
    return ActionFailure(code, f"The inline code action '{action_type}' execution failed, with error '{error}'.")


# mini-racer crashes the process (a V8 trap) when two threads create or close contexts at once: each
# execution's context is made and closed under this lock; the scripts themselves still run side by side.
_V8_LIFECYCLE = threading.Lock()


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
    with _V8_LIFECYCLE:
        racer = MiniRacer()
        racer.set_hard_memory_limit(heap_limit)
    try:
        racer.eval(setup)
        result = racer.eval(script, timeout_sec=timeout)
    except JSTimeoutException:
        _settle(racer)
        raise failure(action_type, f"The script did not finish within {timeout:g} seconds.", TIMEOUT) from None
    except JSOOMException:
        raise failure(action_type, "The script ran out of memory.") from None
    except JSParseException as exc:
        raise failure(action_type, _v8_message(exc), PARSING_FAILURE) from None
    except JSEvalException as exc:
        raise failure(action_type, _v8_message(exc), _code_of(exc)) from None
    finally:
        with _V8_LIFECYCLE:
            racer.close()
    outcome = json.loads(result) if isinstance(result, str) else {}
    if "thrown" in outcome:
        raise failure(action_type, outcome["thrown"])
    return outcome.get("ok")


def _code_of(exc) -> str:
    """A SyntaxError V8 reports while evaluating the wrapped script is the host's parsing failure."""
    return PARSING_FAILURE if "SyntaxError" in str(exc) else FAILURE


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
