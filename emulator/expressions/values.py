"""Values as the host has them, and the conversions every function shares.

Python types stand for the workflow types:

=============  =========================================================
null           ``None``
boolean        ``bool``
integer        ``int`` (64-bit range enforced by the math functions)
float          ``float`` (.NET double; text form by :func:`format_float`)
decimal        ``decimal.Decimal`` (made only by ``decimal()``)
string         ``str``
array          ``list``
object         ``dict`` (insertion order kept)
binary / XML   :class:`Blob`, a ``dict`` subclass shaped like the host's
               ``{"$content-type": ..., "$content": <base64>}`` envelope
=============  =========================================================
"""

from __future__ import annotations

import base64
import json
import math
from decimal import Decimal

from .errors import ExpressionError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

XML_CONTENT_TYPE = "application/xml;charset=utf-8"
OCTET_STREAM = "application/octet-stream"


class Blob(dict):
    """Binary content (and XML values): a JSON-shaped envelope that also keeps the raw bytes.

    ``Blob(data, content_type)`` builds one from bytes. ``Blob.from_base64(text, content_type)`` keeps
    ``$content`` exactly as given (the host does: ``base64ToBinary('aGVsbG8 gd29ybGQ=')`` keeps the
    space) and decodes it only when the bytes are needed; invalid base64 then fails at that point.
    """

    __slots__ = ("_data",)

    def __init__(self, data: bytes = b"", content_type: str = OCTET_STREAM):
        super().__init__()
        self["$content-type"] = content_type
        self["$content"] = base64.b64encode(data).decode("ascii")
        self._data = bytes(data)

    @classmethod
    def from_base64(cls, content: str, content_type: str = OCTET_STREAM) -> Blob:
        blob = cls(b"", content_type)
        blob["$content"] = content
        blob._data = None
        return blob

    @property
    def data(self) -> bytes:
        if self._data is None:
            from .encoding import decode_base64

            data = decode_base64(self["$content"])
            if data is None:
                raise ExpressionError(
                    "The template language expression cannot be evaluated because the binary content "
                    f"'{self['$content']}' is not a valid base64 string."
                )
            self._data = data
        return self._data

    @property
    def content_type(self) -> str:
        value = self.get("$content-type", OCTET_STREAM)
        return value if isinstance(value, str) else OCTET_STREAM

    @property
    def is_xml(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() in ("application/xml", "text/xml")

    def text(self) -> str:
        """The bytes as text, decoded by the ``charset`` of ``$content-type`` (UTF-8 when absent)."""
        from .encoding import decode_text

        return decode_text(self.data, self.content_type)


def blob_from_envelope(value) -> Blob | None:
    """A plain ``{"$content-type", "$content"}`` dict (e.g. from a trigger body) as a Blob.

    ``$content`` is kept as given and decoded lazily (see :meth:`Blob.from_base64`).
    """
    if isinstance(value, Blob):
        return value
    if isinstance(value, dict) and isinstance(value.get("$content"), str):
        content_type = value.get("$content-type")
        return Blob.from_base64(value["$content"], content_type if isinstance(content_type, str) and
                                content_type else OCTET_STREAM)
    return None


# --------------------------------------------------------------------------- type names

def type_name(value) -> str:
    """The host's (Json.NET JTokenType) name for a value's type, as used in error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, Decimal):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return type(value).__name__


def is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------- text forms

def format_float(value: float) -> str:
    """.NET Core ``double.ToString()``: shortest round-trip digits, scientific from 1E+15 / below 1E-05."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    # value = 0.d1d2d3... * 10**exponent ; scientific exponent is exponent-1
    sci = exponent - 1
    if sci >= 15 or sci < -5:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}E{'+' if sci >= 0 else '-'}{abs(sci):02d}"
    if exponent <= 0:
        return f"{sign}0.{'0' * -exponent}{digits}"
    if exponent >= len(digits):
        return f"{sign}{digits}{'0' * (exponent - len(digits))}"
    return f"{sign}{digits[:exponent]}.{digits[exponent:]}"


def _shortest_digits(value: float) -> tuple[str, int]:
    text = repr(value)
    if "e" in text or "E" in text:
        mant, exp = text.lower().split("e")
        exp_i = int(exp)
    else:
        mant, exp_i = text, 0
    if "." in mant:
        int_part, frac = mant.split(".")
    else:
        int_part, frac = mant, ""
    if frac == "0":
        frac = ""
    digits = (int_part + frac).lstrip("0")
    lead_zeros = len(int_part + frac) - len((int_part + frac).lstrip("0"))
    exponent = len(int_part) + exp_i - lead_zeros
    digits = digits.rstrip("0") or "0"
    return digits, exponent


def format_decimal(value: Decimal) -> str:
    """.NET ``decimal.ToString()``: plain digits, scale kept (``5.0`` stays ``5.0``)."""
    return format(value, "f")


