"""``DateTime.ToString(format, culture)``: the standard specifiers (d D f F g G m M o O r R s t T u U y Y)
and custom patterns (yyyy MM MMM MMMM dd ddd dddd HH hh mm ss f..fffffff F..FFFFFFF tt K z zz zzz g,
``'`` and ``"`` quoted literals, ``\\`` escapes, ``%``, ``/`` and ``:`` as the culture's separators,
genitive month names next to a day number).
"""

from __future__ import annotations

from .cultures import INVARIANT, Culture, get_culture
from .errors import DateFormatError
from .patterns import custom_tokens
from .values import UTC, DateTimeValue

ROUND_TRIP = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK"
_INVARIANT_STANDARD = {
    "o": ROUND_TRIP,
    "O": ROUND_TRIP,
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
}
_CULTURE_STANDARD = {"d": "d", "D": "D", "f": "f", "F": "F", "g": "g", "G": "G", "m": "M", "M": "M",
                     "t": "t", "T": "T", "y": "Y", "Y": "Y", "U": "F"}


def expand_standard(fmt: str, culture: Culture) -> tuple[str, Culture]:
    """Resolve a format string to a custom pattern and the culture to format it with."""
    if fmt == "":
        fmt = "G"
    if len(fmt) != 1:
        return fmt, culture
    if fmt in _INVARIANT_STANDARD:
        return _INVARIANT_STANDARD[fmt], INVARIANT
    if fmt in _CULTURE_STANDARD:
        return culture.patterns[_CULTURE_STANDARD[fmt]], culture
    raise DateFormatError(fmt)


def format_datetime(value: DateTimeValue, fmt: str = "o", culture: Culture | None = None) -> str:
    """``DateTime.ToString(fmt, culture)`` (culture defaults to en-US)."""
    culture = culture or get_culture("en-US")
    if fmt == "U":
        value = value.with_kind(UTC)  # ToUniversalTime(): the host's local zone is UTC
    pattern, culture = expand_standard(fmt, culture)
    return _format_custom(value, pattern, culture)


def _format_custom(value: DateTimeValue, fmt: str, culture: Culture) -> str:
    out: list[str] = []
    for kind, arg, position in custom_tokens(fmt):
        if kind == "lit":
            out.append(arg)
        elif kind == "/":
            out.append(culture.date_sep)
        elif kind == ":":
            out.append(culture.time_sep)
        elif kind == "d":
            if arg <= 2:
                out.append(f"{value.day:0{arg}d}")
            else:
                names = culture.abbr_day_names if arg == 3 else culture.day_names
                out.append(names[value.day_of_week])
        elif kind == "M":
            if arg <= 2:
                out.append(f"{value.month:0{arg}d}")
            else:
                genitive = culture.use_genitive and _use_genitive(fmt, position, arg)
                if arg == 3:
                    names = culture.abbr_month_genitive if genitive else culture.abbr_month_names
                else:
                    names = culture.month_genitive if genitive else culture.month_names
                out.append(names[value.month - 1])
        elif kind == "y":
            year = value.year
            out.append(f"{year % 100:0{arg}d}" if arg <= 2 else f"{year:0{arg}d}")
        elif kind == "h":
            out.append(f"{(value.hour % 12) or 12:0{min(arg, 2)}d}")
        elif kind == "H":
            out.append(f"{value.hour:0{min(arg, 2)}d}")
        elif kind == "m":
            out.append(f"{value.minute:0{min(arg, 2)}d}")
        elif kind == "s":
            out.append(f"{value.second:0{min(arg, 2)}d}")
        elif kind in "fF":
            digits = f"{value.fraction:07d}"[:arg]
            if kind == "F":
                digits = digits.rstrip("0")
                if not digits:
                    if out and out[-1].endswith("."):
                        out[-1] = out[-1][:-1]
                    continue
            out.append(digits)
        elif kind == "t":
            designator = culture.am if value.hour < 12 else culture.pm
            out.append(designator[:1] if arg == 1 else designator)
        elif kind == "g":
            out.append(culture.era)
        elif kind == "z":
            out.append("+0" if arg == 1 else "+00" if arg == 2 else "+00:00")
        elif kind == "K":
            out.append("Z" if value.kind == UTC else "")
    return "".join(out)


def _use_genitive(fmt: str, index: int, length: int) -> bool:
    """.NET's IsUseGenitiveForm: a ``d``/``dd`` before or after the month token."""
    i = index - 1
    while i >= 0 and fmt[i] != "d":
        i -= 1
    if i >= 0:
        repeat = 0
        i -= 1
        while i >= 0 and fmt[i] == "d":
            repeat += 1
            i -= 1
        if repeat <= 1:
            return True
    i = index + length
    while i < len(fmt) and fmt[i] != "d":
        i += 1
    if i < len(fmt):
        repeat = 0
        i += 1
        while i < len(fmt) and fmt[i] == "d":
            repeat += 1
            i += 1
        if repeat <= 1:
            return True
    return False
