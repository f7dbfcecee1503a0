"""The digit buffer (.NET ``NumberBuffer``) that the standard and custom formats lay out.

A number is ``0.d1d2d3... * 10**scale`` with a sign. Int64 and Decimal digits are exact. Double digits for
standard formats are the exact binary value rounded once at the requested position, ties to even (Dragon4);
``R`` and ``G`` without precision give the shortest round-trip digits. :func:`round_number` is .NET's
``RoundNumber`` (half up, unless the digits are already correctly rounded).
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from .cultures import NumberFormat


class NumberBuffer:
    """.NET's NumberBuffer: ``0.d1d2d3... * 10**scale``; digits carry no leading zeros."""

    __slots__ = ("kind", "digits", "scale", "negative")

    def __init__(self, kind: str, digits: str, scale: int, negative: bool):
        self.kind = kind  # "int", "float" or "decimal"
        self.digits = list(digits)
        self.scale = scale
        self.negative = negative

    def d(self, i: int) -> str:
        """The digit at ``i``, or "" past the end (.NET's NUL terminator)."""
        return self.digits[i] if 0 <= i < len(self.digits) else ""


def double_digits(value: float, precision: int, significant: bool) -> tuple[str, int]:
    """Digits and scale of a positive finite double, as Dragon4/Grisu produce them."""
    if precision == -1:
        return shortest_digits(value)
    exact = Decimal(value)
    if significant:
        quantum = exact.adjusted() - precision + 1
    else:
        quantum = -precision
    with decimal.localcontext() as ctx:
        ctx.prec = 1200
        ctx.rounding = decimal.ROUND_HALF_EVEN
        rounded = exact.quantize(Decimal(1).scaleb(quantum))
    if not rounded:
        return "", 0
    _, mantissa, exponent = rounded.as_tuple()
    text = "".join(map(str, mantissa)).lstrip("0")
    scale = len(text) + exponent
    return text.rstrip("0"), scale


def shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of a positive finite double and the scale (value = 0.DIGITS * 10**scale)."""
    text = repr(value)
    mantissa, _, exp = text.partition("e")
    int_part, _, frac = mantissa.partition(".")
    if frac == "0":
        frac = ""
    raw = int_part + frac
    stripped = raw.lstrip("0")
    scale = len(int_part) + (int(exp) if exp else 0) - (len(raw) - len(stripped))
    return stripped.rstrip("0"), scale


def round_number(number: NumberBuffer, pos: int, correctly_rounded: bool) -> None:
    """.NET RoundNumber: keep ``pos`` digits, round half up (unless already correctly rounded)."""
    dig = number.digits
    i = 0
    while i < pos and i < len(dig):
        i += 1
    if i == pos and i < len(dig) and not correctly_rounded and dig[i] >= "5":
        while i > 0 and dig[i - 1] == "9":
            i -= 1
        if i > 0:
            dig[i - 1] = chr(ord(dig[i - 1]) + 1)
        else:
            number.scale += 1
            dig[0] = "1"
            i = 1
    else:
        while i > 0 and dig[i - 1] == "0":
            i -= 1
    if i == 0:
        if number.kind != "float":
            number.negative = False
        number.scale = 0
    del dig[i:]


def format_exponent(nfi: NumberFormat, value: int, exp_char: str, min_digits: int,
                    positive_sign: bool) -> str:
    """The exponent part of E/G and custom scientific formats: letter, sign, at least ``min_digits``."""
    if value < 0:
        sign = nfi.negative_sign
    else:
        sign = nfi.positive_sign if positive_sign else ""
    return f"{exp_char}{sign}{str(abs(value)).zfill(min_digits)}"