def to_string(value) -> str:
    """The string form used by ``string()`` and by ``@{...}`` interpolation."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, Blob):
        return value.text()
    if isinstance(value, (dict, list)):
        return to_json_text(value)
    return str(value)


class _Encoder(json.JSONEncoder):
    def default(self, o):  # noqa: D401 - json hook
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)


def _json_ready(value):
    """Turn a value into plain JSON data, keeping .NET's float text (1.0 stays 1.0)."""
    if isinstance(value, Blob):
        return dict(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


def to_json_text(value, indent: int | None = None) -> str:
    """Compact JSON text (Json.NET style) of a workflow value."""
    if indent is None:
        return json.dumps(_json_ready(value), separators=(",", ":"), ensure_ascii=False, cls=_Encoder,
                          allow_nan=True)
    return json.dumps(_json_ready(value), indent=indent, ensure_ascii=False, cls=_Encoder, allow_nan=True)


def to_json_value(value):
    """A workflow value as plain JSON data (Blob -> envelope dict, Decimal -> int or float)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and "." not in format_decimal(value):
            return int(value)
        return float(value)
    if isinstance(value, Blob):
        return dict(value)
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    return value


# --------------------------------------------------------------------------- equality and order

def values_equal(a, b) -> bool:
    """Deep equality as ``equals()`` sees it: numbers by value, objects ignore key order."""
    if a is None:
        a = ""
    if b is None:
        b = ""
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a == b
        return False
    if is_number(a) and is_number(b):
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            try:
                return Decimal(a) == Decimal(b)
            except (ValueError, ArithmeticError):
                return False
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not values_equal(v, b[k]):
                return False
        return True
    return a == b


# --------------------------------------------------------------------------- property access

def lookup_key(obj: dict, name: str):
    """Exact key first, then the first case-insensitive match (the host's lookup). Raises KeyError."""
    try:
        return obj[name]
    except KeyError:
        pass
    lowered = name.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return value
    raise KeyError(name)


def find_key(obj: dict, name: str) -> str | None:
    """The stored key that ``name`` selects (exact, then case-insensitive), or None."""
    if name in obj:
        return name
    lowered = name.lower()
    for key in obj:
        if key.lower() == lowered:
            return key
    return None


_NOT_FOUND = object()


def select(base, key, safe: bool, expression: str):
    """``base[key]`` / ``base.key`` / ``base?[key]`` with the host's errors."""
    if base.__class__ is dict and key.__class__ is str:  # fast path: exact key of a plain object
        value = base.get(key, _NOT_FOUND)
        if value is not _NOT_FOUND:
            return value
    if base is None:
        if safe:
            return None
        what = "property" if isinstance(key, str) else "array index"
        raise ExpressionError(
            f"The template language expression '{expression}' cannot be evaluated because {what} "
            f"'{to_string(key)}' cannot be selected. "
            f"{'Property selection' if isinstance(key, str) else 'Array element selection'} is not "
            f"supported on values of type 'Null'."
        )
    if isinstance(base, dict):
        if isinstance(key, str):
            try:
                return lookup_key(base, key)
            except KeyError:
                if safe:
                    return None
                raise ExpressionError(
                    f"The template language expression '{expression}' cannot be evaluated because property "
                    f"'{key}' doesn't exist, available properties are '{', '.join(base.keys())}'."
                ) from None
        if is_integer(key):
            # Json.NET lets an integer select a property named by its text
            try:
                return lookup_key(base, str(key))
            except KeyError:
                if safe:
                    return None
        raise ExpressionError(
            f"The template language expression '{expression}' cannot be evaluated because property "
            f"'{to_string(key)}' cannot be selected. Property selection is not supported on values of type "
            f"'Object' with a key of type '{type_name(key)}'."
        )
    if isinstance(base, list):
        if is_integer(key):
            if 0 <= key < len(base):
                return base[key]
            if safe:
                return None
            raise ExpressionError(
                f"The template language expression '{expression}' cannot be evaluated because array index "
                f"'{key}' is outside bounds (0, {len(base) - 1}) of array."
            )
        if isinstance(key, str):
            # a string that is an integer selects an element (Json.NET)
            try:
                idx = int(key)
            except ValueError:
                idx = None
            if idx is not None and 0 <= idx < len(base):
                return base[idx]
            if safe:
                return None
            raise ExpressionError(
                f"The template language expression '{expression}' cannot be evaluated because property "
                f"'{key}' cannot be selected. Array elements can only be selected using an integer index."
            )
    raise ExpressionError(
        f"The template language expression '{expression}' cannot be evaluated because property "
        f"'{to_string(key)}' cannot be selected. Property selection is not supported on values of type "
        f"'{type_name(base)}'."
    )
