"""Number conversion and formatting: int, float, decimal, isInt, isFloat, formatNumber.

Parsing is a port of .NET's ``Number.Parsing`` (``TryParseNumber`` with ``NumberStyles``), because the host's
functions are thin wrappers over ``double.TryParse`` / ``decimal.TryParse`` / ``long.TryParse``:

* ``int(s)`` parses a *double* (``Float | AllowThousands``, invariant culture) and then converts it to Int64:
  ``int('100000000000000010')`` = 100000000000000016, ``int('nan')`` = Int64.MinValue, a fraction is an error,
  a value of 2**63 or more overflows;
* ``float(s, locale?)`` is ``double.TryParse(s, Float | Number, culture)``; without a locale the culture is
  ``en-US`` (so ``'Infinity'`` fails, its symbol being "∞"), ``''`` is the invariant culture;
* ``decimal(s)`` is ``decimal.TryParse(s, Number, invariant)``: no exponent, scale kept;
* ``isInt(s)`` is ``long.TryParse(s, Integer | AllowExponent | AllowThousands, invariant)``;
* ``isFloat(s, locale?)`` is ``double.TryParse(s, Float | Number, culture)``, invariant by default.
"""

from __future__ import annotations

import math
from decimal import Decimal

from ..expressions.errors import ExpressionError, function_error
from ..expressions.registry import function
from ..expressions.values import INT64_MAX, INT64_MIN, format_decimal, format_float, is_integer
from .args import want_number, want_str
from .numbers.cultures import INVARIANT, CultureNotFound, NumberFormat, get_culture
from .numbers.errors import FormatError
from .numbers.formatting import format_number

# NumberStyles flags
_LEADING_WHITE, _TRAILING_WHITE, _LEADING_SIGN, _TRAILING_SIGN = 0x1, 0x2, 0x4, 0x8
_PARENTHESES, _DECIMAL_POINT, _THOUSANDS, _EXPONENT = 0x10, 0x20, 0x40, 0x80
_INTEGER = _LEADING_WHITE | _TRAILING_WHITE | _LEADING_SIGN
_FLOAT = _INTEGER | _DECIMAL_POINT | _EXPONENT
_NUMBER = _INTEGER | _TRAILING_SIGN | _DECIMAL_POINT | _THOUSANDS

_WHITE = " \t\n\v\f\r"
_MAX_DIGITS = {"float": 768, "decimal": 30, "int": 19}  # .NET NumberBuffer sizes minus the terminator
_U64 = (1 << 64) - 1
_U32 = (1 << 32) - 1


class _Parsed:
    __slots__ = ("digits", "scale", "negative", "nonzero_tail")

    def __init__(self, digits: str, scale: int, negative: bool, nonzero_tail: bool):
        self.digits = digits
        self.scale = scale
        self.negative = negative
        self.nonzero_tail = nonzero_tail


# --------------------------------------------------------------------------- .NET TryParseNumber

def _match(s: str, p: int, value: str) -> int | None:
    """.NET MatchChars: ``value`` at ``s[p:]`` (a space also matches NBSP / narrow NBSP); the end or None."""
    if not value:
        return None
    for ch in value:
        cp = s[p] if p < len(s) else "\0"
        if cp != ch and not (ch in "\u00a0\u202f" and cp == " "):
            return None
        p += 1
    return p


def _match_negative(s: str, p: int, nfi: NumberFormat) -> int | None:
    end = _match(s, p, nfi.negative_sign)
    if end is None and nfi.allow_hyphen_during_parsing and p < len(s) and s[p] == "-":
        end = p + 1
    return end


