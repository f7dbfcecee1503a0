""".NET ``ToString(format, culture)`` for Int64, Double and Decimal: the entry point :func:`format_number`.

It reads the format specifier, turns the number into a digit buffer (``buffer``) and lays it out with a
standard format (``standard``) or a custom pattern (``custom``). Rounding follows .NET exactly:

* Int64 and Decimal digits are exact; rounding drops digits and rounds half away from zero.
* Double digits for standard formats are the exact binary value rounded once at the requested position,
  ties to even (Dragon4); ``R`` and ``G`` without precision give the shortest round-trip digits.
* Double digits for custom formats are first cut to 15 significant digits (ties to even), then rounded half
  up at the pattern's position (.NET keeps this double rounding for compatibility).
"""

from __future__ import annotations

import math
from decimal import Decimal

from .buffer import NumberBuffer, double_digits
from .cultures import NumberFormat
from .custom import format_custom
from .errors import FormatError
from .standard import format_standard

MAX_PRECISION = 999_999_999  # .NET's limit for a precision specifier
MAX_OUTPUT_DIGITS = 100_000  # emulator guard: refuse to build absurdly long strings

_DOUBLE_PRECISION = 17  # digits that always round-trip; widens G/R so "-60" is not "-6E+01"
_DOUBLE_PRECISION_CUSTOM = 15

# --------------------------------------------------------------------------- entry point

def format_number(value, fmt: str, nfi: NumberFormat) -> str:
    """``value.ToString(fmt, culture)`` for an int (Int64), a float (Double) or a Decimal."""
    if isinstance(value, float):
        return _format_double(value, fmt, nfi)
    if isinstance(value, Decimal):
        return _format_decimal(value, fmt, nfi)
    return _format_int64(int(value), fmt, nfi)


def parse_format_specifier(fmt: str) -> tuple[str, int]:
    """(standard format letter, precision or -1); letter "" means a custom format."""
    if fmt:
        c = fmt[0]
        if c.isascii() and c.isalpha():
            i, n = 1, 0
            while i < len(fmt) and "0" <= fmt[i] <= "9":
                n = n * 10 + ord(fmt[i]) - 48
                if n > MAX_PRECISION:
                    raise FormatError("Format specifier was invalid.")
                i += 1
            if i == len(fmt) or fmt[i] == "\0":
                return c, (n if i > 1 else -1)
    if not fmt or fmt[0] == "\0":
        return "G", -1
    return "", -1


def _check_size(precision: int) -> None:
    if precision > MAX_OUTPUT_DIGITS:
        raise FormatError("The precision specifier is too large.")


# --------------------------------------------------------------------------- Int64

def _format_int64(value: int, fmt: str, nfi: NumberFormat) -> str:
    letter, digits = parse_format_specifier(fmt)
    upper = letter.upper()
    _check_size(digits)
    if (upper == "G" and digits < 1) or upper == "D":
        text = str(abs(value)).zfill(max(digits, 1))
        return nfi.negative_sign + text if value < 0 else text
    if upper == "X":
        text = format(value & 0xFFFFFFFFFFFFFFFF, "X" if letter == "X" else "x")
        return text.zfill(max(digits, 1))
    if upper == "B":
        return format(value & 0xFFFFFFFFFFFFFFFF, "b").zfill(max(digits, 1))
    number = NumberBuffer("int", str(abs(value)) if value else "", len(str(abs(value))) if value else 0,
                          value < 0)
    if letter:
        return format_standard(number, letter, digits, nfi)
    return format_custom(number, fmt, nfi)


# --------------------------------------------------------------------------- Decimal

def _format_decimal(value: Decimal, fmt: str, nfi: NumberFormat) -> str:
    letter, digits = parse_format_specifier(fmt)
    _check_size(digits)
    sign, mantissa, exponent = value.as_tuple()
    text = "".join(map(str, mantissa)).lstrip("0")
    if exponent > 0:  # not produced by decimal(), but keep the value
        text = text + "0" * exponent if text else ""
        exponent = 0
    number = NumberBuffer("decimal", text, len(text) + exponent, bool(sign))
    if letter:
        return format_standard(number, letter, digits, nfi)
    return format_custom(number, fmt, nfi)


# --------------------------------------------------------------------------- Double

def _format_double(value: float, fmt: str, nfi: NumberFormat) -> str:
    if math.isnan(value):
        return nfi.nan_symbol
    if math.isinf(value):
        return nfi.positive_infinity_symbol if value > 0 else nfi.negative_infinity_symbol
    letter, precision = parse_format_specifier(fmt)
    _check_size(precision)
    if not letter:
        precision = _DOUBLE_PRECISION_CUSTOM
    max_digits = precision
    significant = True
    upper = letter.upper()
    if upper == "C":
        precision = nfi.currency_decimal_digits if precision == -1 else precision
        significant = False
    elif upper == "E":
        precision = (6 if precision == -1 else precision) + 1
    elif upper in ("F", "N"):
        precision = nfi.number_decimal_digits if precision == -1 else precision
        significant = False
    elif upper == "G":
        precision = -1 if precision == 0 else precision
    elif upper == "P":
        precision = (nfi.percent_decimal_digits if precision == -1 else precision) + 2
        significant = False
    elif upper == "R":
        precision = -1
    elif letter:
        raise FormatError("Format specifier was invalid.")

    negative = math.copysign(1.0, value) < 0
    if value == 0:
        number = NumberBuffer("float", "", 0, negative)
    else:
        text, scale = double_digits(abs(value), precision, significant)
        number = NumberBuffer("float", text, scale, negative)
    if letter:
        if precision == -1:
            max_digits = max(len(number.digits), _DOUBLE_PRECISION)
        return format_standard(number, letter, max_digits, nfi)
    return format_custom(number, fmt, nfi)

