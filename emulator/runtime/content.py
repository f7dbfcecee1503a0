"""HTTP content -> a workflow value by Content-Type (spec §5): JSON, text, form data, multipart, ``$content``.

One implementation for every place bytes with a Content-Type become a value: the trigger ``body`` of a
request (the server and the ``run`` command, through :mod:`emulator.runtime.trigger`) and the body of an
Http action's answer. No HTTP server knowledge here: invalid content raises :class:`InvalidRequestContent`,
which a trigger call turns into the host's 400 answer.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote_plus

from .json_errors import json_net_message, where

_OCTET = "application/octet-stream"


class InvalidRequestContent(ValueError):
    """The body does not match its Content-Type (e.g. invalid JSON sent as application/json)."""

    code = "InvalidRequestContent"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


# .NET stores well-known request headers under canonical names; custom ones keep the caller's casing.
CANONICAL_HEADERS = {name.lower(): name for name in (
    "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control",
    "Connection", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
    "Content-Location", "Content-MD5", "Content-Range", "Content-Type", "Cookie", "Date", "Expect",
    "Expires", "From", "Host", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range",
    "If-Unmodified-Since", "Last-Modified", "Max-Forwards", "Origin", "Pragma", "Proxy-Authorization",
    "Range", "Referer", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "User-Agent", "Via", "Warning",
    "X-Forwarded-For",
)}


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset(content_type: str | None, default: str = "utf-8") -> str:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return default


def is_json_type(mtype: str) -> bool:
    return mtype in ("application/json", "text/json") or mtype.endswith("+json")


def envelope(data: bytes, content_type: str) -> dict:
    return {"$content-type": content_type, "$content": base64.b64encode(data).decode("ascii")}


def decode_text(data: bytes, content_type: str | None) -> str:
    try:
        return data.decode(charset(content_type), errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def parse_json(data: bytes, content_type: str | None):
    return read_json(decode_text(data, content_type).lstrip("\ufeff"))


def read_json(text: str):
    """JSON text -> value; :class:`InvalidRequestContent` with Json.NET's wording when it cannot be read
    (control characters inside strings are accepted, as Json.NET does)."""
    try:
        return json.loads(text, parse_constant=_reject_constant, strict=False)
    except json.JSONDecodeError as exc:
        raise InvalidRequestContent(json_net_message(text, exc)) from None
    except _ConstantRejected as exc:
        raise InvalidRequestContent(f"Unexpected character encountered while parsing value: {exc.args[0][0]}. "
                                    f"{where(text, text.find(exc.args[0]) + 1)}") from None
    except RecursionError:
        raise InvalidRequestContent("The JSON content is nested too deeply to be read (the emulator's limit is "
                                    "Python's recursion limit, about 900 levels).") from None
    except ValueError:  # an integer of more digits than Python converts (4,300): docs/limits.md
        raise InvalidRequestContent("The JSON content holds an integer with more digits than can be read (the "
                                    "emulator's limit is 4300 digits).") from None


class _ConstantRejected(ValueError):
    pass


def _reject_constant(name: str):
    raise _ConstantRejected(name)


def decode_body(data: bytes, content_type: str | None):
    """The value of raw bytes by their Content-Type; raises :class:`InvalidRequestContent`."""
    mtype = media_type(content_type)
    if is_json_type(mtype):
        return parse_json(data, content_type)
    if mtype.startswith("text/"):
        return decode_text(data, content_type)
    if mtype == "application/x-www-form-urlencoded":
        text = decode_text(data, content_type)
        body = envelope(data, content_type or mtype)
        body["$formdata"] = form_entries(text)
        return body
    if mtype.startswith("multipart/"):
        body = envelope(data, content_type or mtype)
        body["$multipart"] = parse_multipart(data, content_type or "")
        return body
    if not mtype:
        # No Content-Type: JSON when the bytes are JSON, else opaque binary.
        try:
            return read_json(data.decode("utf-8"))
        except (InvalidRequestContent, UnicodeDecodeError):
            return envelope(data, _OCTET)
    return envelope(data, content_type or _OCTET)


def form_entries(text: str) -> list[dict]:
    """``$formdata`` as the host builds it: one entry per ``&``-separated segment, empty ones included, split
    at the first ``=`` (``a&x=y=z&&&===`` -> a:"", x:"y=z", "":"", "":"", "":"=="), ``+`` and ``%XX`` decoded."""
    entries = []
    for segment in text.split("&") if text else ():
        key, _, value = segment.partition("=")
        entries.append({"key": unquote_plus(key), "value": unquote_plus(value)})
    return entries


def parse_multipart(data: bytes, content_type: str) -> list:
    boundary = None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "boundary":
            boundary = value.strip().strip('"')
    if not boundary:
        raise InvalidRequestContent("The multipart content has no boundary parameter")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = data.split(delimiter)
    if len(chunks) < 2:
        raise InvalidRequestContent("The multipart content has no part delimited by its boundary")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        head, sep, payload = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = chunk.partition(b"\n\n")
            if not sep:
                raise InvalidRequestContent("A multipart section has no header/body separator")
        if payload.endswith(b"\r\n"):
            payload = payload[:-2]
        elif payload.endswith(b"\n"):
            payload = payload[:-1]
        headers = {}
        for line in head.decode("utf-8", errors="replace").splitlines():
            name, colon, value = line.partition(":")
            if colon and name.strip():
                headers[CANONICAL_HEADERS.get(name.strip().lower(), name.strip())] = value.strip()
        headers["Content-Length"] = str(len(payload))
        part_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        if part_type and media_type(part_type).startswith("text/"):
            body = decode_text(payload, part_type)
        else:
            body = envelope(payload, part_type or _OCTET)
        parts.append({"headers": headers, "body": body})
    return parts
