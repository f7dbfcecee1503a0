"""Byte/text rules the host applies to binary content: .NET base64 decoding and charsets.

* :func:`decode_base64` follows ``Convert.FromBase64String``: whitespace (space, tab, CR, LF) is
  ignored anywhere, the rest must be whole 4-character groups with at most two ``=`` at the end.
* Charset names are those ``Encoding.GetEncoding`` knows on .NET (Core) without extra code pages
  (case-insensitive); UTF-7 is disabled there and so is refused here.
* :func:`decode_text` is the host's ``decodeBytes``: every ``;`` segment after the media type must be a
  ``name=value`` pair, the first ``charset=`` picks the encoding (UTF-8 when there is none), invalid
  byte sequences become U+FFFD (ASCII: ``?``) and a byte order mark is not removed.
"""

from __future__ import annotations

import base64
import re

from .errors import ExpressionError

_B64_WHITESPACE = re.compile(r"[ \t\r\n]")
_B64_VALID = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")

# .NET EncodingTable names -> Python codec
_CHARSETS: dict[str, str] = {}
for _names, _codec in (
    (("ansi_x3.4-1968", "ansi_x3.4-1986", "ascii", "cp367", "csascii", "ibm367", "iso-ir-6", "iso646-us",
      "iso_646.irv:1991", "us", "us-ascii"), "ascii"),
    (("cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1", "iso_8859-1",
      "iso_8859-1:1987", "l1", "latin1"), "latin-1"),
    (("iso-10646-ucs-2", "ucs-2", "unicode", "utf-16", "utf-16le"), "utf-16-le"),
    (("unicodefffe", "utf-16be"), "utf-16-be"),
    (("unicode-1-1-utf-8", "unicode-2-0-utf-8", "utf-8", "x-unicode-1-1-utf-8", "x-unicode-2-0-utf-8"), "utf-8"),
    (("utf-32", "utf-32le"), "utf-32-le"),
    (("utf-32be",), "utf-32-be"),
):
    for _name in _names:
        _CHARSETS[_name] = _codec


def decode_base64(text: str) -> bytes | None:
    """The bytes of a base64 string as .NET reads it, or None when .NET would reject it."""
    compact = _B64_WHITESPACE.sub("", text)
    if len(compact) % 4 or not _B64_VALID.fullmatch(compact):
        return None
    return base64.b64decode(compact)


def lookup_charset(name: str) -> str | None:
    """The Python codec for a charset name the host accepts, or None."""
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    return _CHARSETS.get(name.lower())


def charset_error(name: str) -> ExpressionError:
    return ExpressionError(
        f"The template language expression cannot be evaluated because '{name}' is not a supported "
        f"encoding name. For information on defining a custom encoding, see the documentation for the "
        f"Encoding.RegisterProvider method."
    )


def first_charset(content_type: str) -> str | None:
    """The value of the first ``charset=`` segment (trimmed, case-insensitive name), if any."""
    for segment in content_type.split(";"):
        segment = segment.strip()
        if segment[:8].lower() == "charset=":
            return segment[8:]
    return None


def codec_for(content_type: str) -> str:
    """The codec that decodes content of this type; fails on an unknown charset."""
    name = first_charset(content_type)
    if name is None:
        return "utf-8"
    codec = lookup_charset(name)
    if codec is None:
        raise charset_error(name)
    return codec


def decode_text(data: bytes, content_type: str) -> str:
    """Bytes of binary content as text, the way the host turns a blob into a string."""
    for segment in content_type.split(";")[1:]:
        if "=" not in segment:
            raise ExpressionError(
                f"The template language expression cannot be evaluated because the content type "
                f"'{content_type}' is not valid: segment '{segment}' is not a 'name=value' pair."
            )
    codec = codec_for(content_type)
    if codec == "ascii":
        return "".join(chr(b) if b < 0x80 else "?" for b in data)
    return data.decode(codec, errors="replace")
