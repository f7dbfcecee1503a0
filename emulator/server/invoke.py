"""One trigger call, in the host's order of checks (spec "Suggested order of checks").

1. api-version, workflow, trigger      400 MissingApiVersionParameter, 404 WorkflowNotFound / TriggerNotFound
2. authorization                        401 DirectApi* (or the access stream's policies)
3. workflow state                       400 WorkflowTriggerIsNotEnabled
4. method, relative path                400 TriggerRequestMethodNotValid, 404 TriggerRequestPathNotValid
5. content, schema                      413 RequestContentTooLarge, 400 InvalidRequestContent / TriggerInputSchemaMismatch
6. concurrency                          429 WorkflowRequestsThrottled
7. run (conditions -> skipped)          Response / 202 / 502 NoResponse / 504 ActionResponseTimedOut

The call comes in as a :class:`CallRequest`-like object (:mod:`emulator.server.call`: in-process, or the
aiohttp request wrapped by :mod:`emulator.server.app`) and goes out as a :class:`CallAnswer`. What is not
HTTP -- method and path checks, trigger outputs, conditions, the run, what the caller is answered -- is
:mod:`emulator.runtime.trigger`.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from ..runtime import trigger as calls
from ..runtime.clock import Clock
from ..runtime.errors import HostError
from . import auth, callers, sas
from .errors import HttpError
from .ipfilter import client_ip
from .response import NO_CACHE, CallAnswer, action_answer, error_answer, request_headers, run_headers

log = logging.getLogger("emulator.server")


def missing_api_version() -> HttpError:
    return HttpError(400, "MissingApiVersionParameter",
                     "The api-version query parameter (?api-version=) is required for all requests.")


def workflow_not_found(key: str) -> HttpError:
    return HttpError(404, "WorkflowNotFound", f"The workflow '{key}' could not be found.")


def trigger_not_found(workflow: str, trigger: str) -> HttpError:
    return HttpError(404, "TriggerNotFound", f"The trigger '{trigger}' of workflow '{workflow}' could not be found.")


def not_enabled(entry) -> HttpError:
    return HttpError(400, "WorkflowTriggerIsNotEnabled",
                     f"The workflow '{entry.name}' cannot be triggered because it is in state '{entry.state}'.")


def too_large(size: int, limit: int) -> HttpError:
    return HttpError(413, "RequestContentTooLarge",
                     f"The request content length '{size}' exceeds the maximum allowed content length of "
                     f"'{limit}' bytes.")


_CLOCK = Clock()


def now_iso() -> str:
    """The current time in the run-record form (one formatter: :mod:`emulator.runtime.clock`)."""
    return _CLOCK.stamp()


async def handle(server, call, workflow_key: str, trigger_name: str, relative: str | None,
                 version: str | None = None) -> CallAnswer:
    """Answer one call of a trigger URL, and report it to the dashboard's live feed (``server.calls``).

    ``relative`` is the raw path after ``/invoke`` (None for ``/run``). ``version`` comes from a versioned URL
    (``/workflows/{id}/versions/{version}/triggers/...``): its SAS permission names the version; the current
    definition runs (the emulator keeps no older versions). Errors before the workflow and trigger are known
    are raised (the caller answers them without x-ms-* headers); later ones are answered here with the
    workflow's headers. The checks are plain functions: the only awaits are the body, a concurrency slot
    when none is free, the run and the state's flush (each coroutine layer costs on every call).
    """
    started = time.perf_counter()
    entry = answer = None
    status, code = 500, None
    try:
        query = call.query
        if not query.get("api-version"):
            raise missing_api_version()
        if server.shared:  # keys and states as other hosts left them (Redis unreachable: 503, nothing runs)
            await server.sync_shared()
        entry = server.registry.find(workflow_key)
        if entry is None:
            raise workflow_not_found(workflow_key)
        trig = entry.trigger(trigger_name)
        if trig is None or not trig.is_request:
            raise trigger_not_found(entry.name, trigger_name)
        try:
            permission = trig.permission if version is None else sas.versioned_permission(version, trig.name)
            headers = _admitted(server, call, query, entry, permission)  # steps 2 and 3
            spec = trig.call  # step 4
            spec.check_method(call.method.upper())
            params = spec.match(relative or "")
            body = await call.read_body(server.config.limits.body_bytes)  # step 5
            outputs = spec.outputs(headers, query, body, params)
            if trig.schema is not None:
                trig.schema.check(outputs.get("body"))
            if not trig.limiter.try_acquire():  # step 6
                await trig.limiter.acquire(entry.name, trig.name)
            invocation = await start(server, entry, trig, outputs)  # step 7: the run (None: skipped)
            if invocation is None:
                answer = CallAnswer(server.config.skipped_status, {**NO_CACHE, **pre_run_headers(server, entry, trig)},
                                    skipped=True)
            else:
                headers = {} if trig.suppress_headers else run_headers(entry, invocation, server.config.location)
                expects_response = entry.has_response and not trig.split_on
                outcome = calls.answer_now(invocation, expects_response=expects_response, polling=True)
                if outcome is None:  # the run has not answered yet
                    outcome = await calls.answer(invocation, expects_response=expects_response, polling=True,
                                                 timeout=server.timeout_for(entry))
                answer = _answer(server, call, entry, invocation, headers, outcome)
            await server.state.flush()  # durable before the answer leaves: with the other calls of this turn
        except HostError as err:
            answer = error_answer(err, pre_run_headers(server, entry, trig))
        status = answer.status
        return answer
    except HostError as err:
        status, code = err.status, err.code
        raise
    finally:
        if entry is None:  # refused before the workflow was looked up (api-version): the feed names it anyway
            entry = server.registry.find(workflow_key)
        server.calls.call_finished(workflow=entry.name if entry is not None else workflow_key,
                                   trigger=trigger_name, method=call.method, status=status, started=started,
                                   code=code, run_id=answer.run_id if answer else None,
                                   invocation=answer.invocation if answer else None,
                                   body=answer.body if answer else b"")


def pre_run_headers(server, entry, trig) -> dict:
    return {} if trig.suppress_headers else request_headers(entry, server.config.location)


def _admitted(server, call, query, entry, permission: str) -> dict:
    """Steps 2 and 3 of the order of checks (caller restriction, authorization, workflow state): the request
    headers to read further (without a caller proof), or the refusal raised."""
    headers = call.headers
    if server.callers or callers.PROOF_HEADER in headers:  # a restriction set by the CLI, or a proof to drop
        denied, headers = callers.check(server, entry, headers, partial(_caller, server, call))
        if denied is not None:
            raise denied
    policy = entry.policy
    if (policy is None or policy.sas_alone) and "Authorization" not in headers:
        denied = _sas_denied(server, entry, query, permission)  # the usual call: what auth.authorize would do
    else:
        denied = auth.authorize(entry, method=call.method, headers=headers, query=query,
                                client_ip=partial(_caller, server, call),
                                sas_check=partial(_sas_denied, server, entry, query, permission),
                                keys=server.jwt_keys)
    if denied is not None:
        raise denied
    if not entry.enabled:
        raise not_enabled(entry)
    return headers


def _caller(server, call) -> str | None:
    """The client's address (worked out only for an IP allow-list)."""
    return client_ip(call.remote, call.headers, server.trusted_proxies)


