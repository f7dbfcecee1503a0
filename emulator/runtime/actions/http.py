"""Http: a real outbound call through aiohttp, or a mocked answer (``docs/mocks.md``)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from ...expressions.values import Blob, blob_from_envelope, to_json_text, to_string
from ..content import InvalidRequestContent, decode_body
from ..errors import ActionFailure
from .outbound import (
    JSON_TYPE,
    TEXT_TYPE,
    RetryPolicy,
    apply_answer,
    log_call,
    request_summary,
    set_default_header,
    set_http_outputs,
    with_retries,
)
from .registry import Handler, action_type


def full_url(uri: str, queries) -> str:
    if not queries:
        return uri
    parts = urlsplit(uri)
    extra = urlencode({k: to_string(v) for k, v in queries.items()})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def encode_body(body, headers: dict) -> bytes | None:
    """The bytes an outbound call sends; adds the Content-Type the runtime adds to ``headers`` (in place)."""
    if body is None:
        return None
    blob = blob_from_envelope(body) if isinstance(body, dict) else None
    if isinstance(blob, Blob):
        set_default_header(headers, "Content-Type", blob.content_type)
        return blob.data
    if isinstance(body, (dict, list, bool, int, float)):
        set_default_header(headers, "Content-Type", JSON_TYPE)
        return to_json_text(body).encode()
    set_default_header(headers, "Content-Type", TEXT_TYPE)
    return to_string(body).encode()


async def real_call(step, method: str, url: str, headers: dict, data: bytes | None) -> dict:
    import aiohttp

    session = step.run.options.http
    own = session is None
    if own:
        session = aiohttp.ClientSession()
    try:
        async with session.request(method, url, headers=headers, data=data) as resp:
            raw = await resp.read()
            resp_headers = {k: v for k, v in resp.headers.items()}
            response = {"statusCode": resp.status, "headers": resp_headers}
            if raw:
                try:
                    response["body"] = decode_body(raw, resp.headers.get("Content-Type"))
                except InvalidRequestContent:
                    response["body"] = raw.decode("utf-8", errors="replace")
            return response
    except aiohttp.ClientError as exc:
        failure = ActionFailure("ServiceUnavailable", f"Http request failed: {exc}", record_code="BadGateway")
        failure.retriable = True
        raise failure from None
    finally:
        if own:
            await session.close()


@action_type("Http")
class Http(Handler):
    @staticmethod
    async def execute(step):
        inputs = step.evaluate_inputs() or {}
        if not isinstance(inputs, dict) or not inputs.get("uri"):
            raise ActionFailure("InvalidTemplate", f"Action '{step.name}' of type 'Http' needs 'method' and 'uri'.")
        method = str(inputs.get("method", "GET")).upper()
        url = full_url(str(inputs["uri"]), inputs.get("queries"))
        headers = {str(k): to_string(v) for k, v in (inputs.get("headers") or {}).items()}
        data = encode_body(inputs.get("body"), headers)  # what is sent: mocks match on it, the call log keeps it
        step.inputs = inputs
        request = request_summary(step, method=method, url=url, path=urlsplit(url).path, headers=headers,
                                  queries=inputs.get("queries"), body=inputs.get("body"))
        mocks = step.run.mocks
        policy = RetryPolicy.from_inputs(inputs.get("retryPolicy"))

        async def send() -> dict:
            answer = mocks.find(request)
            if answer is not None:
                return await apply_answer(step, answer, request)
            if mocks.http_mode != "real":
                log_call(step, request, None, None)
                raise ActionFailure("NoMockFound", f"No mock matches the Http call of action '{step.name}' "
                                    f"({method} {url}) and real calls are off (mocks 'http': '{mocks.http_mode}').",
                                    record_code="NoMockFound")
            response = await real_call(step, method, url, dict(headers), data)
            log_call(step, request, response, None)
            return response

        response = await with_retries(step, policy, send)
        if step.outputs is None:
            set_http_outputs(step, response)


@action_type("HttpWebhook")
class HttpWebhook(Handler):
    """Subscribe/wait/unsubscribe is not emulated: the callback is answered by mocks (default 200)."""

    @staticmethod
    async def execute(step):
        inputs = step.evaluate_inputs() or {}
        step.inputs = inputs
        sub = inputs.get("subscribe") if isinstance(inputs, dict) else None
        request = request_summary(step, method=(sub or {}).get("method"), url=(sub or {}).get("uri"),
                                  body=(sub or {}).get("body"))
        answer = step.run.mocks.find(request) or step.run.mocks.default_answer(request)
        response = await apply_answer(step, answer, request)
        if step.outputs is None:
            set_http_outputs(step, response)
