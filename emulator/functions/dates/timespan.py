"""``TimeSpan.Parse`` (invariant culture) and ``TimeSpan.ToString``; a time span is a signed tick count."""

from __future__ import annotations

import re

from .cultures import INVARIANT, Culture
from .errors import DateFormatError, DateParseError
from .values import TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND

_TIMESPAN = re.compile(
    r"^\s*(?P<neg>-)?(?:(?P<days_only>\d+)"
    r"|(?:(?P<days>\d+)\.)?(?P<h>\d+):(?P<m>\d+)(?::(?P<s>\d+)(?:\.(?P<f>\d{1,7}))?)?"
    r"|(?P<cdays>\d+):(?P<ch>\d+):(?P<cm>\d+):(?P<cs>\d+)(?:\.(?P<cf>\d{1,7}))?)\s*$"
)
MAX_TIMESPAN_TICKS = 2**63 - 1


def parse_timespan(text: str) -> int:
    """``TimeSpan.Parse(text, InvariantCulture)`` -> ticks."""
    match = _TIMESPAN.match(text)
    if not match:
        raise DateParseError(text)
    if match["days_only"] is not None:
        ticks = int(match["days_only"]) * TICKS_PER_DAY
    else:
        c = "c" if match["cdays"] is not None else ""
        hours, minutes = int(match[c + "h"]), int(match[c + "m"])
        seconds = int(match[c + "s"] or 0)
        if hours > 23 or minutes > 59 or seconds > 59:
            raise DateParseError(text)
        fraction = int((match[c + "f"] or "").ljust(7, "0"))
        ticks = (int(match[c + "days"] or 0) * TICKS_PER_DAY + hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE
                 + seconds * TICKS_PER_SECOND + fraction)
    if ticks > MAX_TIMESPAN_TICKS:
        raise DateParseError(text)
    return -ticks if match["neg"] else ticks


def _timespan_parts(ticks: int) -> tuple[str, int, int, int, int, int]:
    sign = "-" if ticks < 0 else ""
    t = abs(ticks)
    days, t = divmod(t, TICKS_PER_DAY)
    hours, t = divmod(t, TICKS_PER_HOUR)
    minutes, t = divmod(t, TICKS_PER_MINUTE)
    seconds, fraction = divmod(t, TICKS_PER_SECOND)
    return sign, days, hours, minutes, seconds, fraction


def format_timespan(ticks: int, fmt: str | None = "c", culture: Culture | None = None) -> str:
    """``TimeSpan.ToString(fmt, culture)``: standard c/t/T/g/G and custom formats."""
    culture = culture or INVARIANT
    sign, days, hours, minutes, seconds, fraction = _timespan_parts(ticks)
    if fmt in (None, "", "c", "t", "T"):
        text = f"{sign}{f'{days}.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
        return text + (f".{fraction:07d}" if fraction else "")
    if fmt == "g":
        text = f"{sign}{f'{days}:' if days else ''}{hours}:{minutes:02d}:{seconds:02d}"
        digits = f"{fraction:07d}".rstrip("0")
        return text + (culture.decimal_sep + digits if digits else "")
    if fmt == "G":
        return f"{sign}{days}:{hours:02d}:{minutes:02d}:{seconds:02d}{culture.decimal_sep}{fraction:07d}"
    if len(fmt) == 1:
        raise DateFormatError(fmt)
    return "".join(_timespan_custom(fmt, days, hours, minutes, seconds, fraction))


def _timespan_custom(fmt: str, days: int, hours: int, minutes: int, seconds: int, fraction: int):
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        j = i
        while j < n and fmt[j] == ch:
            j += 1
        count = j - i
        if ch == "d":
            if count > 8:
                raise DateFormatError(fmt)
            yield f"{days:0{count}d}"
        elif ch in "hms":
            if count > 2:
                raise DateFormatError(fmt)
            yield f"{ {'h': hours, 'm': minutes, 's': seconds}[ch]:0{count}d}"
        elif ch in "fF":
            if count > 7:
                raise DateFormatError(fmt)
            digits = f"{fraction:07d}"[:count]
            yield digits.rstrip("0") if ch == "F" else digits
        elif ch in "'\"":
            end = fmt.find(ch, i + 1)
            if end < 0:
                raise DateFormatError(fmt)
            yield fmt[i + 1:end]
            j = end + 1
        elif ch == "\\":
            if i + 1 >= n:
                raise DateFormatError(fmt)
            yield fmt[i + 1]
            j = i + 2
        elif ch == "%":
            if i + 1 >= n or fmt[i + 1] == "%":
                raise DateFormatError(fmt)
            yield from _timespan_custom(fmt[i + 1], days, hours, minutes, seconds, fraction)
            j = i + 2
        else:
            raise DateFormatError(fmt)
        i = j