def _sas_denied(server, entry, query, permission: str):
    if server.config.auth == "none":  # --auth none: SAS is off; IP and OAuth rules still apply
        return None
    return sas.check(server.keys, entry.name, entry.id, query, permission)


async def start(server, entry, trig, outputs: dict):
    """Fire ``trig`` with ``outputs`` (its concurrency slot taken) and record the run: the Invocation, or None
    when the trigger conditions skipped it (recorded as a Skipped trigger history)."""
    try:
        invocation = await calls.fire(entry.workflow, trig.name, outputs, server.options_for(entry, trig))
    except BaseException:
        trig.limiter.release()
        raise
    if invocation.skipped:
        trig.limiter.release()
        refused = calls.condition_refusal(trig.name, invocation)
        if refused is not None:  # a condition (or the correlation) that throws: no run (spec §7)
            server.record_skipped(entry, trig, {"code": refused.code, "message": refused.message})
            raise refused
        server.record_skipped(entry, trig)
        return None
    server.record_run(entry, trig, invocation)
    return invocation


def _answer(server, call, entry, invocation, headers: dict, outcome) -> CallAnswer:
    """What the caller of a started run gets, from the run's outcome (:class:`calls.Answer`)."""
    kind = outcome.kind
    if kind is calls.AnswerKind.RESPONSE:
        result = action_answer(outcome.response, headers, content_headers=call.method in _CONTENT_HEADER_METHODS)
    elif kind is calls.AnswerKind.ACCEPTED:
        result = CallAnswer(202, {**NO_CACHE, **headers})
    elif kind is calls.AnswerKind.ASYNCHRONOUS:
        op_url = server.new_operation(entry, invocation, call.base_url)
        result = CallAnswer(202, {**NO_CACHE, **headers, "Location": op_url,
                                  "Retry-After": str(server.config.retry_after)})
    else:
        result = error_answer(outcome.refusal(invocation.run_id, calls.response_action_name(entry.workflow)),
                              headers)
    result.run_id = invocation.run_id
    result.invocation = invocation
    return result


# The host keeps a Response's Content-Type/-Disposition/-Encoding for POST and PUT calls only (spec §8).
_CONTENT_HEADER_METHODS = frozenset({"POST", "PUT"})


async def poll_operation(server, call, workflow_key: str, run_id: str, op_id: str) -> CallAnswer:
    """GET on an asynchronous Response's Location: 202 until the Response executes, then its answer."""
    if not call.query.get("api-version"):
        raise missing_api_version()
    entry = server.registry.find(workflow_key)
    if entry is None:
        raise workflow_not_found(workflow_key)
    if server.config.auth != "none":
        denied = sas.check(server.keys, entry.name, entry.id, call.query, f"/runs/{run_id}/operations/{op_id}/read")
        if denied is not None:
            raise denied
    op = server.operations.get(op_id)
    if op is None or op[1].run_id != run_id:
        raise HttpError(404, "WorkflowRunOperationNotFound",
                        f"The operation '{op_id}' of workflow run '{run_id}' could not be found.")
    _, invocation, headers, location = op
    if not invocation.response.done():
        result = CallAnswer(202, {**NO_CACHE, **headers, "Location": location,
                                  "Retry-After": str(server.config.retry_after)})
    else:
        answer = calls.settled(None if invocation.response.cancelled() else invocation.response.result())
        if answer.kind is calls.AnswerKind.RESPONSE:
            result = action_answer(answer.response, headers)
        else:
            result = error_answer(answer.refusal(run_id, calls.response_action_name(entry.workflow)), headers)
    result.run_id = run_id
    result.invocation = invocation
    return result
