"""One trigger call, in the host's order of checks (spec "Suggested order of checks").

1. api-version, workflow, trigger      400 MissingApiVersionParameter, 404 WorkflowNotFound / TriggerNotFound
2. authorization                        401 DirectApi* (or the access stream's policies)
3. workflow state                       400 WorkflowTriggerIsNotEnabled
4. method, relative path                400 TriggerRequestMethodNotValid, 404 TriggerRequestPathNotValid
5. content, schema                      413 RequestContentTooLarge, 400 InvalidRequestContent / TriggerInputSchemaMismatch
6. concurrency                          429 WorkflowRequestsThrottled
7. run (conditions -> skipped)          Response / 202 / 502 NoResponse / 504 ActionResponseTimedOut
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from ..expressions import ExpressionError
from ..runtime.clock import Clock
from . import auth, content, sas
from .errors import HttpError
from .ipfilter import client_ip
from .keys import RUN_ID, X_HEADERS
from .response import NO_CACHE, action_response, error_response, request_headers, run_headers

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


_CLOCK = Clock()


def now_iso() -> str:
    """The current time in the run-record form (one formatter: :mod:`emulator.runtime.clock`)."""
    return _CLOCK.stamp()


def base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def handle(server, request: web.Request, workflow_key: str, trigger_name: str, relative: str | None,
                 version: str | None = None):
    """Answer one call of a trigger URL. ``relative`` is the raw path after ``/invoke`` (None for ``/run``).

    ``version`` comes from a versioned URL (``/workflows/{id}/versions/{version}/triggers/...``): its SAS
    permission names the version; the current definition runs (the emulator keeps no older versions).
    """
    query = request.query
    if not query.get("api-version"):
        raise missing_api_version()
    entry = server.registry.find(workflow_key)
    if entry is None:
        raise workflow_not_found(workflow_key)
    trig = entry.trigger(trigger_name)
    if trig is None or not trig.is_request:
        raise trigger_not_found(entry.name, trigger_name)
    try:
        permission = trig.permission if version is None else sas.versioned_permission(version, trig.name)
        outputs = await _checked(server, request, query, entry, trig, relative or "", permission)
        return await _run(server, request, entry, trig, outputs)
    except HttpError as err:
        headers = request.get(X_HEADERS)
        if headers is None:
            headers = pre_run_headers(server, entry, trig)
        return error_response(err, headers)


def pre_run_headers(server, entry, trig) -> dict:
    return {} if trig.suppress_headers else request_headers(entry, server.config.location)


async def _checked(server, request, query, entry, trig, relative: str, permission: str) -> dict:
    """Steps 2 to 6 of the order of checks; the trigger outputs of an accepted call."""
    if server.config.auth == "none":
        def sas_check():  # --auth none: SAS is off; IP and OAuth rules still apply
            return None
    else:
        def sas_check():
            return sas.check(server.keys, entry.name, entry.id, query, permission)

    def caller():  # worked out only for an IP allow-list
        return client_ip(request.remote, request.headers, server.trusted_proxies)

    denied = auth.authorize(entry, method=request.method, headers=request.headers, query=query,
                            client_ip=caller, sas_check=sas_check, keys=server.jwt_keys)
    if denied is not None:
        raise denied
    if not entry.enabled:
        raise not_enabled(entry)
    method = request.method.upper()
    if method != trig.method:
        raise HttpError(400, "TriggerRequestMethodNotValid",
                        f"The HTTP method for this request is not valid: expected '{trig.method}' and actual "
                        f"'{method}'.")
    params = trig.path.match(relative) if trig.path else ({} if not relative.strip("/") else None)
    if params is None:
        expected = f"'{trig.path.template}'" if trig.path else "no relative path"
        raise HttpError(404, "TriggerRequestPathNotValid",
                        f"The request path '{relative.strip('/')}' does not match the relative path of trigger "
                        f"'{trig.name}': expected {expected}.")
    outputs = {"headers": content.trigger_headers(request.headers, drop_authorization=not trig.keep_authorization)}
    if request.body_exists:
        data = await _read_body(request, server.config.body_limit)
        if data:
            outputs["body"] = content.decode_body(data, request.headers.get("Content-Type"))
    outputs["queries"] = content.trigger_queries(query)
    if trig.path:
        outputs["relativePathParameters"] = params
    if trig.schema is not None:
        trig.schema.check(outputs.get("body"))
    if not trig.limiter.try_acquire():
        await trig.limiter.acquire(entry.name, trig.name)
    return outputs


async def _read_body(request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise too_large(request.content_length, limit)
    data = bytearray()
    async for chunk in request.content.iter_any():
        data.extend(chunk)
        if len(data) > limit:
            raise too_large(len(data), limit)
    return bytes(data)


def too_large(size: int, limit: int) -> HttpError:
    return HttpError(413, "RequestContentTooLarge",
                     f"The request content length '{size}' exceeds the maximum allowed content length of "
                     f"'{limit}' bytes.")


async def _run(server, request, entry, trig, outputs: dict):
    cfg = server.config
    options = server.options_for(entry, trig)
    try:
        invocation = await server.runtime.invoke(entry.workflow, trig.name, outputs, options)
    except ExpressionError as exc:
        trig.limiter.release()
        raise HttpError(400, "InvalidTemplate",
                        f"Unable to process template language expressions in trigger '{trig.name}' conditions: "
                        f"evaluation failed: '{exc.message}'.") from None
    except BaseException:
        trig.limiter.release()
        raise
    if invocation.skipped:
        trig.limiter.release()
        failed = getattr(invocation, "condition_error", None)
        if failed:  # a condition (or the correlation) that throws: no run, the caller learns why (spec §7)
            raise HttpError(400, failed.get("code") or "InvalidTemplate",
                            f"Unable to process template language expressions in trigger '{trig.name}' "
                            f"{failed.get('part') or 'conditions'}: {failed.get('message')}")
        server.record_skipped(entry, trig)
        request[RUN_ID] = None
        return web.Response(status=cfg.skipped_status, headers={**NO_CACHE, **pre_run_headers(server, entry, trig)})
    request[RUN_ID] = invocation.run_id
    server.record_run(entry, trig, invocation)
    headers = {} if trig.suppress_headers else run_headers(entry, invocation, cfg.location)
    request[X_HEADERS] = headers
    if not entry.has_response or trig.split_on:
        return web.Response(status=202, headers={**NO_CACHE, **headers})
    if getattr(invocation, "response_is_async", False):
        op_url = server.new_operation(entry, invocation, base_url(request))
        return web.Response(status=202, headers={**NO_CACHE, **headers, "Location": op_url,
                                                 "Retry-After": str(cfg.retry_after)})
    return await answer(server, entry, invocation, headers, server.timeout_for(entry),
                        content_headers=request.method in _CONTENT_HEADER_METHODS)


# The host keeps a Response's Content-Type/-Disposition/-Encoding for POST and PUT calls only (spec §8).
_CONTENT_HEADER_METHODS = frozenset({"POST", "PUT"})


async def answer(server, entry, invocation, headers: dict, timeout: float | None, content_headers: bool = True):
    response = invocation.response
    if not response.done():
        # The runtime times the Response out itself (it fails the action); the timer here is a safety net.
        # (A relay future and call_later cost less than asyncio.wait_for's task on every request.)
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()

        def relay(_=None):
            if not waiter.done():
                waiter.set_result(None)

        response.add_done_callback(relay)
        timer = loop.call_later(timeout + 0.5, relay) if timeout else None
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()
            response.remove_done_callback(relay)
    if not response.done():
        result = {"timedOut": True}
    else:
        result = None if response.cancelled() else response.result()
    if result is None:
        return no_response(invocation, headers)
    if isinstance(result, dict) and result.get("timedOut"):
        return error_response(HttpError(
            504, "ActionResponseTimedOut",
            f"The execution of template action '{entry_response_name(entry)}' is failed: the client application "
            "timed out waiting for a response from service. This means that workflow took longer to respond than "
            "the alloted timeout value. The connection maintained between the client application and service will "
            "be closed and client application will get an HTTP status code 504 Gateway Timeout."), headers)
    return action_response(result, headers, content_headers)


def no_response(invocation, headers: dict) -> web.Response:
    return error_response(HttpError(
        502, "NoResponse",
        f"The server did not receive a response from an upstream server. Request tracking id '{invocation.run_id}'."),
        headers)


def entry_response_name(entry) -> str:
    def walk(actions):
        for name, action in (actions or {}).items():
            if not isinstance(action, dict):
                continue
            if str(action.get("type", "")).lower() == "response":
                return name
            for key in ("actions", "else", "default"):
                inner = action.get(key)
                if isinstance(inner, dict):
                    found = walk(inner.get("actions", inner) if key != "actions" else inner)
                    if found:
                        return found
            for case in (action.get("cases") or {}).values():
                found = walk((case or {}).get("actions"))
                if found:
                    return found
        return None

    definition = getattr(entry.workflow, "definition", None) or {}
    return walk(definition.get("actions")) or "Response"


async def poll_operation(server, request: web.Request, workflow_key: str, run_id: str, op_id: str):
    """GET on an asynchronous Response's Location: 202 until the Response executes, then its answer."""
    if not request.query.get("api-version"):
        raise missing_api_version()
    entry = server.registry.find(workflow_key)
    if entry is None:
        raise workflow_not_found(workflow_key)
    if server.config.auth != "none":
        denied = sas.check(server.keys, entry.name, entry.id, request.query, f"/runs/{run_id}/operations/{op_id}/read")
        if denied is not None:
            raise denied
    op = server.operations.get(op_id)
    if op is None or op[1].run_id != run_id:
        raise HttpError(404, "WorkflowRunOperationNotFound",
                        f"The operation '{op_id}' of workflow run '{run_id}' could not be found.")
    _, invocation, headers, location = op
    request[RUN_ID] = run_id
    if not invocation.response.done():
        return web.Response(status=202, headers={**NO_CACHE, **headers, "Location": location,
                                                 "Retry-After": str(server.config.retry_after)})
    result = invocation.response.result() if not invocation.response.cancelled() else None
    if result is None:
        return no_response(invocation, headers)
    return action_response(result, headers)

