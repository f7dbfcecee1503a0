"""What the caller receives: error bodies, the Response action's answer, and the x-ms-* headers (spec §8, §12).

Answers are plain :class:`CallAnswer` values (status, headers, bytes); :func:`to_web` makes the aiohttp
response of one, so an in-process call (:mod:`emulator.server.call`) gets exactly what a socket would.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from aiohttp import web

from ..expressions.values import Blob, to_json_text
from ..runtime.errors import HostError
from ..runtime.invocation import Invocation
from . import ids

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

NO_CACHE = {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1"}

_RATE_LIMITS = {
    "x-ms-ratelimit-burst-remaining-workflow-writes": "2999",
    "x-ms-ratelimit-remaining-workflow-download-contentsize": "214748364",
    "x-ms-ratelimit-remaining-workflow-upload-contentsize": "214748364",
    "x-ms-ratelimit-time-remaining-directapirequests": "19999999",
}

# Headers the host silently drops from a Response action's headers (spec §8).
_DROPPED = {"allow", "cookie", "expires", "last-modified", "set-cookie", "transfer-encoding"}
_CONTENT_KEPT = {"content-disposition", "content-encoding", "content-type"}


@dataclass(slots=True)
class CallAnswer:
    """One answer to a trigger call, as the caller receives it (``Content-Length``, ``Date`` and ``Server``
    are added by the HTTP layer). ``run_id``/``invocation``: the run the call started, if any (its record is
    ``invocation.record``; ``await invocation.done`` waits for the run's end)."""

    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    run_id: str | None = None
    invocation: Invocation | None = None
    skipped: bool = False  # the trigger conditions were false: no run (the access log says so)

    def json(self):
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


def to_web(answer: CallAnswer) -> web.Response:
    return web.Response(status=answer.status, body=answer.body, headers=answer.headers)


def error_answer(error: HostError, headers: dict | None = None, run_id: str | None = None,
                 invocation: Invocation | None = None) -> CallAnswer:
    merged = dict(NO_CACHE)
    merged.update(headers or {})
    merged.update(error.headers)
    merged["Content-Type"] = JSON_TYPE
    body = json.dumps(error.body(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return CallAnswer(error.status, merged, body, run_id, invocation)


def error_response(error: HostError, headers: dict | None = None) -> web.Response:
    return to_web(error_answer(error, headers))


def request_headers(entry, location: str, tracking_id: str | None = None) -> dict:
    """The headers of an answer given before any run exists."""
    tracking_id = tracking_id or ids.new_guid()
    headers = dict(entry.base_headers) if entry is not None else {}
    headers["x-ms-tracking-id"] = tracking_id
    headers["x-ms-request-id"] = f"{'' if entry is not None and entry.standard else location}:{tracking_id}"
    return headers


def run_headers(entry, invocation, location: str) -> dict:
    """The full x-ms-* set of spec §12 for an answer that belongs to a run."""
    run_id = invocation.run_id
    # On the host x-ms-correlation-id = x-ms-tracking-id: the trigger's tracking id (trigger().trackingId).
    tracking = invocation.tracking_id
    record = invocation.record
    client_tracking = ((record.get("correlation") or {}).get("clientTrackingId")) or run_id
    middle, tail, request_prefix = _static_parts(entry, location)
    return {
        "x-ms-workflow-run-id": run_id,
        "x-ms-correlation-id": tracking,
        "x-ms-client-tracking-id": client_tracking,
        "x-ms-trigger-history-name": run_id,
        **middle,  # x-ms-execution-location (Consumption), then the workflow's own headers
        "x-ms-tracking-id": tracking,
        **tail,  # the rate-limit headers (Consumption)
        "x-ms-request-id": request_prefix + tracking,
    }


def _static_parts(entry, location: str) -> tuple:
    """The headers of :func:`run_headers` that are the same for every run of a loaded workflow
    (``entry.run_header_parts``, worked out once per location)."""
    cached = entry.run_header_parts
    if cached is not None and cached[0] == location:
        return cached[1]
    middle = {} if entry.standard else {"x-ms-execution-location": location}
    middle.update(entry.base_headers)
    parts = (middle, {} if entry.standard else dict(_RATE_LIMITS), f"{'' if entry.standard else location}:")
    entry.run_header_parts = (location, parts)
    return parts


def encode_body(body, content_type: str | None) -> tuple[bytes, str | None]:
    """Bytes and Content-Type for a Response action body (string -> text, JSON -> JSON, envelope -> bytes)."""
    if body is None:
        return b"", content_type
    if body.__class__ is dict and "$content-type" not in body:  # a JSON object (the usual body), not an envelope
        return to_json_text(body).encode("utf-8"), content_type or JSON_TYPE
    if isinstance(body, dict) and isinstance(body.get("$content"), str) and "$content-type" in body:
        blob = body if isinstance(body, Blob) else None
        data = blob.data if blob is not None else _b64(body["$content"])
        return data, content_type or str(body.get("$content-type") or "application/octet-stream")
    if isinstance(body, bytes):
        return body, content_type or "application/octet-stream"
    if isinstance(body, str):
        return body.encode("utf-8"), content_type or TEXT_TYPE
    return to_json_text(body).encode("utf-8"), content_type or JSON_TYPE


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return text.encode("utf-8")


def action_answer(result: dict, extra_headers: dict, content_headers: bool = True) -> CallAnswer:
    """The answer from ``{"status", "headers", "body"}`` produced by a Response action.

    ``content_headers``: keep the action's Content-Type, Content-Disposition and Content-Encoding (the host
    does for POST and PUT calls; for other methods they are dropped and the defaults apply).
    """
    kept = _CONTENT_KEPT if content_headers else frozenset()
    status = result.get("status") or 200
    if status.__class__ is not int:
        try:
            status = int(status)
        except (TypeError, ValueError):
            status = 200
    merged = {**NO_CACHE, **extra_headers}
    content_type = None
    own = result.get("headers")
    if own:
        for name, value in own.items():
            lowered = str(name).lower()
            if lowered in _DROPPED or (lowered.startswith("content-") and lowered not in kept):
                continue
            text = value if isinstance(value, str) else to_json_text(value).strip('"')
            if lowered == "content-type":
                content_type = text
                continue
            merged[str(name)] = text
    body = result.get("body")
    data, content_type = encode_body(body, content_type)
    if content_type and (data or ("body" in result and body is not None)):
        merged["Content-Type"] = content_type
    return CallAnswer(status, merged, data)
