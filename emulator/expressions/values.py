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

from .encoding import decode_base64, decode_text
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

    __slots__ = ("_data", "_source")

    def __init__(self, data: bytes = b"", content_type: str = OCTET_STREAM):
        super().__init__()
        self["$content-type"] = content_type
        self["$content"] = base64.b64encode(data).decode("ascii")
        self._data = bytes(data)
        self._source = self["$content"]

    @classmethod
    def from_base64(cls, content: str, content_type: str = OCTET_STREAM, data: bytes | None = None) -> Blob:
        """A Blob whose ``$content`` is ``content`` verbatim; ``data`` is its decoded bytes when known."""
        blob = cls(b"", content_type)
        blob["$content"] = content
        blob._data = data
        blob._source = content
        return blob

    @property
    def data(self) -> bytes:
        """The decoded bytes (decoded again if ``$content`` was replaced); invalid base64 fails here."""
        content = self.get("$content")
        if self._data is None or content != self._source:
            data = decode_base64(content) if isinstance(content, str) else None
            if data is None:
                raise ExpressionError(
                    "The template language expression cannot be evaluated because the binary content "
                    f"'{content}' is not a valid base64 string."
                )
            self._data, self._source = data, content
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
    """.NET Core ``double.ToString()``: shortest round-trip digits; scientific when the decimal exponent
    is 17 or more (``1E+17``; ``1E+16`` prints as 10000000000000000: .NET's ``FormatDouble`` widens ``G``
    to ``DoublePrecision`` = 17 digits) or below -4 (``1E-05``; ``0.0001`` stays fixed)."""
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
    if sci >= 17 or sci < -4:
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
    if isinstance(value, dict) and "$content-type" in value and isinstance(value.get("$content"), str):
        # binary content as plain JSON (e.g. a trigger body): the host decodes it (Handle content types doc)
        return blob_from_envelope(value).text()
    if isinstance(value, (dict, list)):
        return to_json_text(value)
    return str(value)


def json_float(value: float) -> str:
    """Json.NET's text for a double: .NET round-trip text, with ``.0`` added to whole numbers."""
    if math.isnan(value) or math.isinf(value):
        return json.dumps(format_float(value))  # Json.NET's default: the symbol as a string
    text = format_float(value)
    return text if ("." in text or "E" in text) else text + ".0"


def json_decimal(value: Decimal) -> str:
    """Json.NET's text for a decimal: scale kept, ``.0`` added when there is none."""
    text = format_decimal(value)
    return text if "." in text else text + ".0"


