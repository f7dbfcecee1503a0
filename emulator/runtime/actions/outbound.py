"""What every outbound action shares: mock lookup, the call log, retry policies, HTTP-shaped outputs."""

from __future__ import annotations

from ...definitions.status import FAILED
from ...expressions.values import to_json_text
from ..clock import iso, parse_duration
from ..content import InvalidRequestContent, decode_body, is_json_type, media_type
from ..errors import ActionFailure
from ..mocks import MockAnswer
from ..run import status_code_name

RETRIABLE = {408, 429}
# The Content-Type the runtime gives an outbound body that has none (JSON values, text).
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


def set_default_header(headers: dict, name: str, value: str) -> None:
    """Add a header unless one with the same name in any case is there (header names are case-insensitive)."""
    if not any(k.lower() == name.lower() for k in headers):
        headers[name] = value


def sent_headers(headers, body) -> dict | None:
    """A connector call's headers as sent: a body without a Content-Type goes out as JSON or text."""
    if body is None:
        return headers
    out = dict(headers) if isinstance(headers, dict) else {}
    set_default_header(out, "Content-Type", TEXT_TYPE if isinstance(body, str) else JSON_TYPE)
    return out


def request_summary(step, **fields) -> dict:
    req = {"action": step.name, "type": step.action.type}
    req.update({k: v for k, v in fields.items() if v is not None})
    return req


def log_call(step, request: dict, answer: dict | None, mocked: str | None) -> None:
    entry = {"action": step.name, "type": step.action.type, "request": request, "response": answer,
             "mocked": mocked, "time": iso(step.run.clock.now())}
    if step.frame.indexes:
        entry["repetitionIndexes"] = [dict(i) for i in step.frame.indexes]
    step.run.calls.append(entry)
    step.run.mocks.record(entry)


async def apply_answer(step, answer: MockAnswer, request: dict) -> dict:
    """Turn a mocked answer into the action's outputs/status; returns the HTTP-shaped response.

    A ``delay`` waits on the run's clock first (no real time with a virtual clock)."""
    if answer.delay > 0:
        await step.run.clock.sleep(answer.delay)
    if answer.error:
        log_call(step, request, {"error": answer.error}, answer.source)
        failure = ActionFailure(answer.error.get("code", "MockError"), answer.error.get("message", ""),
                            status=answer.action_status or FAILED,
                            record_code=status_code_name(answer.status_code) if answer.status_code else
                            answer.error.get("code", "BadRequest"), outputs=answer.outputs)
        failure.retriable = bool(answer.status_code and (answer.status_code >= 500 or answer.status_code in RETRIABLE))
        raise failure
    if answer.outputs is not None and answer.status_code is None:
        log_call(step, request, {"outputs": answer.outputs}, answer.source)
        step.outputs = answer.outputs
        step.code = "OK"
        if answer.action_status:
            step.status = answer.action_status
        return {"statusCode": 200, "headers": {}, "body": answer.outputs.get("body")}
    response = {"statusCode": answer.status_code or 200, "headers": dict(answer.headers)}
    if answer.has_body:
        response["body"] = decode_answer_body(answer.body, answer.headers)
    log_call(step, request, response, answer.source)
    return response


def decode_answer_body(body, headers: dict):
    """A mocked body as the runtime decodes a real answer with its Content-Type: JSON text with a JSON type
    becomes JSON, text stays text, other types become a ``$content-type``/``$content`` envelope (a string is
    taken as the content's UTF-8 text). Without a Content-Type, or for an envelope, the body is kept."""
    content_type = next((str(v) for k, v in (headers or {}).items() if str(k).lower() == "content-type"), None)
    if not content_type or body is None or (isinstance(body, dict) and "$content" in body):
        return body
    if isinstance(body, str):
        data = body.encode("utf-8")
    elif not is_json_type(media_type(content_type)):
        return body  # a JSON value under a non-JSON type: kept as the mock wrote it
    else:
        data = to_json_text(body).encode("utf-8")
    try:
        return decode_body(data, content_type)
    except InvalidRequestContent:
        return body  # not what its type says: kept as text, as a real answer is


def set_http_outputs(step, response: dict) -> None:
    status = response.get("statusCode", 200)
    outputs = {"statusCode": status, "headers": response.get("headers") or {}}
    if "body" in response:
        outputs["body"] = response["body"]
    step.outputs = outputs
    step.code = status_code_name(status)
    if status >= 400:
        step.status = FAILED


class RetryPolicy:
    def __init__(self, kind: str, count: int, interval: float, minimum: float, maximum: float):
        self.kind, self.count, self.interval, self.minimum, self.maximum = kind, count, interval, minimum, maximum

    @classmethod
    def from_inputs(cls, raw) -> RetryPolicy:
        if not isinstance(raw, dict):
            return cls("exponential", 4, 7.5, 5.0, 45.0)
        kind = str(raw.get("type", "default")).lower()
        if kind == "none":
            return cls("none", 0, 0, 0, 0)
        count = int(raw.get("count", 4))
        interval = parse_duration(raw.get("interval")) or 7.5
        if kind == "fixed":
            return cls("fixed", count, interval, interval, interval)
        if kind == "exponential":
            return cls("exponential", count, interval, parse_duration(raw.get("minimumInterval")) or 5.0,
                       parse_duration(raw.get("maximumInterval")) or 3600.0)
        return cls("exponential", 4, 7.5, 5.0, 45.0)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based); deterministic."""
        if self.kind == "fixed":
            return self.interval
        return max(self.minimum, min(self.maximum, self.interval * (2 ** (attempt - 1))))


def should_retry(response: dict | None) -> bool:
    if response is None:
        return True
    status = response.get("statusCode", 200)
    return status in RETRIABLE or status >= 500


async def with_retries(step, policy: RetryPolicy, send) -> dict:
    """Call ``send()`` (-> HTTP-shaped dict) with the retry policy; keeps ``retryHistory``."""
    history = []
    attempt = 0
    while True:
        started = iso(step.run.clock.now())
        try:
            response = await send()
            failure = None
        except ActionFailure as exc:
            response, failure = None, exc
        retry = failure.retriable if failure is not None else should_retry(response)
        if attempt >= policy.count or not retry:
            break
        attempt += 1
        history.append({"startTime": started, "endTime": iso(step.run.clock.now()),
                        "code": status_code_name(response["statusCode"]) if response else failure.error["code"],
                        **({"error": failure.error} if failure else {})})
        await step.run.clock.sleep(policy.delay(attempt))
    if history:
        step.extra["retryHistory"] = history
    if failure is not None:
        raise failure
    return response
