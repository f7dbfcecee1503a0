"""``DateTime.Parse`` and ``DateTime.ParseExact``.

:func:`parse_datetime` is a lenient ``Parse`` (ISO 8601 with or without zone, culture date orders, month
and day names, AM/PM, RFC 1123); :func:`parse_exact` is ``ParseExact`` with a standard or custom format.
Both follow ``DateTimeStyles.AdjustToUniversal``: an explicit offset is folded into a UTC value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timezone

from .cultures import EN_DAYS, EN_MONTHS, INVARIANT, Culture
from .errors import DateParseError, DateRangeError
from .formatting import expand_standard
from .patterns import custom_tokens
from .values import TICKS_PER_MINUTE, UTC, DateTimeValue

# --------------------------------------------------------------------------------------------------
# DateTime.Parse
# --------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\d+|[^\W\d_]+|.", re.UNICODE)
_SEPARATORS = set(",/-.:'")


def _two_digit_year(year: int, digits: int) -> int:
    if digits <= 2:
        return year + (2000 if year <= 49 else 1900)
    return year


def _name_tables(culture: Culture):
    cached = _NAME_TABLES.get(id(culture))
    if cached is not None and cached[0] is culture:
        return cached[1]
    tables = _build_name_tables(culture)
    _NAME_TABLES[id(culture)] = (culture, tables)
    return tables


_NAME_TABLES: dict[int, tuple[Culture, tuple[dict[str, int], dict[str, int]]]] = {}


def _build_name_tables(culture: Culture):
    months: dict[str, int] = {}
    for table in (culture.month_names, culture.month_genitive, culture.abbr_month_names,
                  culture.abbr_month_genitive, EN_MONTHS, [m[:3] for m in EN_MONTHS]):
        for index, name in enumerate(table):
            key = name.lower().rstrip(".")
            if key:
                months.setdefault(key, index + 1)
    days: dict[str, int] = {}
    for table in (culture.day_names, culture.abbr_day_names, EN_DAYS, [d[:3] for d in EN_DAYS]):
        for index, name in enumerate(table):
            key = name.lower().rstrip(".")
            if key:
                days.setdefault(key, index)
    return months, days


def _designator(word: str, culture: Culture) -> str | None:
    w = word.lower().replace(".", "").replace(" ", "")
    for am, pm in ((culture.am, culture.pm), ("AM", "PM")):
        if am and w == am.lower().replace(".", "").replace(" ", ""):
            return "am"
        if pm and w == pm.lower().replace(".", "").replace(" ", ""):
            return "pm"
    return None


def _today() -> date:
    return datetime.now(timezone.utc).date()


def parse_datetime(text: str, culture: Culture | None = None,
                   today: Callable[[], date] = _today) -> DateTimeValue:
    """``DateTime.Parse(text, culture, AdjustToUniversal)``: lenient, culture-aware."""
    culture = culture or INVARIANT
    tokens = [t for t in _TOKEN.findall(text.strip().rstrip("\0"))]
    months, days = _name_tables(culture)
    nums: list[tuple[int, int]] = []  # (value, digit count) of date numbers
    month = dow = time = ampm = None
    offset: int | None = None  # minutes east of UTC; 0 for Z/GMT
    month_first = False
    i, n = 0, len(tokens)

    def peek(k: int) -> str:
        return tokens[k] if k < n else ""

    def read_offset(k: int, sign: int) -> int:
        nonlocal offset
        digits = peek(k)
        if not digits.isdigit():
            raise DateParseError(text)
        if len(digits) <= 2:
            hours, minutes, k = int(digits), 0, k + 1
            if peek(k) == ":" and peek(k + 1).isdigit() and len(peek(k + 1)) == 2:
                minutes, k = int(peek(k + 1)), k + 2
        elif len(digits) == 4:
            hours, minutes, k = int(digits[:2]), int(digits[2:]), k + 1
        else:
            raise DateParseError(text)
        if hours > 14 or minutes > 59:
            raise DateParseError(text)
        offset = sign * (hours * 60 + minutes)
        return k

    zone_may_follow = False  # a +hh:mm offset is only read right after the time (or GMT)
    while i < n:
        tok = tokens[i]
        if tok.isspace():
            i += 1
            continue
        if tok.isdigit():
            if time is None and peek(i + 1) in (":", culture.time_sep) and peek(i + 2).isdigit():
                hour, minute, second, frac = int(tok), int(peek(i + 2)), 0, 0
                i += 3
                if peek(i) in (":", culture.time_sep) and peek(i + 1).isdigit():
                    second = int(peek(i + 1))
                    i += 2
                    if peek(i) in (".", ",", culture.decimal_sep) and peek(i + 1).isdigit():
                        digits = peek(i + 1)
                        frac = int(digits[:7].ljust(7, "0"))
                        if len(digits) > 7 and digits[7] >= "5":
                            frac += 1
                        i += 2
                time = [hour, minute, second, frac]
            elif time is None and _designator(_next_word(tokens, i + 1), culture):
                time = [int(tok), 0, 0, 0]
                i += 1
            else:
                nums.append((int(tok), len(tok)))
                i += 1
            zone_may_follow = time is not None and offset is None
            continue
        elif tok in "+-" and zone_may_follow and peek(i + 1).isdigit():
            i = read_offset(i + 1, 1 if tok == "+" else -1)
        elif tok.isalpha():
            word = tok.lower()
            if word in ("z", "gmt", "utc") and offset is None:
                offset = 0
                i += 1
                zone_may_follow = word != "z"
                continue
            elif word == "t" and peek(i + 1).isdigit():
                i += 1
            elif _designator(tok, culture) and time is not None and ampm is None:
                ampm = _designator(tok, culture)
                i += 1
                zone_may_follow = offset is None
                continue
            elif word.rstrip(".") in months and month is None:
                month = months[word.rstrip(".")]
                month_first = not nums
                i += 1
            elif word in days and dow is None:
                dow = days[word]
                i += 1
            elif word in culture.date_words:
                i += 1
            else:
                designator, length = _spaced_designator(tokens, i, culture)
                if designator and time is not None and ampm is None:
                    ampm = designator
                    i += length
                else:
                    raise DateParseError(text)
        elif tok in _SEPARATORS or tok == culture.date_sep:
            i += 1
        else:
            raise DateParseError(text)
        zone_may_follow = False

    if time is None and not nums and month is None:
        raise DateParseError(text)
    year, mon, day = _resolve_date(nums, month, month_first, culture, today, text)
    hour = minute = second = frac = 0
    if time is not None:
        hour, minute, second, frac = time
        if ampm is not None:
            if hour > 12 or hour == 0 and ampm == "pm":
                raise DateParseError(text)
            if ampm == "am" and hour == 12:
                hour = 0
            elif ampm == "pm" and hour < 12:
                hour += 12
    try:
        value = DateTimeValue.from_parts(year, mon, day, hour, minute, second, frac)
    except DateRangeError:
        raise DateParseError(text) from None
    if dow is not None and value.day_of_week != dow:
        raise DateParseError(text)
    return _with_offset(value, offset, text)


def _next_word(tokens: list[str], k: int) -> str:
    while k < len(tokens) and tokens[k].isspace():
        k += 1
    return tokens[k] if k < len(tokens) else ""


def _spaced_designator(tokens: list[str], i: int, culture: Culture) -> tuple[str | None, int]:
    """AM/PM designators written with dots and spaces (``a. m.``) span several tokens."""
    text = ""
    for length in range(1, 7):
        if i + length > len(tokens):
            break
        text += tokens[i + length - 1]
        found = _designator(text, culture) if any(c.isalpha() for c in text) else None
        if found:
            # swallow a trailing dot that belongs to the designator
            if i + length < len(tokens) and tokens[i + length] == ".":
                length += 1
            return found, length
    return None, 0


def _resolve_date(nums, month, month_first, culture, today, text):
    def fail():
        raise DateParseError(text)

    if month is not None:
        if len(nums) == 2:
            (a, da), (b, db) = nums
            if da >= 3 and not month_first:
                return a, month, b  # 2016 January 31
            if da >= 3:
                return a, month, b
            return _two_digit_year(b, db), month, a
        if len(nums) == 1:
            value, digits = nums[0]
            if digits >= 3 or value > 31:
                return _two_digit_year(value, digits), month, 1
            return today().year, month, value
        if not nums:
            return today().year, month, 1
        fail()
    if len(nums) == 3:
        (a, da), (b, db), (c, dc) = nums
        if da >= 3:
            return a, b, c
        order = culture.date_order
        if order == "YMD":
            return _two_digit_year(a, da), b, c
        if order == "DMY":
            return _two_digit_year(c, dc), b, a
        return _two_digit_year(c, dc), a, b
    if len(nums) == 2:
        (a, da), (b, db) = nums
        if da >= 3:
            return a, b, 1
        if db >= 3:
            return b, a, 1
        if culture.date_order == "DMY":
            return today().year, b, a
        return today().year, a, b
    if not nums:
        current = today()
        return current.year, current.month, current.day
    fail()


# --------------------------------------------------------------------------------------------------
# DateTime.ParseExact
# --------------------------------------------------------------------------------------------------


def parse_exact(text: str, fmt: str, culture: Culture | None = None,
                today: Callable[[], date] = _today) -> DateTimeValue:
    """``DateTime.ParseExact(text, fmt, culture, AdjustToUniversal)``."""
    culture = culture or INVARIANT
    pattern, culture = expand_standard(fmt, culture)
    s = text.strip()
    pos = 0
    fields: dict[str, int] = {}
    offset: int | None = None
    ampm: str | None = None
    dow: int | None = None

    def fail():
        raise DateParseError(text)

    def digits(minimum: int, maximum: int) -> tuple[int, int]:
        nonlocal pos
        end = pos
        while end < len(s) and end - pos < maximum and s[end].isdigit():
            end += 1
        if end - pos < minimum:
            fail()
        value, count = int(s[pos:end] or 0), end - pos
        pos = end
        return value, count

    def name(tables: list[list[str]]) -> int:
        nonlocal pos
        best = (0, -1)
        lowered = s[pos:].lower()
        for table in tables:
            for index, candidate in enumerate(table):
                if candidate and lowered.startswith(candidate.lower()) and len(candidate) > best[0]:
                    best = (len(candidate), index)
        if best[1] < 0:
            fail()
        pos += best[0]
        return best[1]

    def literal(expected: str):
        nonlocal pos
        if s[pos:pos + len(expected)] != expected:
            fail()
        pos += len(expected)

    def read_offset(require_minutes: bool, two_digit: bool):
        nonlocal pos, offset
        if pos >= len(s) or s[pos] not in "+-":
            fail()
        sign = 1 if s[pos] == "+" else -1
        pos += 1
        hours, _ = digits(2 if two_digit else 1, 2)
        minutes = 0
        if pos < len(s) and s[pos] == ":":
            pos += 1
            minutes, _ = digits(2, 2)
        elif require_minutes:
            fail()
        offset = sign * (hours * 60 + minutes)

    for kind, arg, _ in custom_tokens(pattern):
        if kind == "lit":
            literal(arg)
        elif kind == "/":
            literal(culture.date_sep)
        elif kind == ":":
            literal(culture.time_sep)
        elif kind == "d":
            if arg <= 2:
                fields["day"], _ = digits(arg, 2)
            else:
                dow = name([culture.abbr_day_names] if arg == 3 else [culture.day_names])
        elif kind == "M":
            if arg <= 2:
                fields["month"], _ = digits(arg, 2)
            elif arg == 3:
                fields["month"] = name([culture.abbr_month_genitive, culture.abbr_month_names]) + 1
            else:
                fields["month"] = name([culture.month_genitive, culture.month_names]) + 1
        elif kind == "y":
            if arg <= 2:
                value, count = digits(arg, 2)
                fields["year"] = _two_digit_year(value, 2)
            else:
                fields["year"], _ = digits(arg, max(arg, 4))
        elif kind in "hHms":
            key = {"h": "hour12", "H": "hour", "m": "minute", "s": "second"}[kind]
            fields[key], _ = digits(min(arg, 2), 2)
        elif kind == "f":
            value, _ = digits(arg, arg)
            fields["fraction"] = value * 10 ** (7 - arg)
        elif kind == "F":
            value, count = digits(0, arg)
            fields["fraction"] = value * 10 ** (7 - count) if count else 0
        elif kind == "t":
            designators = [culture.am, culture.pm] if arg > 1 else [culture.am[:1], culture.pm[:1]]
            ampm = "am" if name([designators]) == 0 else "pm"
        elif kind == "g":
            if s[pos:].lower().startswith(culture.era.lower()):
                pos += len(culture.era)
        elif kind == "z":
            read_offset(arg >= 3, arg == 2)
        elif kind == "K":
            if pos < len(s) and s[pos] in "Zz":
                pos += 1
                offset = 0
            elif pos < len(s) and s[pos] in "+-":
                read_offset(True, True)
    if pos != len(s):
        fail()

    hour = fields.get("hour", 0)
    if "hour12" in fields:
        hour = fields["hour12"] % 12
    if ampm is not None:
        if "hour12" not in fields and "hour" in fields and hour > 12:
            fail()
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if not any(k in fields for k in ("year", "month", "day")):
        current = today()
        year, month, day = current.year, current.month, current.day
    else:
        year = fields.get("year", today().year)
        month, day = fields.get("month", 1), fields.get("day", 1)
    try:
        value = DateTimeValue.from_parts(year, month, day, hour, fields.get("minute", 0),
                                         fields.get("second", 0), fields.get("fraction", 0))
    except DateRangeError:
        raise DateParseError(text) from None
    if dow is not None and value.day_of_week != dow:
        fail()
    return _with_offset(value, offset, text)


def _with_offset(value: DateTimeValue, offset: int | None, text: str) -> DateTimeValue:
    """A parsed local time with a UTC offset in minutes (None: none given) as the UTC time it names."""
    if offset is None:
        return value
    try:
        return DateTimeValue(value.ticks - offset * TICKS_PER_MINUTE, UTC)
    except DateRangeError:
        raise DateParseError(text) from None