def _write_json(value, out: list, encode_str) -> None:
    cls = value.__class__
    if cls is str:
        out.append(encode_str(value))
    elif value is None:
        out.append("null")
    elif cls is bool:
        out.append("true" if value else "false")
    elif cls is int:
        out.append(str(value))
    elif cls is float:
        out.append(json_float(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if first:
                first = False
            else:
                out.append(",")
            out.append(encode_str(key if key.__class__ is str else str(key)))
            out.append(":")
            if item.__class__ is str:  # the usual member value, written without a call
                out.append(encode_str(item))
            else:
                _write_json(item, out, encode_str)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write_json(item, out, encode_str)
        out.append("]")
    elif isinstance(value, Decimal):
        out.append(json_decimal(value))
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(json_float(float(value)))
    elif isinstance(value, str):
        out.append(encode_str(str(value)))
    else:
        out.append(encode_str(str(value)))


# A string as JSON text, non-ASCII kept: what JSONEncoder(ensure_ascii=False).encode does for a str, without
# its Python-level method around the C function
_encode_str = json.encoder.encode_basestring


def to_json_text(value, indent: int | None = None) -> str:
    """JSON text of a workflow value as Json.NET writes it (compact unless ``indent`` is given).

    Floats use .NET's text (``1.0`` stays ``1.0``), decimals keep their scale, key order is kept.
    """
    if indent is None:
        out: list[str] = []
        _write_json(value, out, _encode_str)
        return "".join(out)
    return json.dumps(to_json_value(value), indent=indent, ensure_ascii=False, allow_nan=True)


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

def values_equal(a, b, *, loose: bool = True) -> bool:
    """Deep equality as ``equals()`` sees it: numbers by value, objects ignore key order.

    ``loose`` (the top level of ``equals()``): null compares as ``""``, a boolean equals the number
    1/0 and the string "true"/"false" (any case). Nested values, and ``loose=False`` (collection
    membership), compare strictly: same kind, numbers by value (a float meets a decimal as .NET
    converts it, to 15 significant digits).
    """
    cls = a.__class__
    if cls is b.__class__ and (cls is str or cls is int):  # the usual case (two strings): what the rest gives
        return a == b
    if loose:
        if a is None:
            a = ""
        if b is None:
            b = ""
        if isinstance(a, bool) != isinstance(b, bool):
            flag, other = (a, b) if isinstance(a, bool) else (b, a)
            if is_number(other):
                return other == int(flag)
            if isinstance(other, str):
                return other.strip().lower() == ("true" if flag else "false")
            return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        if isinstance(a, float) and isinstance(b, Decimal):
            a, b = b, a
        if isinstance(a, Decimal) and isinstance(b, float):
            converted = float_to_decimal(b)
            return converted is not None and a == converted
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y, loose=False) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not values_equal(v, b[k], loose=False):
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


def _selection_error(message: str) -> ExpressionError:
    return ExpressionError(message + " Please see https://aka.ms/logicexpressions for usage details.")


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
        raise _selection_error(
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
                if "/" in key and not key.startswith("/"):
                    # Power Automate alias path: ['body/value'] selects body, then value
                    return _select_path(base, key, safe, expression)
                if safe:
                    return None
                raise _selection_error(
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
        raise _selection_error(
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
            raise _selection_error(
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
            raise _selection_error(
                f"The template language expression '{expression}' cannot be evaluated because property "
                f"'{key}' cannot be selected. Array elements can only be selected using an integer index."
            )
    raise _selection_error(
        f"The template language expression '{expression}' cannot be evaluated because property "
        f"'{to_string(key)}' cannot be selected. Property selection is not supported on values of type "
        f"'{type_name(base)}'."
    )


def _select_path(base, key: str, safe: bool, expression: str):
    value = base
    for part in key.split("/"):
        value = select(value, part, safe, expression)
        if value is None and safe:
            return None
    return value


# --------------------------------------------------------------------------- numeric comparison helpers

DECIMAL_MAX = Decimal(2**96 - 1)


def float_to_decimal(value: float) -> Decimal | None:
    """.NET ``(decimal)double``: rounded to 15 significant digits; None when out of decimal range."""
    if math.isnan(value) or math.isinf(value):
        return None
    result = Decimal(format(value, ".15g"))
    if abs(result) > DECIMAL_MAX:
        return None
    if result == 0:
        return Decimal(0)
    return result


def compare_values(a, b) -> int | float | None:
    """Order two values as ``greater``/``less`` do: -1, 0 or 1; None when they cannot be compared.

    Null counts as ``""``. Numbers (integer, float, decimal) compare by value, strings ordinally
    (by UTF-16 code unit, case-sensitive). Anything else (booleans, arrays, objects, mixed kinds)
    is not ordered. With a NaN the result is NaN: every comparison with it is false, none fails.
    """
    if a is None:
        a = ""
    if b is None:
        b = ""
    if is_number(a) and is_number(b):
        if isinstance(a, Decimal) and isinstance(b, float):
            b = float_to_decimal(b) if float_to_decimal(b) is not None else b
            a = a if isinstance(b, Decimal) else float(a)
        elif isinstance(a, float) and isinstance(b, Decimal):
            a = float_to_decimal(a) if float_to_decimal(a) is not None else a
            b = b if isinstance(a, Decimal) else float(b)
        if (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
            return math.nan
        return (a > b) - (a < b)
    if isinstance(a, str) and isinstance(b, str):
        if not (a.isascii() and b.isascii()):
            a = a.encode("utf-16-be", "surrogatepass")
            b = b.encode("utf-16-be", "surrogatepass")
        return (a > b) - (a < b)
    return None
