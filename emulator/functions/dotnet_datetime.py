""".NET ``DateTime`` semantics for the workflow date functions: values, cultures, formatting, parsing.

A value is a :class:`DateTimeValue`: .NET ticks (100 ns units since 0001-01-01T00:00:00, so all 7
fraction digits survive) plus a ``kind``, ``"Utc"`` or ``"Unspecified"``, which decides what ``K`` and
``o`` write (``Z`` or nothing).

* :func:`format_datetime` implements ``DateTime.ToString(format, culture)``: the standard specifiers
  (d D f F g G m M o O r R s t T u U y Y) and custom patterns (yyyy MM MMM MMMM dd ddd dddd HH hh mm
  ss f..fffffff F..FFFFFFF tt K z zz zzz g, ``'`` and ``"`` quoted literals, ``\\`` escapes, ``%``,
  ``/`` and ``:`` as the culture's separators, genitive month names next to a day number).
* :func:`parse_datetime` is a lenient ``DateTime.Parse`` (ISO 8601 with or without zone, culture date
  orders, month and day names, AM/PM, RFC 1123); :func:`parse_exact` is ``DateTime.ParseExact``.
  Both follow ``DateTimeStyles.AdjustToUniversal``: an explicit offset is folded into a UTC value.
* Cultures come from CLDR through Babel, converted the way .NET on ICU converts ICU patterns.
* :func:`parse_timespan` / :func:`format_timespan` implement ``TimeSpan.Parse`` / ``ToString``.

Errors are plain exceptions (:class:`DateFormatError`, :class:`DateParseError`,
:class:`CultureNotFoundError`, :class:`DateRangeError`); ``datetime.py`` turns them into host messages.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property, lru_cache

TICKS_PER_SECOND = 10_000_000
TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND
TICKS_PER_HOUR = 60 * TICKS_PER_MINUTE
TICKS_PER_DAY = 24 * TICKS_PER_HOUR
MAX_TICKS = 3_155_378_975_999_999_999  # 9999-12-31T23:59:59.9999999
UTC = "Utc"
UNSPECIFIED = "Unspecified"


class DateFormatError(ValueError):
    """An invalid .NET format string (``FormatException``)."""


class DateParseError(ValueError):
    """A string that is not a date the parser recognises."""


class CultureNotFoundError(ValueError):
    """An unknown culture name."""


class DateRangeError(ValueError):
    """A result outside 0001-01-01 .. 9999-12-31."""


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateTimeValue:
    ticks: int
    kind: str = UNSPECIFIED

    def __post_init__(self):
        if not 0 <= self.ticks <= MAX_TICKS:
            raise DateRangeError("The added or subtracted value results in an un-representable DateTime.")

    @classmethod
    def from_parts(cls, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
                   fraction: int = 0, kind: str = UNSPECIFIED) -> DateTimeValue:
        try:
            days = date(year, month, day).toordinal() - 1
        except (ValueError, OverflowError) as exc:
            raise DateRangeError(str(exc)) from None
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60 and 0 <= fraction < TICKS_PER_SECOND):
            raise DateRangeError("time of day out of range")
        return cls(days * TICKS_PER_DAY + hour * TICKS_PER_HOUR + minute * TICKS_PER_MINUTE
                   + second * TICKS_PER_SECOND + fraction, kind)

    @classmethod
    def from_datetime(cls, value: datetime) -> DateTimeValue:
        """An aware datetime becomes a UTC value; a naive one an unspecified value."""
        kind = UNSPECIFIED
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
            kind = UTC
        return cls.from_parts(value.year, value.month, value.day, value.hour, value.minute, value.second,
                              value.microsecond * 10, kind)

    @cached_property
    def _date(self) -> date:
        return date.fromordinal(self.ticks // TICKS_PER_DAY + 1)

    @property
    def year(self) -> int:
        return self._date.year

    @property
    def month(self) -> int:
        return self._date.month

    @property
    def day(self) -> int:
        return self._date.day

    @property
    def time_of_day(self) -> int:
        return self.ticks % TICKS_PER_DAY

    @property
    def hour(self) -> int:
        return self.time_of_day // TICKS_PER_HOUR

    @property
    def minute(self) -> int:
        return self.time_of_day // TICKS_PER_MINUTE % 60

    @property
    def second(self) -> int:
        return self.time_of_day // TICKS_PER_SECOND % 60

    @property
    def fraction(self) -> int:
        """Ticks within the second (0..9,999,999)."""
        return self.ticks % TICKS_PER_SECOND

    @property
    def day_of_week(self) -> int:
        """.NET ``DayOfWeek``: Sunday = 0 ... Saturday = 6 (0001-01-01 was a Monday)."""
        return (self.ticks // TICKS_PER_DAY + 1) % 7

    @property
    def day_of_year(self) -> int:
        return self._date.timetuple().tm_yday

    def add_ticks(self, ticks: int) -> DateTimeValue:
        return DateTimeValue(self.ticks + ticks, self.kind)

    def add_months(self, months: int) -> DateTimeValue:
        """.NET ``AddMonths``: the day is clamped to the end of the target month."""
        index = self.year * 12 + (self.month - 1) + months
        year, month = divmod(index, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise DateRangeError("The added or subtracted value results in an un-representable DateTime.")
        day = min(self.day, calendar.monthrange(year, month)[1])
        return DateTimeValue((date(year, month, day).toordinal() - 1) * TICKS_PER_DAY + self.time_of_day,
                             self.kind)

    def with_ticks(self, ticks: int) -> DateTimeValue:
        return DateTimeValue(ticks, self.kind)

    def with_kind(self, kind: str) -> DateTimeValue:
        return DateTimeValue(self.ticks, kind)


# --------------------------------------------------------------------------------------------------
# Cultures
# --------------------------------------------------------------------------------------------------

_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
_EN_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@dataclass
class Culture:
    name: str
    month_names: list[str]
    abbr_month_names: list[str]
    day_names: list[str]  # Sunday first, like .NET
    abbr_day_names: list[str]
    am: str
    pm: str
    patterns: dict[str, str]  # d D t T M Y (f F g G derived)
    month_genitive: list[str] = field(default_factory=list)
    abbr_month_genitive: list[str] = field(default_factory=list)
    era: str = "A.D."
    date_sep: str = "/"
    time_sep: str = ":"
    decimal_sep: str = "."
    date_words: frozenset[str] = frozenset()

    def __post_init__(self):
        self.month_genitive = self.month_genitive or list(self.month_names)
        self.abbr_month_genitive = self.abbr_month_genitive or list(self.abbr_month_names)
        p = self.patterns
        p.setdefault("f", p["D"] + " " + p["t"])
        p.setdefault("F", p["D"] + " " + p["T"])
        p.setdefault("g", p["d"] + " " + p["t"])
        p.setdefault("G", p["d"] + " " + p["T"])

    @property
    def use_genitive(self) -> bool:
        return self.month_genitive != self.month_names or self.abbr_month_genitive != self.abbr_month_names

    @cached_property
    def date_order(self) -> str:
        """"MDY", "DMY" or "YMD": the order of the fields in the short date pattern."""
        order = ""
        for kind, _, _ in _custom_tokens(self.patterns["d"]):
            if kind in "yMd" and kind not in order:
                order += kind
        order = order.replace("y", "Y").replace("d", "D")
        return order if len(order) == 3 else "MDY"


INVARIANT = Culture(
    name="",
    month_names=_EN_MONTHS,
    abbr_month_names=[m[:3] for m in _EN_MONTHS],
    day_names=_EN_DAYS,
    abbr_day_names=[d[:3] for d in _EN_DAYS],
    am="AM",
    pm="PM",
    patterns={"d": "MM/dd/yyyy", "D": "dddd, dd MMMM yyyy", "t": "HH:mm", "T": "HH:mm:ss",
              "M": "MMMM dd", "Y": "yyyy MMMM"},
)


def _ldml_to_net(pattern: str, is_time: bool = False) -> str:
    """Convert a CLDR (ICU) pattern to a .NET custom format, as .NET's ICU culture loader does."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                out.append("\\'")
                i += 2
                continue
            j, text = i + 1, []
            while j < n:
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        text.append("'")
                        j += 2
                        continue
                    break
                text.append(pattern[j])
                j += 1
            literal = "".join(text).replace("\\", "\\\\").replace("'", "\\'")
            if is_time:
                literal = literal.replace("\u202f", " ")
            out.append("'" + literal + "'")
            i = j + 1
            continue
        if ch.isascii() and ch.isalpha():
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            count = j - i
            i = j
            if ch == "y":
                out.append("yy" if count == 2 else "yyyy")
            elif ch in "ML":
                out.append("M" * min(count, 4))
            elif ch == "d":
                out.append("d" * min(count, 2))
            elif ch in "Ec":
                out.append("ddd" if count <= 3 else "dddd")
            elif ch in "hHms":
                out.append(ch * min(count, 2))
            elif ch == "K":
                out.append("h" * min(count, 2))
            elif ch == "k":
                out.append("H" * min(count, 2))
            elif ch in "abB":
                out.append("tt")
            elif ch == "G":
                out.append("g")
            elif ch == "S":
                out.append("f" * min(count, 7))
            elif ch in "zvVOZXx":
                continue
            else:
                out.append("'" + ch * count + "'")
            continue
        if ch == "\u202f" and is_time:
            ch = " "
        if ch in "\\%\"":
            out.append("\\" + ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out).strip()


