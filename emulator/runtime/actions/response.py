"""Response: answer the caller of a Request trigger (spec §8)."""

from __future__ import annotations

import re

from ...definitions.status import SKIPPED
from ...expressions.values import to_string
from .. import messages
from ..errors import ActionFailure
from ..run import status_code_name
from .registry import Handler, action_type


def _status_code(name: str, value) -> int:
    if value.__class__ is int and (200 <= value < 300 or 400 <= value <= 599):  # the usual code, checked once
        return value
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not (200 <= value <= 599) or 300 <= value < 400:
        raise ActionFailure("InvalidTemplate", f"The 'statusCode' of action '{name}' must be an integer between "
                            f"200 and 599 excluding 3xx; the provided value is '{to_string(value)}'.")
    return value


# What HTTP allows in a header (RFC 9110 §5.1, §5.5): a name is a token; a value has no control character but
# tab. A line break in a value built from request data would let a caller add headers of its own.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _check_headers(name: str, headers: dict, recorded: dict) -> None:
    """A header HTTP cannot carry fails the Response (docs/limits.md): never sent, never half-sent."""
    for key, value in headers.items():
        if _TOKEN.fullmatch(key) is None or _CONTROL.search(value) is not None:
            what = "name" if _TOKEN.fullmatch(key) is None else "value"
            raise ActionFailure("InvalidResponseHeader", f"The execution of template action '{name}' failed: the "
                                f"{what} of the response header {key!r} holds a character that HTTP does not "
                                f"allow there (a line break or another control character).", inputs=recorded)


@action_type("Response")
class Response(Handler):
    @staticmethod
    def execute(step):
        run, name = step.run, step.action.name
        inputs = step.evaluate_inputs() or {}  # an object or nothing (Response.object_inputs)
        status = _status_code(name, inputs.get("statusCode", 200))
        headers = inputs.get("headers") or {}
        if headers:
            if not isinstance(headers, dict):
                raise ActionFailure("InvalidTemplate", f"The 'headers' of action '{name}' must be an object.")
            headers = {str(k): to_string(v) for k, v in headers.items()}
            recorded = {"statusCode": status, "headers": headers}
            _check_headers(name, headers, recorded)
        else:
            recorded = {"statusCode": status}
        has_body = "body" in inputs
        if has_body:
            recorded["body"] = inputs["body"]
        step.inputs = recorded
        step.code = status_code_name(status)
        if not run.options.client_waiting:
            raise ActionFailure("ActionResponseSkipped", f"The execution of template action '{name}' is skipped: "
                                "the client application is not waiting for a response from service.",
                                status=SKIPPED, record_code="ActionResponseSkipped", inputs=recorded)
        if run.client_timed_out:
            raise ActionFailure("ActionResponseTimedOut", messages.response_action_timed_out(name),
                                record_code="ActionResponseTimedOut", inputs=recorded)
        response = run.invocation.response
        if run.response_sent or response.done():
            raise ActionFailure("ActionResponseConflict", f"The execution of template action '{name}' failed: "
                                "the response for this request has already been sent (conflict).",
                                record_code="Conflict", inputs=recorded)
        run.response_sent = True
        step.outputs = dict(recorded)
        answer = {"status": status, "headers": headers, "body": inputs.get("body"), "hasBody": has_body}
        if run.holds_response:
            run.held_response = answer  # Standard stateless: the caller gets it when the run ends (spec §8)
        else:
            response.set_result(answer)
