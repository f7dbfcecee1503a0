"""Binary and encoding conversions: base64, binary, data URIs, URI components, byte order marks.

Binary values are :class:`Blob` envelopes. Functions that take content (``base64``, ``binary``,
``dataUri``, ``trimByteOrderMark``, ``uriComponent``) also take a plain ``{"$content-type",
"$content"}`` dict such as a trigger body. Data URI rules are the host's (probed):

* ``data:`` (any case), then metadata up to the first comma; the metadata is split on ``;`` and a
  last segment ``base64`` (any case) marks the payload as base64, kept verbatim as ``$content``;
  otherwise the payload is URL-decoded (``+`` is a space, ``%XX`` a byte).
* empty metadata, or just ``;base64``, means ``text/plain``;
* ``dataUriToBinary``: the media type must contain exactly one ``/``, no parameter may hold two
  ``=``, and the first ``charset`` must be a known encoding;
* ``dataUriToString``: only an empty media type is refused; a ``charset`` in the *second* segment
  must be UTF-8 (the host checks no other position); the payload is read as UTF-8.
"""

from __future__ import annotations

import base64 as _b64
import re

from ..expressions.encoding import charset_error, decode_base64, first_charset, lookup_charset
from ..expressions.errors import ExpressionError, function_error, type_error
from ..expressions.registry import function
from ..expressions.values import OCTET_STREAM, Blob, blob_from_envelope, to_string
from .args import want_str

TEXT_UTF8 = "text/plain;charset=utf-8"
JSON_UTF8 = "application/json;charset=utf-8"
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")


# --------------------------------------------------------------------------- helpers

def _utf8(text: str) -> bytes:
    """UTF-8 bytes as .NET makes them: a lone surrogate becomes U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def _content_arg(value) -> Blob | None:
    """A Blob for binary content (Blob or envelope dict), else None."""
    return blob_from_envelope(value) if isinstance(value, dict) else None


def _not_base64(fn: str) -> ExpressionError:
    return function_error(fn, "was invoked with a parameter that is not valid. The value cannot be decoded "
                              "from base64 representation.")


def url_decode_bytes(text: str) -> bytes:
    """``WebUtility.UrlDecode`` as bytes: ``+`` is a space, ``%XX`` a byte, a bad ``%`` stays as it is."""
    raw = _utf8(text.replace("+", " "))
    return _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def url_decode(text: str) -> str:
    return url_decode_bytes(text).decode("utf-8", errors="replace")


def escape_data_string(text: str) -> str:
    """``Uri.EscapeDataString``: everything but the RFC 3986 unreserved set as %XX of UTF-8."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in _utf8(text))


# --------------------------------------------------------------------------- base64

@function("base64", min_args=1, category="conversion")
def base64(value):
    blob = _content_arg(value)
    if blob is not None:
        data = blob.data
    elif isinstance(value, str):
        data = _utf8(value)
    else:
        raise type_error("base64", 0, "of type string", value)
    return _b64.b64encode(data).decode("ascii")


@function("base64ToBinary", min_args=1, category="conversion")
def base64_to_binary(value):
    text = want_str("base64ToBinary", 0, value)
    data = decode_base64(text)
    if data is None:
        raise _not_base64("base64ToBinary")
    return Blob.from_base64(text, OCTET_STREAM, data)


def _base64_to_string(fn: str, value) -> str:
    data = decode_base64(want_str(fn, 0, value))
    if data is None:
        raise _not_base64(fn)
    return data.decode("utf-8", errors="replace")


@function("base64ToString", min_args=1, category="conversion")
def base64_to_string(value):
    return _base64_to_string("base64ToString", value)


@function("decodeBase64", min_args=1, category="conversion")
def decode_base64_fn(value):
    return _base64_to_string("decodeBase64", value)


# --------------------------------------------------------------------------- binary

@function("binary", min_args=1, category="conversion")
def binary(value):
    if value is None:
        raise type_error("binary", 0, "a string, a number, a boolean, an object, an array or binary content",
                         value)
    blob = _content_arg(value)
    text = blob.text() if blob is not None else to_string(value)
    return Blob(_utf8(text), OCTET_STREAM)


# --------------------------------------------------------------------------- data URIs

@function("dataUri", min_args=1, category="conversion")
def data_uri(value):
    blob = _content_arg(value)
    if blob is not None:
        content_type, data = blob.content_type, blob.data
    elif value is None:
        raise type_error("dataUri", 0, "a string, a number, a boolean, an object, an array or binary content",
                         value)
    elif isinstance(value, str):
        content_type, data = TEXT_UTF8, _utf8(value)
    else:
        content_type, data = JSON_UTF8, _utf8(to_string(value))
    return f"data:{content_type};base64,{_b64.b64encode(data).decode('ascii')}"


