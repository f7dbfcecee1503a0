"""What the caller receives: error bodies, the Response action's answer, and the x-ms-* headers (spec §8, §12)."""

from __future__ import annotations

import base64
import json

from aiohttp import web

from ..expressions.values import Blob, to_json_text
from . import ids
from .errors import HttpError

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


def error_response(error: HttpError, headers: dict | None = None) -> web.Response:
    merged = dict(NO_CACHE)
    merged.update(headers or {})
    merged.update(error.headers)
    merged["Content-Type"] = JSON_TYPE
    return web.Response(status=error.status, body=json.dumps(error.body(), separators=(",", ":"), ensure_ascii=False).encode("utf-8"), headers=merged)


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
    """The headers of :func:`run_headers` that are the same for every run of a loaded workflow (kept on it)."""
    cached = getattr(entry, "_run_header_parts", None)
    if cached is not None and cached[0] == location:
        return cached[1]
    middle = {} if entry.standard else {"x-ms-execution-location": location}
    middle.update(entry.base_headers)
    parts = (middle, {} if entry.standard else dict(_RATE_LIMITS), f"{'' if entry.standard else location}:")
    try:
        entry._run_header_parts = (location, parts)
    except AttributeError:  # an entry that takes no attributes: build them every time
        pass
    return parts


def encode_body(body, content_type: str | None) -> tuple[bytes, str | None]:
    """Bytes and Content-Type for a Response action body (string -> text, JSON -> JSON, envelope -> bytes)."""
    if body is None:
        return b"", content_type
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


def action_response(result: dict, extra_headers: dict, content_headers: bool = True) -> web.Response:
    """An aiohttp response from ``{"status", "headers", "body"}`` produced by a Response action.

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
    return web.Response(status=status, body=data, headers=merged)
