"""One call of a Request trigger, without HTTP: request parts in, an outcome out (spec §5 to §8).

The server (every trigger URL), the ``run`` command and the Workflow action all go through here, so they
build the same ``triggerOutputs()`` and answer the same way:

1. :class:`RequestTrigger` -- what a call needs of a loaded Request trigger, worked out once: the method
   check and the relative-path match (each refuses with the host's :class:`HostError`).
2. :meth:`RequestTrigger.outputs` -- the trigger outputs ``{headers, body?, queries, relativePathParameters?}``.
3. :func:`fire` -- the run, unless a trigger condition is false (skipped) or throws
   (:func:`condition_refusal`, a 400 InvalidTemplate).
4. :func:`answer` -- what the caller gets, as plain data: the Response action's answer, 202 Accepted,
   202 with a Location to poll (asynchronous Response), 502 NoResponse or 504 ActionResponseTimedOut.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum

from ..expressions import ExpressionError
from . import messages
from .content import CANONICAL_HEADERS, InvalidRequestContent, decode_body
from .errors import HostError
from .invocation import Invocation, RunOptions, invoke
from .paths import RelativePath
from .plan import workflow_plan

# The SAS and version parameters a Standard host keeps out of ``triggerOutputs()['queries']``.
HOST_QUERY_PARAMETERS = frozenset(("api-version", "sp", "sv", "sig"))


class RequestTrigger:
    """A Request trigger compiled for calls: method, relative path, operation options (read once at load).

    ``standard``: the workflow runs on Logic Apps Standard, where a trigger without ``method`` accepts any
    method and ``queries`` holds only the caller's own parameters (observed on a real host, docs/fidelity.md).
    """

    __slots__ = ("trigger", "name", "method", "any_method", "standard", "path", "has_path", "options",
                 "keep_authorization", "split_on")

    def __init__(self, trigger, standard: bool = False):
        self.trigger = trigger
        self.name = trigger.name
        self.standard = standard
        self.method = (trigger.method or "POST").upper()
        self.any_method = standard and not trigger.method
        self.path = RelativePath(trigger.relative_path)
        self.has_path = bool(self.path)  # a template to match (read on every call)
        self.options = frozenset(str(o).strip().lower() for o in (trigger.operation_options or ()))
        # Authorization stays in the outputs only with IncludeAuthorizationHeadersInOutputs
        self.keep_authorization = "includeauthorizationheadersinoutputs" in self.options
        self.split_on = bool(trigger.raw.get("splitOn"))

    def check_method(self, method: str) -> None:
        """400 TriggerRequestMethodNotValid unless ``method`` (upper case) is the trigger's (any on Standard
        when the trigger names none)."""
        if method != self.method and not self.any_method:
            raise HostError(400, "TriggerRequestMethodNotValid", messages.method_not_valid(self.method, method))

    def match(self, relative: str) -> dict:
        """The ``relativePathParameters`` of the raw path after ``/invoke`` ({} without a template);
        404 TriggerRequestPathNotValid when it does not fit."""
        params = self.path.match(relative) if self.has_path else ({} if not relative.strip("/") else None)
        if params is None:
            expected = f"'{self.path.template}'" if self.has_path else "no relative path"
            raise HostError(404, "TriggerRequestPathNotValid",
                            messages.path_not_valid(relative.strip("/"), self.name, expected))
        return params

    def outputs(self, headers, query, body: bytes | None, params: dict | None) -> dict:
        """The trigger outputs of a call (spec §6); 400 InvalidRequestContent when the body does not decode.

        ``headers`` and ``query``: mappings (repeated names allowed, as in a multidict); ``body``: the raw
        bytes (nothing or empty: no ``body`` output); ``params``: from :meth:`match`.
        """
        outputs = {"headers": trigger_headers(headers, drop_authorization=not self.keep_authorization)}
        if body:
            try:
                outputs["body"] = decode_body(body, outputs["headers"].get("Content-Type"))
            except InvalidRequestContent as exc:
                raise HostError(400, "InvalidRequestContent", messages.invalid_content(exc.detail)) from None
        queries = trigger_queries(query)
        if self.standard:
            queries = {k: v for k, v in queries.items() if k.lower() not in HOST_QUERY_PARAMETERS}
        if queries or not self.standard:
            outputs["queries"] = queries
        if self.has_path:
            outputs["relativePathParameters"] = params
        return outputs


def trigger_headers(raw_headers, drop_authorization: bool = False) -> dict:
    """Request headers as trigger output headers: canonical names for known ones, repeats comma-joined.

    ``drop_authorization``: leave ``Authorization`` out (a trigger without IncludeAuthorizationHeadersInOutputs).
    """
    headers: dict[str, str] = {}
    canonical = CANONICAL_HEADERS
    for name, value in raw_headers.items():
        lowered = name.lower()
        if drop_authorization and lowered == "authorization":
            continue
        key = canonical.get(lowered, name)
        if not value.isascii():
            value = valid_text(value)
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers


def valid_text(text: str) -> str:
    """``text`` with what could not be read as UTF-8 replaced by U+FFFD.

    aiohttp reads header bytes that are not UTF-8 as lone surrogates (``surrogateescape``); such a string
    cannot be written as UTF-8 (a run record, an answer, SQLite), so it is read again leniently here, once.
    """
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "replace").decode("utf-8")


def trigger_queries(query) -> dict:
    """Query parameters as strings; a repeated key's values are comma-joined (open question 6)."""
    out: dict[str, str] = {}
    for key, value in query.items():
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


