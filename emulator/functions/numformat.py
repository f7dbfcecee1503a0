""".NET ``ToString(format, culture)`` for Int64, Double and Decimal: standard and custom numeric formats.

A port of ``Number.Formatting.cs`` (dotnet/runtime). A number is turned into a digit buffer (digits, decimal
scale, sign) and then laid out by the standard format (C, D, E, F, G, N, P, R, X, B) or the custom pattern.

Rounding follows .NET exactly:

* Int64 and Decimal digits are exact; rounding drops digits and rounds half away from zero.
* Double digits for standard formats are the exact binary value rounded once at the requested position,
  ties to even (Dragon4); ``R`` and ``G`` without precision give the shortest round-trip digits.
* Double digits for custom formats are first cut to 15 significant digits (ties to even), then rounded half
  up at the pattern's position (.NET keeps this double rounding for compatibility).
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

from .cultures import NumberFormat

MAX_PRECISION = 999_999_999  # .NET's limit for a precision specifier
MAX_OUTPUT_DIGITS = 100_000  # emulator guard: refuse to build absurdly long strings

_POS_CURRENCY = ["$#", "#$", "$ #", "# $"]
_NEG_CURRENCY = ["($#)", "-$#", "$-#", "$#-", "(#$)", "-#$", "#-$", "#$-", "-# $", "-$ #", "# $-", "$ #-",
                 "$ -#", "#- $", "($ #)", "(# $)", "$- #"]
_POS_PERCENT = ["# %", "#%", "%#", "% #"]
_NEG_PERCENT = ["-# %", "-#%", "-%#", "%-#", "%#-", "#-%", "#%-", "-% #", "# %-", "% #-", "% -#", "#- %"]
_NEG_NUMBER = ["(#)", "-#", "- #", "#-", "# -"]

_DOUBLE_PRECISION = 17  # digits that always round-trip; widens G/R so "-60" is not "-6E+01"
_DOUBLE_PRECISION_CUSTOM = 15


class FormatError(ValueError):
    """The format string is not valid for this kind of number (.NET FormatException)."""


class _Number:
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
    number = _Number("int", str(abs(value)) if value else "", len(str(abs(value))) if value else 0, value < 0)
    if letter:
        return _number_to_string(number, letter, digits, nfi)
    return _custom(number, fmt, nfi)


# --------------------------------------------------------------------------- Decimal

def _format_decimal(value: Decimal, fmt: str, nfi: NumberFormat) -> str:
    letter, digits = parse_format_specifier(fmt)
    _check_size(digits)
    sign, mantissa, exponent = value.as_tuple()
    text = "".join(map(str, mantissa)).lstrip("0")
    if exponent > 0:  # not produced by decimal(), but keep the value
        text = text + "0" * exponent if text else ""
        exponent = 0
    number = _Number("decimal", text, len(text) + exponent, bool(sign))
    if letter:
        return _number_to_string(number, letter, digits, nfi)
    return _custom(number, fmt, nfi)


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
        number = _Number("float", "", 0, negative)
    else:
        text, scale = _double_digits(abs(value), precision, significant)
        number = _Number("float", text, scale, negative)
    if letter:
        if precision == -1:
            max_digits = max(len(number.digits), _DOUBLE_PRECISION)
        return _number_to_string(number, letter, max_digits, nfi)
    return _custom(number, fmt, nfi)


def _double_digits(value: float, precision: int, significant: bool) -> tuple[str, int]:
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


# --------------------------------------------------------------------------- standard formats

def _number_to_string(number: _Number, fmt: str, max_digits: int, nfi: NumberFormat) -> str:
    correct = number.kind == "float"
    upper = fmt.upper()
    out: list[str] = []
    if upper == "C":
        if max_digits < 0:
            max_digits = nfi.currency_decimal_digits
        _round(number, number.scale + max_digits, correct)
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
        _round(number, number.scale + max_digits, correct)
        if number.negative:
            out.append(nfi.negative_sign)
        out.append(_fixed(number, max_digits, None, nfi.number_decimal_separator, None))
    elif upper == "N":
        if max_digits < 0:
            max_digits = nfi.number_decimal_digits
        _round(number, number.scale + max_digits, correct)
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
        _round(number, max_digits, correct)
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
            _round(number, max_digits, correct)
        if number.negative and not skip_sign:
            out.append(nfi.negative_sign)
        out.append(_general(number, max_digits, nfi, exp_char, no_rounding))
    elif upper == "P":
        if max_digits < 0:
            max_digits = nfi.percent_decimal_digits
        number.scale += 2
        _round(number, number.scale + max_digits, correct)
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


def _round(number: _Number, pos: int, correctly_rounded: bool) -> None:
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


def _fixed(number: _Number, max_digits: int, group_sizes, decimal_sep: str, group_sep: str | None) -> str:
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


def _exponent(nfi: NumberFormat, value: int, exp_char: str, min_digits: int, positive_sign: bool) -> str:
    if value < 0:
        sign = nfi.negative_sign
    else:
        sign = nfi.positive_sign if positive_sign else ""
    return f"{exp_char}{sign}{str(abs(value)).zfill(min_digits)}"


def _scientific(number: _Number, max_digits: int, nfi: NumberFormat, exp_char: str) -> str:
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
    out.append(_exponent(nfi, e, exp_char, 3, True))
    return "".join(out)


def _general(number: _Number, max_digits: int, nfi: NumberFormat, exp_char: str, suppress_sci: bool) -> str:
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
        out.append(_exponent(nfi, number.scale - 1, exp_char, 2, True))
    return "".join(out)


# --------------------------------------------------------------------------- custom formats

def _find_section(fmt: str, section: int) -> int:
    if section == 0:
        return 0
    src = 0
    n = len(fmt)
    while True:
        if src >= n:
            return 0
        ch = fmt[src]
        src += 1
        if ch in "'\"":
            while src < n and fmt[src] != "\0":
                src += 1
                if fmt[src - 1] == ch:
                    break
        elif ch == "\\":
            if src < n and fmt[src] != "\0":
                src += 1
        elif ch == ";":
            section -= 1
            if section != 0:
                continue
            if src < n and fmt[src] != "\0" and fmt[src] != ";":
                return src
            return 0
        elif ch == "\0":
            return 0


def _custom(number: _Number, fmt: str, nfi: NumberFormat) -> str:  # noqa: C901 - a faithful port
    n = len(fmt)
    section = _find_section(fmt, 2 if not number.d(0) else (1 if number.negative else 0))
    thousand_count = 0
    while True:
        digit_count = 0
        decimal_pos = -1
        first_digit = 0x7FFFFFFF
        last_digit = 0
        scientific = False
        thousand_pos = -1
        thousand_seps = False
        scale_adjust = 0
        src = section
        while src < n:
            ch = fmt[src]
            src += 1
            if ch in ("\0", ";"):
                break
            if ch == "#":
                digit_count += 1
            elif ch == "0":
                if first_digit == 0x7FFFFFFF:
                    first_digit = digit_count
                digit_count += 1
                last_digit = digit_count
            elif ch == ".":
                if decimal_pos < 0:
                    decimal_pos = digit_count
            elif ch == ",":
                if digit_count > 0 and decimal_pos < 0:
                    if thousand_pos >= 0:
                        if thousand_pos == digit_count:
                            thousand_count += 1
                            continue
                        thousand_seps = True
                    thousand_pos = digit_count
                    thousand_count = 1
            elif ch == "%":
                scale_adjust += 2
            elif ch == "\u2030":
                scale_adjust += 3
            elif ch in "'\"":
                while src < n and fmt[src] != "\0":
                    src += 1
                    if fmt[src - 1] == ch:
                        break
            elif ch == "\\":
                if src < n and fmt[src] != "\0":
                    src += 1
            elif ch in "Ee":
                if (src < n and fmt[src] == "0") or \
                        (src + 1 < n and fmt[src] in "+-" and fmt[src + 1] == "0"):
                    src += 1
                    while src < n and fmt[src] == "0":
                        src += 1
                    scientific = True
        if decimal_pos < 0:
            decimal_pos = digit_count
        if thousand_pos >= 0:
            if thousand_pos == decimal_pos:
                scale_adjust -= thousand_count * 3
            else:
                thousand_seps = True
        if number.d(0):
            number.scale += scale_adjust
            pos = digit_count if scientific else number.scale + digit_count - decimal_pos
            _round(number, pos, False)
            if not number.d(0):
                src = _find_section(fmt, 2)
                if src != section:
                    section = src
                    continue
        else:
            if number.kind != "float":
                number.negative = False
            number.scale = 0
        break

    first_digit = decimal_pos - first_digit if first_digit < decimal_pos else 0
    last_digit = decimal_pos - last_digit if last_digit > decimal_pos else 0
    if scientific:
        dig_pos = decimal_pos
        adjust = 0
    else:
        dig_pos = max(number.scale, decimal_pos)
        adjust = number.scale - decimal_pos
    src = section

    sep_positions: list[int] = []
    group_sep = nfi.number_group_separator
    if thousand_seps and group_sep:
        sizes = nfi.number_group_sizes
        index = 0
        total = sizes[0] if sizes else 0
        size = total
        total_digits = dig_pos + (adjust if adjust < 0 else 0)
        num_digits = max(first_digit, total_digits)
        while num_digits > total:
            if size == 0:
                break
            sep_positions.append(total)
            if index < len(sizes) - 1:
                index += 1
                size = sizes[index]
            total += size
    sep_ctr = len(sep_positions) - 1

    out: list[str] = []
    if number.negative and section == 0 and number.scale != 0:
        out.append(nfi.negative_sign)
    decimal_written = False
    cur = 0

    def emit_separator() -> None:
        nonlocal sep_ctr
        if thousand_seps and dig_pos > 1 and sep_ctr >= 0 and dig_pos == sep_positions[sep_ctr] + 1:
            out.append(group_sep)
            sep_ctr -= 1

    while src < n:
        ch = fmt[src]
        src += 1
        if ch in ("\0", ";"):
            break
        if adjust > 0 and ch in "#0.":
            while adjust > 0:
                digit = number.d(cur)
                if digit:
                    cur += 1
                out.append(digit or "0")
                emit_separator()
                dig_pos -= 1
                adjust -= 1
        if ch in "#0":
            if adjust < 0:
                adjust += 1
                digit = "0" if dig_pos <= first_digit else ""
            else:
                digit = number.d(cur)
                if digit:
                    cur += 1
                else:
                    digit = "0" if dig_pos > last_digit else ""
            if digit:
                out.append(digit)
                emit_separator()
            dig_pos -= 1
        elif ch == ".":
            if dig_pos != 0 or decimal_written:
                continue
            if last_digit < 0 or (decimal_pos < digit_count and number.d(cur)):
                out.append(nfi.number_decimal_separator)
                decimal_written = True
        elif ch == "\u2030":
            out.append(nfi.per_mille_symbol)
        elif ch == "%":
            out.append(nfi.percent_symbol)
        elif ch == ",":
            pass
        elif ch in "'\"":
            while src < n and fmt[src] != "\0" and fmt[src] != ch:
                out.append(fmt[src])
                src += 1
            if src < n and fmt[src] != "\0":
                src += 1
        elif ch == "\\":
            if src < n and fmt[src] != "\0":
                out.append(fmt[src])
                src += 1
        elif ch in "Ee":
            if scientific:
                positive_sign = False
                zeros = 0
                if src < n and fmt[src] == "0":
                    zeros = 1
                elif src + 1 < n and fmt[src] == "+" and fmt[src + 1] == "0":
                    positive_sign = True
                elif src + 1 < n and fmt[src] == "-" and fmt[src + 1] == "0":
                    pass
                else:
                    out.append(ch)
                    continue
                src += 1
                while src < n and fmt[src] == "0":
                    src += 1
                    zeros += 1
                zeros = min(zeros, 10)
                exp = number.scale - decimal_pos if number.d(0) else 0
                out.append(_exponent(nfi, exp, ch, zeros, positive_sign))
                scientific = False
            else:
                out.append(ch)
                if src < n:
                    if fmt[src] in "+-":
                        out.append(fmt[src])
                        src += 1
                    while src < n and fmt[src] == "0":
                        out.append(fmt[src])
                        src += 1
        else:
            out.append(ch)

    if number.negative and section == 0 and number.scale == 0 and out:
        out.insert(0, nfi.negative_sign)
    return "".join(out)