def _separator(net_pattern: str, fields: str, default: str) -> str:
    """The literal text between the first two fields of a .NET pattern (.NET's GetSeparator)."""
    tokens = list(_custom_tokens(net_pattern))
    for index, (kind, _, _) in enumerate(tokens):
        if kind in fields:
            text = []
            for kind2, value, _ in tokens[index + 1:]:
                if kind2 in fields:
                    return "".join(text) or default
                if kind2 == "lit":
                    text.append(value)
                elif kind2 in "/:":
                    text.append(default if kind2 == "/" and fields == "yMd" else value)
                else:
                    break
            return default
    return default


def _words(patterns) -> frozenset[str]:
    words = set()
    for pattern in patterns:
        for kind, value, _ in _custom_tokens(pattern):
            if kind == "lit":
                for word in re.findall(r"[^\W\d_]+", value):
                    words.add(word.lower())
    return frozenset(words)


@lru_cache(maxsize=64)
def get_culture(name: str | None) -> Culture:
    """The culture for a name such as ``en-us``, ``fr-FR``; ``""`` is the invariant culture."""
    if name is None or name.strip() == "" or name.strip().lower() in ("iv", "invariant"):
        return INVARIANT
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(name.strip().replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise CultureNotFoundError(name) from exc

    def names(table, width):
        return [table[width][k] for k in range(1, 13)]

    def days(table, width):
        data = table[width]
        return [data[6]] + [data[k] for k in range(6)]

    months, weekdays = loc.months, loc.days
    short_date = _ldml_to_net(loc.date_formats["short"].pattern)
    if re.search(r"(?<!y)yy(?!y)", short_date):  # .NET's FixDefaultShortDatePattern
        short_date = re.sub(r"(?<!y)yy(?!y)", "yyyy", short_date, count=1)
    patterns = {
        "d": short_date,
        "D": _ldml_to_net(loc.date_formats["full"].pattern),
        "t": _ldml_to_net(loc.time_formats["short"].pattern, True),
        "T": _ldml_to_net(loc.time_formats["medium"].pattern, True),
        "M": _ldml_to_net(loc.datetime_skeletons["MMMMd"].pattern),
        "Y": _ldml_to_net(loc.datetime_skeletons["yMMMM"].pattern),
    }
    periods = loc.day_periods.get("format", {}).get("abbreviated", {})
    decimal_sep = "."
    try:
        decimal_sep = loc.number_symbols["latn"]["decimal"]
    except (KeyError, TypeError):
        pass
    return Culture(
        name=str(loc),
        month_names=names(months["stand-alone"], "wide"),
        abbr_month_names=names(months["stand-alone"], "abbreviated"),
        month_genitive=names(months["format"], "wide"),
        abbr_month_genitive=names(months["format"], "abbreviated"),
        day_names=days(weekdays["stand-alone"], "wide"),
        abbr_day_names=days(weekdays["stand-alone"], "abbreviated"),
        am=periods.get("am", "AM"),
        pm=periods.get("pm", "PM"),
        patterns=patterns,
        era="A.D." if loc.language == "en" else loc.eras["abbreviated"][1],  # Windows NLS spelling
        date_sep=_separator(patterns["d"], "yMd", "/"),
        time_sep=_separator(patterns["T"], "Hhms", ":"),
        decimal_sep=decimal_sep,
        date_words=_words([_ldml_to_net(loc.date_formats[k].pattern) for k in ("long", "full")]
                          + [patterns["M"], patterns["Y"]]),
    )


# --------------------------------------------------------------------------------------------------
# Custom format tokens
# --------------------------------------------------------------------------------------------------

_FIELD_CHARS = "dMyhHmsfFtgzK"


def _custom_tokens(fmt: str, base: int = 0):
    """Split a .NET custom date format into (kind, value, index) tokens.

    kind is a field letter (value = repeat count), ``/`` or ``:`` (separators) or ``lit`` (literal text);
    index is the token's position in ``fmt``. Raises :class:`DateFormatError` where
    ``DateTimeFormat.FormatCustomized`` throws a ``FormatException``.
    """
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch in _FIELD_CHARS:
            j = i
            while j < n and fmt[j] == ch:
                j += 1
            count = j - i
            if ch in "fF" and count > 7:
                raise DateFormatError(fmt)
            yield ch, count, base + i
            i = j
        elif ch in "/:":
            yield ch, ch, base + i
            i += 1
        elif ch in "'\"":
            j, text = i + 1, []
            while j < n and fmt[j] != ch:
                if fmt[j] == "\\":
                    if j + 1 >= n:
                        raise DateFormatError(fmt)
                    j += 1
                text.append(fmt[j])
                j += 1
            if j >= n:
                raise DateFormatError(fmt)
            yield "lit", "".join(text), base + i
            i = j + 1
        elif ch == "%":
            if i + 1 >= n or fmt[i + 1] == "%":
                raise DateFormatError(fmt)
            yield from _custom_tokens(fmt[i + 1], base + i + 1)
            i += 2
        elif ch == "\\":
            if i + 1 >= n:
                raise DateFormatError(fmt)
            yield "lit", fmt[i + 1], base + i
            i += 2
        else:
            yield "lit", ch, base + i
            i += 1


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


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------

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
    for kind, arg, position in _custom_tokens(fmt):
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


# --------------------------------------------------------------------------------------------------
# Parsing (DateTime.Parse)
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
                  culture.abbr_month_genitive, _EN_MONTHS, [m[:3] for m in _EN_MONTHS]):
        for index, name in enumerate(table):
            key = name.lower().rstrip(".")
            if key:
                months.setdefault(key, index + 1)
    days: dict[str, int] = {}
    for table in (culture.day_names, culture.abbr_day_names, _EN_DAYS, [d[:3] for d in _EN_DAYS]):
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
    if offset is not None:
        try:
            value = DateTimeValue(value.ticks - offset * TICKS_PER_MINUTE, UTC)
        except DateRangeError:
            raise DateParseError(text) from None
    return value


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
# Parsing (DateTime.ParseExact)
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

    for kind, arg, _ in _custom_tokens(pattern):
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
    if offset is not None:
        try:
            value = DateTimeValue(value.ticks - offset * TICKS_PER_MINUTE, UTC)
        except DateRangeError:
            raise DateParseError(text) from None
    return value


# --------------------------------------------------------------------------------------------------
# TimeSpan
# --------------------------------------------------------------------------------------------------

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
