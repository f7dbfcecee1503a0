"""Build a Request trigger's outputs (spec §5-§6) from the parts of an HTTP request.

Used by the CLI ``run`` command and by the HTTP server: ``build_trigger_outputs(method, headers,
queries, body_bytes, relative_path_parameters)`` -> ``{"headers", "queries"?, "body"?,
"relativePathParameters"?}``. There is no ``method`` key (the host has none).
"""

from __future__ import annotations

import base64
import json
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl


class InvalidRequestContent(ValueError):
    """The body does not match its Content-Type (e.g. invalid JSON sent as application/json)."""

    code = "InvalidRequestContent"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def is_json_type(content_type: str | None) -> bool:
    media = _media_type(content_type)
    return media == "application/json" or media.endswith("+json") or media == "text/json"


def _envelope(content_type: str, data: bytes) -> dict:
    return {"$content-type": content_type, "$content": base64.b64encode(data).decode("ascii")}


def header_value(headers: dict, name: str):
    low = name.lower()
    for k, v in headers.items():
        if k.lower() == low:
            return v
    return None


def decode_body(content_type: str | None, data: bytes):
    """The trigger ``body`` for raw bytes and a Content-Type (spec §5 table)."""
    media = _media_type(content_type)
    if is_json_type(content_type) or (not media and data.lstrip()[:1] in (b"{", b"[")):
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if not media:
                return _envelope("application/octet-stream", data)
            raise InvalidRequestContent(f"The request content is not valid JSON: {exc}") from None
    if media.startswith("text/"):
        return data.decode(_charset(content_type), errors="replace")
    if media == "application/x-www-form-urlencoded":
        pairs = parse_qsl(data.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {**_envelope(content_type, data), "$formdata": [{"key": k, "value": v} for k, v in pairs]}
    if media == "multipart/form-data":
        return {**_envelope(content_type, data), "$multipart": _multipart_parts(content_type, data)}
    return _envelope(content_type or "application/octet-stream", data)


def _charset(content_type: str | None) -> str:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def _multipart_parts(content_type: str, data: bytes) -> list:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data)
    parts = []
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        payload = part.get_payload(decode=True) or b""
        headers = {k: str(v) for k, v in part.items()}
        headers["Content-Length"] = str(len(payload))
        ptype = part.get("Content-Type")
        if ptype and _media_type(ptype).startswith("text/"):
            body = payload.decode(_charset(ptype), errors="replace")
        else:
            body = _envelope(ptype or "application/octet-stream", payload)
        parts.append({"headers": headers, "body": body})
    return parts


def build_trigger_outputs(method: str | None, headers: dict | None, queries: dict | None,
                          body_bytes: bytes | None, relative_path_parameters: dict | None = None) -> dict:
    """The §6 shape. ``headers`` values are strings; ``queries`` maps name -> string.

    ``body`` is omitted when the request has no body. ``method`` is accepted for symmetry with the
    server but, as on the host, is not part of the outputs.
    """
    headers = dict(headers or {})
    outputs: dict = {"headers": headers}
    if queries:
        outputs["queries"] = dict(queries)
    if body_bytes:
        outputs["body"] = decode_body(header_value(headers, "Content-Type"), body_bytes)
    if relative_path_parameters is not None:
        outputs["relativePathParameters"] = dict(relative_path_parameters)
    return outputs


def match_relative_path(template: str | None, path: str | None) -> dict | None:
    """``/orders/{id}`` against ``/orders/42`` -> ``{"id": "42"}``; None when it does not match."""
    from urllib.parse import unquote

    if not template:
        return {} if not (path or "").strip("/") else None
    want = [p for p in template.strip("/").split("/")]
    got = [p for p in (path or "").strip("/").split("/")] if (path or "").strip("/") else []
    if len(want) != len(got):
        return None
    params = {}
    for w, g in zip(want, got):
        if w.startswith("{") and w.endswith("}"):
            params[w[1:-1]] = unquote(g)
        elif w.lower() != unquote(g).lower():
            return None
    return params