def _bad_data_uri(fn: str, text: str, why: str) -> ExpressionError:
    return function_error(fn, f"was invoked with a parameter that is not valid. The value '{text}' is not a "
                              f"valid data URI: {why}.")


def parse_data_uri(fn: str, text: str, for_string: bool) -> tuple[str, Blob]:
    """Split a data URI into its content type and content (see the module notes)."""
    if text[:5].lower() != "data:":
        raise _bad_data_uri(fn, text, "it does not start with 'data:'")
    meta, sep, payload = text[5:].partition(",")
    if not sep:
        raise _bad_data_uri(fn, text, "there is no comma before the data")
    parts = meta.split(";")
    if parts[-1].lower() == "base64":
        parts = parts[:-1]
        content = Blob.from_base64(payload)
    else:
        content = Blob(url_decode_bytes(payload))
    if not parts or parts == [""]:
        content_type = "text/plain"
    else:
        mime = parts[0]
        if for_string:
            if mime == "":
                raise _bad_data_uri(fn, text, "the media type is empty")
        elif mime.count("/") != 1:
            raise _bad_data_uri(fn, text, f"the media type '{mime}' is not valid")
        content_type = ";".join(parts)
    content["$content-type"] = content_type
    return content_type, content


def _data_uri_to_binary(fn: str, value) -> Blob:
    text = want_str(fn, 0, value)
    content_type, blob = parse_data_uri(fn, text, for_string=False)
    for segment in content_type.split(";")[1:]:
        if segment.count("=") > 1:
            raise _bad_data_uri(fn, text, f"the parameter '{segment}' is not valid")
    name = first_charset(content_type)
    if name is not None and lookup_charset(name) is None:
        raise charset_error(name)
    return blob


@function("dataUriToBinary", min_args=1, category="conversion")
def data_uri_to_binary(value):
    return _data_uri_to_binary("dataUriToBinary", value)


@function("decodeDataUri", min_args=1, category="conversion")
def decode_data_uri(value):
    return _data_uri_to_binary("decodeDataUri", value)


@function("dataUriToString", min_args=1, category="conversion")
def data_uri_to_string(value):
    fn = "dataUriToString"
    text = want_str(fn, 0, value)
    content_type, blob = parse_data_uri(fn, text, for_string=True)
    parts = content_type.split(";", 2)
    if len(parts) >= 2 and parts[1][:8].lower() == "charset=":
        name = parts[1][8:]
        codec = lookup_charset(name)
        if codec is None:
            raise charset_error(name)
        if codec != "utf-8":
            raise function_error(fn, f"was invoked with a parameter that is not valid. The charset '{name}' is "
                                     f"not supported: only 'utf-8' content can be converted to a string.")
    try:
        data = blob.data
    except ExpressionError:
        raise _not_base64(fn) from None
    return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- URI components

def _component_text(value) -> str:
    blob = _content_arg(value)
    return blob.text() if blob is not None else to_string(value)


@function("uriComponent", min_args=1, category="conversion")
def uri_component(value):
    return escape_data_string(_component_text(value))


@function("encodeUriComponent", min_args=1, max_args=None, category="conversion")
def encode_uri_component(*values):
    """Several arguments are joined before encoding: Microsoft's own templates call
    ``encodeURIComponent('workflows/', name, '/runs')`` (see docs/fidelity.md)."""
    return escape_data_string("".join(_component_text(v) for v in values))


@function("uriComponentToString", min_args=1, category="conversion")
def uri_component_to_string(value):
    return url_decode(want_str("uriComponentToString", 0, value))


@function("decodeUriComponent", min_args=1, category="conversion")
def decode_uri_component(value):
    return url_decode(want_str("decodeUriComponent", 0, value))


@function("uriComponentToBinary", min_args=1, category="conversion")
def uri_component_to_binary(value):
    return Blob(url_decode_bytes(want_str("uriComponentToBinary", 0, value)), OCTET_STREAM)


# --------------------------------------------------------------------------- byte order marks

_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe")


@function("trimByteOrderMark", min_args=1, category="string")
def trim_byte_order_mark(value):
    if isinstance(value, str):
        return value.lstrip("\ufeff")
    blob = _content_arg(value)
    if blob is None:
        raise type_error("trimByteOrderMark", 0, "a string or binary content", value)
    data = blob.data
    for bom in _BOMS:
        if data.startswith(bom):
            return Blob(data[len(bom):], blob.content_type)
    return blob