def _parse_number(s: str, styles: int, nfi: NumberFormat, kind: str) -> _Parsed | None:  # noqa: C901
    """.NET ``TryStringToNumber``: the digits, scale and sign of ``s``, or None when it does not parse."""
    sign_seen, parens, has_digits, nonzero, has_decimal = False, False, False, False, False
    negative = False
    n = len(s)
    p = 0

    def at(i: int) -> str:
        return s[i] if i < n else "\0"

    ch = at(p)
    while True:
        eat_white = ch in _WHITE and ch != "\0" and styles & _LEADING_WHITE and not (
            sign_seen and nfi.number_negative_pattern != 2)
        if not eat_white:
            end = None
            if styles & _LEADING_SIGN and not sign_seen:
                end = _match(s, p, nfi.positive_sign)
                if end is None:
                    end = _match_negative(s, p, nfi)
                    if end is not None:
                        negative = True
            if end is not None:
                sign_seen = True
                p = end - 1
            elif ch == "(" and styles & _PARENTHESES and not sign_seen:
                sign_seen = parens = True
                negative = True
            else:
                break
        p += 1
        ch = at(p)

    digits: list[str] = []
    dig_count = dig_end = 0
    max_digits = _MAX_DIGITS[kind]
    scale = 0
    nonzero_tail = False
    while True:
        if "0" <= ch <= "9":
            has_digits = True
            if ch != "0" or nonzero:
                if dig_count < max_digits:
                    digits.append(ch)
                    if ch != "0" or kind != "int":
                        dig_end = dig_count + 1
                elif ch != "0":
                    nonzero_tail = True
                if not has_decimal:
                    scale += 1
                dig_count += 1
                nonzero = True
            elif has_decimal:
                scale -= 1
        elif styles & _DECIMAL_POINT and not has_decimal and \
                (end := _match(s, p, nfi.number_decimal_separator)) is not None:
            has_decimal = True
            p = end - 1
        elif styles & _THOUSANDS and has_digits and not has_decimal and \
                (end := _match(s, p, nfi.number_group_separator)) is not None:
            p = end - 1
        else:
            break
        p += 1
        ch = at(p)

    if not has_digits:
        return None
    if ch in "Ee" and styles & _EXPONENT:
        saved = p
        p += 1
        ch = at(p)
        negative_exp = False
        if (end := _match(s, p, nfi.positive_sign)) is not None:
            p = end
            ch = at(p)
        elif (end := _match_negative(s, p, nfi)) is not None:
            p = end
            ch = at(p)
            negative_exp = True
        if "0" <= ch <= "9":
            exp = 0
            while "0" <= ch <= "9":
                if exp >= 100_000_000:
                    exp = 2**31 - 1
                    scale = 0
                    while "0" <= at(p) <= "9":
                        p += 1
                    ch = at(p)
                    break
                exp = exp * 10 + ord(ch) - 48
                p += 1
                ch = at(p)
            scale += -exp if negative_exp else exp
        else:
            p = saved
            ch = at(p)

    while True:
        if not (ch in _WHITE and ch != "\0" and styles & _TRAILING_WHITE):
            end = None
            if styles & _TRAILING_SIGN and not sign_seen:
                end = _match(s, p, nfi.positive_sign)
                if end is None:
                    end = _match_negative(s, p, nfi)
                    if end is not None:
                        negative = True
            if end is not None:
                sign_seen = True
                p = end - 1
            elif ch == ")" and parens:
                parens = False
            else:
                break
        p += 1
        ch = at(p)

    if parens:
        return None
    if not nonzero:
        if kind != "decimal":
            scale = 0
        if kind == "int" and not has_decimal:
            negative = False
    if p < n and s[p:].strip("\0"):
        return None
    return _Parsed("".join(digits[:dig_end]), scale, negative, nonzero_tail)


# --------------------------------------------------------------------------- numbers from parsed digits

