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
    """:func:`answer_call`, reported to the dashboard's live feed (``server.calls``) once answered."""
    started = time.perf_counter()
    answer, status, code = None, 500, None
    try:
        answer = await answer_call(server, call, workflow_key, trigger_name, relative, version)
        status = answer.status
        return answer
    except HostError as err:
        status, code = err.status, err.code
        raise
    finally:
        entry = server.registry.find(workflow_key)
        server.calls.call_finished(workflow=entry.name if entry else workflow_key, trigger=trigger_name,
                                   method=call.method, status=status, started=started, code=code,
                                   run_id=answer.run_id if answer else None,
                                   invocation=answer.invocation if answer else None,
                                   body=answer.body if answer else b"")


async def answer_call(server, call, workflow_key: str, trigger_name: str, relative: str | None,
                      version: str | None = None) -> CallAnswer:
    """Answer one call of a trigger URL. ``relative`` is the raw path after ``/invoke`` (None for ``/run``).

    ``version`` comes from a versioned URL (``/workflows/{id}/versions/{version}/triggers/...``): its SAS
    permission names the version; the current definition runs (the emulator keeps no older versions).
    Errors before the workflow and trigger are known are raised (the caller answers them without x-ms-*
    headers); later ones are answered here with the workflow's headers.
    """
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
        outputs = await _checked(server, call, query, entry, trig, relative or "", permission)
        return await _run(server, call, entry, trig, outputs)
    except HostError as err:
        return error_answer(err, pre_run_headers(server, entry, trig))


def pre_run_headers(server, entry, trig) -> dict:
    return {} if trig.suppress_headers else request_headers(entry, server.config.location)


async def _checked(server, call, query, entry, trig, relative: str, permission: str) -> dict:
    """Steps 2 to 6 of the order of checks; the trigger outputs of an accepted call."""
    if server.config.auth == "none":
        def sas_check():  # --auth none: SAS is off; IP and OAuth rules still apply
            return None
    else:
        def sas_check():
            return sas.check(server.keys, entry.name, entry.id, query, permission)

    def caller():  # worked out only for an IP allow-list
        return client_ip(call.remote, call.headers, server.trusted_proxies)

    denied, headers = callers.check(server, entry, call.headers, caller)  # a restriction set by the CLI
    if denied is not None:
        raise denied
    denied = auth.authorize(entry, method=call.method, headers=headers, query=query,
                            client_ip=caller, sas_check=sas_check, keys=server.jwt_keys)
    if denied is not None:
        raise denied
    if not entry.enabled:
        raise not_enabled(entry)
    spec = trig.call
    spec.check_method(call.method.upper())
    params = spec.match(relative)
    body = await call.read_body(server.config.limits.body_bytes)
    outputs = spec.outputs(headers, query, body, params)
    if trig.schema is not None:
        trig.schema.check(outputs.get("body"))
    if not trig.limiter.try_acquire():
        await trig.limiter.acquire(entry.name, trig.name)
    return outputs


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


async def _run(server, call, entry, trig, outputs: dict) -> CallAnswer:
    cfg = server.config
    invocation = await start(server, entry, trig, outputs)
    if invocation is None:
        await server.state.flush()
        return CallAnswer(cfg.skipped_status, {**NO_CACHE, **pre_run_headers(server, entry, trig)}, skipped=True)
    run_id = invocation.run_id
    headers = {} if trig.suppress_headers else run_headers(entry, invocation, cfg.location)
    answer = await calls.answer(invocation, expects_response=entry.has_response and not trig.split_on,
                                polling=True, timeout=server.timeout_for(entry))
    kind = answer.kind
    if kind is calls.AnswerKind.RESPONSE:
        result = action_answer(answer.response, headers, content_headers=call.method in _CONTENT_HEADER_METHODS)
    elif kind is calls.AnswerKind.ACCEPTED:
        result = CallAnswer(202, {**NO_CACHE, **headers})
    elif kind is calls.AnswerKind.ASYNCHRONOUS:
        op_url = server.new_operation(entry, invocation, call.base_url)
        result = CallAnswer(202, {**NO_CACHE, **headers, "Location": op_url, "Retry-After": str(cfg.retry_after)})
    else:
        result = error_answer(answer.refusal(run_id, calls.response_action_name(entry.workflow)), headers)
    result.run_id = run_id
    result.invocation = invocation
    await server.state.flush()  # durable before the answer leaves: together with the other calls of this turn
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