# ---------------------------------------------------------------------- the run
async def fire(workflow, trigger_name: str, outputs: dict, options: RunOptions) -> Invocation:
    """Start the run (or skip it: ``invocation.skipped``); see :func:`condition_refusal` for a skip that threw.

    Raises :class:`HostError` 400 InvalidTemplate when the trigger's expressions cannot be evaluated at all.
    """
    try:
        return await invoke(workflow, trigger_name, outputs, options)
    except ExpressionError as exc:
        raise HostError(400, "InvalidTemplate", messages.trigger_evaluation_failed(trigger_name, exc.message)) \
            from None


def condition_refusal(trigger_name: str, invocation: Invocation) -> HostError | None:
    """The caller's 400 when a trigger condition (or the correlation) threw: no run, the caller learns why."""
    failed = invocation.condition_error
    if not failed:
        return None
    return HostError(400, failed.get("code") or "InvalidTemplate", messages.trigger_expressions_failed(
        trigger_name, failed.get("part") or "conditions", failed.get("message")))


# ---------------------------------------------------------------------- the caller's answer
class AnswerKind(StrEnum):
    RESPONSE = "Response"              # a Response action answered: Answer.response
    ACCEPTED = "Accepted"              # 202 at once: no Response to wait for (or splitOn)
    ASYNCHRONOUS = "Asynchronous"      # 202 with a Location the caller polls (asynchronous Response)
    NO_RESPONSE = "NoResponse"         # 502: the run ended without answering
    TIMED_OUT = "TimedOut"             # 504: no Response in time


@dataclass(slots=True)
class Answer:
    kind: AnswerKind
    response: dict | None = None  # RESPONSE: {"status", "headers", "body", "hasBody"?}

    def refusal(self, run_id: str, response_action: str) -> HostError | None:
        """502 NoResponse / 504 ActionResponseTimedOut as the host words them (None for other kinds)."""
        if self.kind is AnswerKind.NO_RESPONSE:
            return no_response(run_id)
        if self.kind is AnswerKind.TIMED_OUT:
            return HostError(504, "ActionResponseTimedOut", messages.response_timed_out(response_action))
        return None


def no_response(run_id: str) -> HostError:
    return HostError(502, "NoResponse", messages.no_response(run_id))


_ACCEPTED = Answer(AnswerKind.ACCEPTED)
_ASYNCHRONOUS = Answer(AnswerKind.ASYNCHRONOUS)
_NO_RESPONSE = Answer(AnswerKind.NO_RESPONSE)
_TIMED_OUT = Answer(AnswerKind.TIMED_OUT)


def answer_now(invocation: Invocation, *, expects_response: bool, polling: bool) -> Answer | None:
    """What :func:`answer` gives when there is nothing to wait for (a run that answered at once, no Response
    to wait for); None when the caller has to wait (``await answer(...)``). A plain function: the usual call
    needs no coroutine."""
    if not expects_response:
        return _ACCEPTED
    if polling and invocation.response_is_async:
        return _ASYNCHRONOUS
    response = invocation.response
    if not response.done():
        return None
    return settled(None if response.cancelled() else response.result())


async def answer(invocation: Invocation, *, expects_response: bool, polling: bool, timeout: float | None) -> Answer:
    """What the caller of a started run gets.

    ``expects_response``: the workflow has a Response for this caller (not for splitOn triggers);
    ``polling``: the caller can poll a Location, so an asynchronous Response answers 202 at once (an HTTP
    caller; the Workflow action waits instead); ``timeout``: seconds to wait (None: until the run ends;
    0: no timer of the caller's own, the runtime's response timeout alone ends the wait).
    """
    now = answer_now(invocation, expects_response=expects_response, polling=polling)
    if now is not None:  # nothing to wait for
        return now
    response = invocation.response
    if timeout is None:  # wait as long as the run takes
        return settled(await response)
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
        return _TIMED_OUT
    return settled(None if response.cancelled() else response.result())


def settled(result: dict | None) -> Answer:
    """The answer for what ``Invocation.response`` resolved to."""
    if result is None:
        return _NO_RESPONSE
    if result.get("timedOut"):
        return _TIMED_OUT
    return Answer(AnswerKind.RESPONSE, result)


def response_action_name(workflow) -> str:
    """The name the host gives in a 504: the workflow's first Response action."""
    return workflow_plan(workflow).response_name