def parse_double(s: str, styles: int, nfi: NumberFormat) -> float | None:
    """.NET ``double.TryParse``: the value, or None."""
    parsed = _parse_number(s, styles, nfi, "float")
    if parsed is not None:
        if not parsed.digits:
            return -0.0 if parsed.negative else 0.0
        tail = "1" if parsed.nonzero_tail else ""
        value = float(f"0.{parsed.digits}{tail}e{parsed.scale}")
        return -value if parsed.negative else value
    trimmed = s.strip()
    folded = trimmed.upper()
    if folded == nfi.positive_infinity_symbol.upper():
        return math.inf
    if folded == nfi.negative_infinity_symbol.upper():
        return -math.inf
    nan = nfi.nan_symbol.upper()
    if folded == nan:
        return math.nan
    positive = nfi.positive_sign.upper()
    if positive and folded.startswith(positive):
        rest = folded[len(positive):]
        if rest == nfi.positive_infinity_symbol.upper():
            return math.inf
        if rest == nan:
            return math.nan
        return None
    negative = nfi.negative_sign.upper()
    if negative and folded.startswith(negative) and folded[len(negative):] == nan:
        return math.nan
    if nfi.allow_hyphen_during_parsing and folded.startswith("-") and folded[1:] == nan:
        return math.nan
    return None


def parse_int64(s: str, styles: int, nfi: NumberFormat) -> int | None:
    """.NET ``long.TryParse``: the value, or None (also on overflow)."""
    parsed = _parse_number(s, styles, nfi, "int")
    if parsed is None:
        return None
    if parsed.scale > 19 or parsed.scale < len(parsed.digits):
        return None
    value = int((parsed.digits or "0") + "0" * (parsed.scale - len(parsed.digits))) if parsed.digits else 0
    value = -value if parsed.negative else value
    return value if INT64_MIN <= value <= INT64_MAX else None


class _Overflow(Exception):
    pass


def parse_decimal(s: str, nfi: NumberFormat = INVARIANT) -> Decimal | None:
    """.NET ``decimal.TryParse(s, NumberStyles.Number, nfi)``; raises _Overflow when out of range."""
    parsed = _parse_number(s, _NUMBER, nfi, "decimal")
    if parsed is None:
        return None
    value = _number_to_decimal(parsed)
    if value is None:
        raise _Overflow(s)
    return value


def _number_to_decimal(num: _Parsed) -> Decimal | None:  # noqa: C901 - port of TryNumberToDecimal
    digits = num.digits
    p = 0

    def at(i: int) -> str:
        return digits[i] if i < len(digits) else ""

    e = num.scale
    c = at(0)
    if not c:
        return Decimal((0, (0,), -max(0, min(28, -e))))
    if e > 29:
        return None
    low = 0
    while e > -28:
        e -= 1
        low = low * 10 + int(c)
        p += 1
        c = at(p)
        if low >= _U64 // 10:
            break
        if not c:
            while e > 0:
                e -= 1
                low *= 10
                if low >= _U64 // 10:
                    break
            break
    high = 0
    while (e > 0 or (c and e > -28)) and (
            high < _U32 // 10 or (high == _U32 // 10 and (
                low < 0x9999999999999999 or (low == 0x9999999999999999 and (not c or c <= "5"))))):
        value = ((high << 64) | low) * 10
        if c:
            value += int(c)
            p += 1
            c = at(p)
        high, low = value >> 64, value & _U64
        e -= 1
    if c and c >= "5":
        round_up = True
        if c == "5" and low & 1 == 0:
            p += 1
            c = at(p)
            zero_tail = not num.nonzero_tail
            while c and zero_tail:
                zero_tail = c == "0"
                p += 1
                c = at(p)
            round_up = not zero_tail
        if round_up:
            low = (low + 1) & _U64
            if low == 0:
                high = (high + 1) & _U32
                if high == 0:
                    low, high = 0x999999999999999A, _U32 // 10
                    e += 1
    if e > 0:
        return None
    sign = 1 if num.negative else 0
    if e <= -29:
        return Decimal((sign, (0,), -28))
    mantissa = (high << 64) | low
    if mantissa == 0:
        sign = 0
    return Decimal((sign, tuple(int(d) for d in str(mantissa)), e))


