"""The standard numeric formats C, E, F, G, N, P and R, laid out from a digit buffer (D, X and B for Int64
are in ``formatting``). Negative, currency and percent layouts follow the culture's .NET pattern numbers.
"""

from __future__ import annotations

from .buffer import NumberBuffer, format_exponent, round_number
from .cultures import NumberFormat
from .errors import FormatError

_POS_CURRENCY = ["$#", "#$", "$ #", "# $"]
_NEG_CURRENCY = ["($#)", "-$#", "$-#", "$#-", "(#$)", "-#$", "#-$", "#$-", "-# $", "-$ #", "# $-", "$ #-",
                 "$ -#", "#- $", "($ #)", "(# $)", "$- #"]
_POS_PERCENT = ["# %", "#%", "%#", "% #"]
_NEG_PERCENT = ["-# %", "-#%", "-%#", "%-#", "%#-", "#-%", "#%-", "-% #", "# %-", "% #-", "% -#", "#- %"]
_NEG_NUMBER = ["(#)", "-#", "- #", "#-", "# -"]


def format_standard(number: NumberBuffer, fmt: str, max_digits: int, nfi: NumberFormat) -> str:
    correct = number.kind == "float"
    upper = fmt.upper()
    out: list[str] = []
    if upper == "C":
        if max_digits < 0:
            max_digits = nfi.currency_decimal_digits
        round_number(number, number.scale + max_digits, correct)
        pattern = _NEG_CURRENCY[nfi.currency_negative_pattern] if number.negative \
            else _POS_CURRENCY[nfi.currency_positive_pattern]
        for ch in pattern:
            if ch == "#":
                out.append(_fixed(number, max_digits, nfi.currency_group_sizes, nfi.currency_decimal_separator,
                                  nfi.currency_group_separator))
            elif ch == "-":
                out.append(nfi.negative_sign)
            elif ch == "$":
                out.append(nfi.currency_symbol)
            else:
                out.append(ch)
    elif upper == "F":
        if max_digits < 0:
            max_digits = nfi.number_decimal_digits
        round_number(number, number.scale + max_digits, correct)
        if number.negative:
            out.append(nfi.negative_sign)
        out.append(_fixed(number, max_digits, None, nfi.number_decimal_separator, None))
    elif upper == "N":
        if max_digits < 0:
            max_digits = nfi.number_decimal_digits
        round_number(number, number.scale + max_digits, correct)
        pattern = _NEG_NUMBER[nfi.number_negative_pattern] if number.negative else "#"
        for ch in pattern:
            if ch == "#":
                out.append(_fixed(number, max_digits, nfi.number_group_sizes, nfi.number_decimal_separator,
                                  nfi.number_group_separator))
            elif ch == "-":
                out.append(nfi.negative_sign)
            else:
                out.append(ch)
    elif upper == "E":
        if max_digits < 0:
            max_digits = 6
        max_digits += 1
        round_number(number, max_digits, correct)
        if number.negative:
            out.append(nfi.negative_sign)
        out.append(_scientific(number, max_digits, nfi, fmt))
    elif upper == "G" or (upper == "R" and number.kind == "float"):
        exp_char = "E" if fmt in "GR" else "e"
        no_rounding = False
        skip_sign = False
        if max_digits < 1:
            if number.kind == "decimal" and max_digits == -1:
                no_rounding = True
                skip_sign = not number.digits  # -0 prints as 0 for decimal
            else:
                max_digits = len(number.digits)
        if not no_rounding:
            round_number(number, max_digits, correct)
        if number.negative and not skip_sign:
            out.append(nfi.negative_sign)
        out.append(_general(number, max_digits, nfi, exp_char, no_rounding))
    elif upper == "P":
        if max_digits < 0:
            max_digits = nfi.percent_decimal_digits
        number.scale += 2
        round_number(number, number.scale + max_digits, correct)
        pattern = _NEG_PERCENT[nfi.percent_negative_pattern] if number.negative \
            else _POS_PERCENT[nfi.percent_positive_pattern]
        for ch in pattern:
            if ch == "#":
                out.append(_fixed(number, max_digits, nfi.percent_group_sizes, nfi.percent_decimal_separator,
                                  nfi.percent_group_separator))
            elif ch == "-":
                out.append(nfi.negative_sign)
            elif ch == "%":
                out.append(nfi.percent_symbol)
            else:
                out.append(ch)
    else:
        raise FormatError("Format specifier was invalid.")
    return "".join(out)

def _group(digits: str, sizes, separator: str) -> str:
    if not sizes or sizes[0] <= 0 or not separator:
        return digits
    out: list[str] = []
    index, size, count = 0, sizes[0], 0
    rev_sep = separator[::-1]
    for i in range(len(digits) - 1, -1, -1):
        out.append(digits[i])
        if size > 0:
            count += 1
            if count == size and i != 0:
                out.append(rev_sep)
                if index < len(sizes) - 1:
                    index += 1
                    size = sizes[index]
                count = 0
    return "".join(out)[::-1]


def _fixed(number: NumberBuffer, max_digits: int, group_sizes, decimal_sep: str,
           group_sep: str | None) -> str:
    dig_pos = number.scale
    index = 0
    out: list[str] = []
    if dig_pos > 0:
        whole = "".join(number.d(i) or "0" for i in range(dig_pos))
        index = min(dig_pos, len(number.digits))
        out.append(_group(whole, group_sizes, group_sep) if group_sizes is not None else whole)
    else:
        out.append("0")
    if max_digits > 0:
        out.append(decimal_sep)
        if dig_pos < 0:
            zeros = min(-dig_pos, max_digits)
            out.append("0" * zeros)
            max_digits -= zeros
        while max_digits > 0:
            ch = number.d(index)
            if ch:
                index += 1
            out.append(ch or "0")
            max_digits -= 1
    return "".join(out)


def _scientific(number: NumberBuffer, max_digits: int, nfi: NumberFormat, exp_char: str) -> str:
    out = [number.d(0) or "0"]
    index = 1 if number.d(0) else 0
    if max_digits != 1:
        out.append(nfi.number_decimal_separator)
    for _ in range(max_digits - 1):
        ch = number.d(index)
        if ch:
            index += 1
        out.append(ch or "0")
    e = number.scale - 1 if number.d(0) else 0
    out.append(format_exponent(nfi, e, exp_char, 3, True))
    return "".join(out)


def _general(number: NumberBuffer, max_digits: int, nfi: NumberFormat, exp_char: str,
             suppress_sci: bool) -> str:
    dig_pos = number.scale
    scientific = False
    if not suppress_sci and (dig_pos > max_digits or dig_pos < -3):
        dig_pos = 1
        scientific = True
    out: list[str] = []
    index = 0
    if dig_pos > 0:
        while dig_pos > 0:
            ch = number.d(index)
            if ch:
                index += 1
            out.append(ch or "0")
            dig_pos -= 1
    else:
        out.append("0")
    if number.d(index) or dig_pos < 0:
        out.append(nfi.number_decimal_separator)
        out.append("0" * -dig_pos if dig_pos < 0 else "")
        out.append("".join(number.digits[index:]))
    if scientific:
        out.append(format_exponent(nfi, number.scale - 1, exp_char, 2, True))
    return "".join(out)