def decimal_from_double(value: float) -> Decimal:
    """.NET ``(decimal)double``: 15 significant digits, trailing zeros dropped. Raises OverflowError."""
    if math.isnan(value) or math.isinf(value) or abs(value) >= 7.922816251426434e28:
        raise OverflowError(value)
    if abs(value) < 1e-28:
        return Decimal(0)
    text = format(value, ".14e")
    result = Decimal(text)
    if result == result.to_integral_value():
        return Decimal(int(result))
    result = result.normalize()
    if result.as_tuple().exponent < -28:
        result = result.quantize(Decimal(1).scaleb(-28))
    return result


# --------------------------------------------------------------------------- helpers

def _conversion_error(fn: str) -> ExpressionError:
    return function_error(fn, "was invoked with a parameter that is not valid. The value cannot be converted to "
                              "the target type.")


def _culture_arg(fn: str, locale) -> NumberFormat:
    locale = want_str(fn, 1 if fn != "formatNumber" else 2, locale)
    try:
        return get_culture(locale)
    except CultureNotFound:
        raise function_error(fn, f"was invoked with a parameter that is not valid. The locale '{locale}' is not "
                                 f"a valid culture name.") from None


def _text_of_number(value) -> str | None:
    """The string a non-string argument is parsed from (numbers only)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    return None


# --------------------------------------------------------------------------- functions

@function("int", min_args=1, category="conversion")
def int_(value):
    if is_integer(value):
        return value
    text = value if isinstance(value, str) else _text_of_number(value)
    if text is None:
        raise _conversion_error("int")
    number = parse_double(text, _FLOAT | _THOUSANDS, INVARIANT)
    if number is None:
        raise _conversion_error("int")
    if math.isnan(number):
        return INT64_MIN
    if math.isinf(number) or not -(2.0**63) <= number < 2.0**63:
        raise function_error("int", "failed: Arithmetic operation resulted in an overflow.")
    if number != math.floor(number):
        raise _conversion_error("int")
    return int(number)


@function("float", min_args=1, max_args=2, category="conversion")
def float_(value, locale=None):
    nfi = get_culture("en-us") if locale is None else _culture_arg("float", locale)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        text = value
    else:
        if isinstance(value, Decimal):
            return float(value)
        if is_integer(value):
            return float(value)
        raise _conversion_error("float")
    number = parse_double(text, _FLOAT | _NUMBER, nfi)
    if number is None:
        raise _conversion_error("float")
    return number


@function("decimal", min_args=1, category="conversion")
def decimal_(value):
    if isinstance(value, Decimal):
        return value
    if is_integer(value):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return decimal_from_double(value)
        except OverflowError:
            raise function_error("decimal", "failed: Value was either too large or too small for a Decimal.") \
                from None
    if not isinstance(value, str):
        raise _conversion_error("decimal")
    try:
        number = parse_decimal(value)
    except _Overflow:
        raise function_error("decimal", "failed: Value was either too large or too small for a Decimal.") \
            from None
    if number is None:
        raise _conversion_error("decimal")
    return number


@function("isInt", min_args=1, category="string")
def is_int(value):
    return parse_int64(want_str("isInt", 0, value), _INTEGER | _EXPONENT | _THOUSANDS, INVARIANT) is not None


@function("isFloat", min_args=1, max_args=2, category="string")
def is_float(value, locale=None):
    value = want_str("isFloat", 0, value)
    nfi = INVARIANT if locale is None else _culture_arg("isFloat", locale)
    return parse_double(value, _FLOAT | _NUMBER, nfi) is not None


@function("formatNumber", min_args=2, max_args=3, category="string")
def format_number_(number, fmt, locale="en-us"):
    number = want_number("formatNumber", 0, number, "a number")
    fmt = want_str("formatNumber", 1, fmt)
    nfi = _culture_arg("formatNumber", locale)
    try:
        return format_number(number, fmt, nfi)
    except FormatError:
        raise function_error("formatNumber", f"was invoked with a parameter that is not valid. The format "
                                              f"'{fmt}' is not a valid numeric format string.") from None
