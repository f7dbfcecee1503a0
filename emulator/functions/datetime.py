"""Date and time functions, with .NET ``DateTime`` semantics (see the ``dates`` package and ``timezones``).

Input timestamps are parsed like ``DateTime.Parse(s, InvariantCulture, AdjustToUniversal)``: a ``Z`` or
``GMT`` suffix gives a UTC value (``K`` and ``o`` write ``Z``), no zone gives an unspecified value (no
suffix), an explicit offset such as ``+02:00`` is converted to UTC. Results are formatted with the
optional .NET format string (default ``o``) in the en-US culture unless a locale is given.
"""

from __future__ import annotations

from datetime import timezone

from ..expressions.errors import ExpressionError
from ..expressions.registry import function
from . import timezones
from .args import want_int, want_str
from .dates.cultures import INVARIANT, Culture, get_culture
from .dates.errors import CultureNotFoundError, DateFormatError, DateParseError, DateRangeError
from .dates.formatting import format_datetime
from .dates.parsing import parse_datetime, parse_exact
from .dates.timespan import format_timespan, parse_timespan
from .dates.values import (
    TICKS_PER_DAY,
    TICKS_PER_HOUR,
    TICKS_PER_MINUTE,
    TICKS_PER_SECOND,
    UNSPECIFIED,
    UTC,
    DateTimeValue,
)

CATEGORY = "datetime"
DEFAULT_LOCALE = "en-US"
TIME_UNITS = ("Second", "Minute", "Hour", "Day", "Week", "Month", "Year")
_UNIT_TICKS = {
    "second": TICKS_PER_SECOND,
    "minute": TICKS_PER_MINUTE,
    "hour": TICKS_PER_HOUR,
    "day": TICKS_PER_DAY,
    "week": 7 * TICKS_PER_DAY,
}


# -- argument checks and host-style errors ------------------------------------------------------------

INTEGER = "of type integer"  # the date functions' wording (substring and friends say "an integer")


def _error(fn: str, what: str, value: str, extra: str = "") -> ExpressionError:
    return ExpressionError(f"In function '{fn}', the value provided for {what} '{value}' was not valid.{extra}")


def _timestamp(fn: str, index: int, value) -> DateTimeValue:
    text = want_str(fn, index, value)
    try:
        return parse_datetime(text, INVARIANT)
    except DateParseError:
        raise _error(fn, "date time string", text, " The datetime string must match ISO 8601 format.") from None


def _culture(fn: str, index: int, value) -> Culture:
    name = want_str(fn, index, value)
    try:
        return get_culture(name)
    except CultureNotFoundError:
        raise _error(fn, "locale", name) from None


def _format(fn: str, value: DateTimeValue, fmt=None, index: int = -1, culture: Culture | None = None,
            ) -> str:
    """Format a result; ``fmt`` None means the default ``o``."""
    if fmt is None:
        fmt = "o"
    else:
        fmt = want_str(fn, index, fmt)
    try:
        return format_datetime(value, fmt, culture or get_culture(DEFAULT_LOCALE))
    except DateFormatError:
        raise _error(fn, "format string", fmt) from None


def _zone(fn: str, index: int, value):
    name = want_str(fn, index, value)
    zone = timezones.find_zone(name)
    if zone is None:
        raise _error(fn, "time zone", name)
    return zone


def _range_guard(fn: str, compute):
    try:
        return compute()
    except DateRangeError:
        raise ExpressionError(
            f"In function '{fn}', the result is outside the supported date time range "
            "(0001-01-01T00:00:00 to 9999-12-31T23:59:59.9999999)."
        ) from None


def _shift(fn: str, value: DateTimeValue, interval: int, unit_value, unit_index: int) -> DateTimeValue:
    unit = want_str(fn, unit_index, unit_value)
    key = unit.strip().lower()
    if key in _UNIT_TICKS:
        return _range_guard(fn, lambda: value.add_ticks(interval * _UNIT_TICKS[key]))
    if key == "month":
        return _range_guard(fn, lambda: value.add_months(interval))
    if key == "year":
        return _range_guard(fn, lambda: value.add_months(12 * interval))
    raise _error(fn, "time unit", unit, " The supported values are: " + ", ".join(TIME_UNITS) + ".")


def _now(ctx) -> DateTimeValue:
    now = ctx.now()  # the run's clock (an EvalContext always has one)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return DateTimeValue.from_datetime(now)


# -- add / subtract -------------------------------------------------------------------------------------


def _add_fixed(fn: str, unit_ticks: int):
    def impl(timestamp, interval, fmt=None):
        value = _timestamp(fn, 0, timestamp)
        amount = want_int(fn, 1, interval, INTEGER)
        result = _range_guard(fn, lambda: value.add_ticks(amount * unit_ticks))
        return _format(fn, result, fmt, 2)

    impl.__name__ = fn
    return impl


for _name, _ticks in (("addDays", TICKS_PER_DAY), ("addHours", TICKS_PER_HOUR),
                      ("addMinutes", TICKS_PER_MINUTE), ("addSeconds", TICKS_PER_SECOND)):
    function(_name, min_args=2, max_args=3, category=CATEGORY)(_add_fixed(_name, _ticks))


@function("addToTime", min_args=3, max_args=4, category=CATEGORY)
def add_to_time(timestamp, interval, unit, fmt=None):
    fn = "addToTime"
    value = _timestamp(fn, 0, timestamp)
    return _format(fn, _shift(fn, value, want_int(fn, 1, interval, INTEGER), unit, 2), fmt, 3)


@function("subtractFromTime", min_args=3, max_args=4, category=CATEGORY)
def subtract_from_time(timestamp, interval, unit, fmt=None):
    fn = "subtractFromTime"
    value = _timestamp(fn, 0, timestamp)
    return _format(fn, _shift(fn, value, -want_int(fn, 1, interval, INTEGER), unit, 2), fmt, 3)


@function("getFutureTime", min_args=2, max_args=3, category=CATEGORY, context=True)
def get_future_time(ctx, interval, unit, fmt=None):
    fn = "getFutureTime"
    amount = want_int(fn, 0, interval, INTEGER)
    return _format(fn, _shift(fn, _now(ctx), amount, unit, 1), fmt, 2)


@function("getPastTime", min_args=2, max_args=3, category=CATEGORY, context=True)
def get_past_time(ctx, interval, unit, fmt=None):
    fn = "getPastTime"
    amount = want_int(fn, 0, interval, INTEGER)
    return _format(fn, _shift(fn, _now(ctx), -amount, unit, 1), fmt, 2)


@function("utcNow", min_args=0, max_args=1, category=CATEGORY, context=True)
def utc_now(ctx, fmt=None):
    return _format("utcNow", _now(ctx), fmt, 0)


# -- start of ------------------------------------------------------------------------------------------


@function("startOfDay", min_args=1, max_args=2, category=CATEGORY)
def start_of_day(timestamp, fmt=None):
    value = _timestamp("startOfDay", 0, timestamp)
    return _format("startOfDay", value.with_ticks(value.ticks - value.time_of_day), fmt, 1)


@function("startOfHour", min_args=1, max_args=2, category=CATEGORY)
def start_of_hour(timestamp, fmt=None):
    value = _timestamp("startOfHour", 0, timestamp)
    return _format("startOfHour", value.with_ticks(value.ticks - value.ticks % TICKS_PER_HOUR), fmt, 1)


@function("startOfMonth", min_args=1, max_args=2, category=CATEGORY)
def start_of_month(timestamp, fmt=None):
    value = _timestamp("startOfMonth", 0, timestamp)
    first = DateTimeValue.from_parts(value.year, value.month, 1, kind=value.kind)
    return _format("startOfMonth", first, fmt, 1)


# -- parts and numbers ---------------------------------------------------------------------------------


@function("dayOfMonth", min_args=1, category=CATEGORY)
def day_of_month(timestamp):
    return _timestamp("dayOfMonth", 0, timestamp).day


@function("dayOfWeek", min_args=1, category=CATEGORY)
def day_of_week(timestamp):
    return _timestamp("dayOfWeek", 0, timestamp).day_of_week


@function("dayOfYear", min_args=1, category=CATEGORY)
def day_of_year(timestamp):
    return _timestamp("dayOfYear", 0, timestamp).day_of_year


@function("ticks", min_args=1, category=CATEGORY)
def ticks(timestamp):
    return _timestamp("ticks", 0, timestamp).ticks


@function("dateDifference", min_args=2, category=CATEGORY)
def date_difference(start, end):
    fn = "dateDifference"
    first = _timestamp(fn, 0, start)
    second = _timestamp(fn, 1, end)
    return format_timespan(second.ticks - first.ticks, "c")


# -- formatting and parsing ----------------------------------------------------------------------------


@function("formatDateTime", min_args=1, max_args=3, category=CATEGORY)
def format_date_time(timestamp, fmt=None, locale=None):
    fn = "formatDateTime"
    value = _timestamp(fn, 0, timestamp)
    culture = _culture(fn, 2, locale) if locale is not None else None
    return _format(fn, value, fmt, 1, culture)


@function("parseDateTime", min_args=1, max_args=3, category=CATEGORY)
def parse_date_time(timestamp, locale=None, fmt=None):
    fn = "parseDateTime"
    text = want_str(fn, 0, timestamp)
    culture = _culture(fn, 1, locale) if locale is not None else get_culture(DEFAULT_LOCALE)
    try:
        if fmt is None:
            value = parse_datetime(text, culture)
        else:
            value = parse_exact(text, want_str(fn, 2, fmt), culture)
    except DateFormatError:
        raise _error(fn, "format string", fmt) from None
    except DateParseError:
        extra = f" It does not match the format '{fmt}'." if fmt is not None else ""
        raise _error(fn, "date time string", text, extra) from None
    return format_datetime(value, "o")


@function("formatTimeSpan", min_args=1, max_args=3, category=CATEGORY)
def format_time_span(timespan, fmt=None, culture=None):
    fn = "formatTimeSpan"
    text = want_str(fn, 0, timespan)
    try:
        ticks_value = parse_timespan(text)
    except DateParseError:
        raise _error(fn, "time span string", text) from None
    fmt = "c" if fmt is None else want_str(fn, 1, fmt)
    info = _culture(fn, 2, culture) if culture is not None else INVARIANT
    try:
        return format_timespan(ticks_value, fmt, info)
    except DateFormatError:
        raise _error(fn, "format string", fmt) from None


# -- time zones ----------------------------------------------------------------------------------------


def _kind_error(fn: str) -> ExpressionError:
    return ExpressionError(
        f"In function '{fn}', the conversion could not be completed because the supplied DateTime did not have "
        "the Kind property set correctly. For example, when the Kind property is DateTimeKind.Local, the "
        "source time zone must be TimeZoneInfo.Local."
    )


def _to_utc(fn: str, value: DateTimeValue, zone) -> int:
    """Local ticks in ``zone`` -> UTC ticks (.NET ConvertTimeToUtc / ConvertTime rules)."""
    if value.kind == UTC:
        if not timezones.is_utc_like(zone):
            raise _kind_error(fn)
        return value.ticks
    try:
        return timezones.local_to_utc(zone, value.ticks)
    except timezones.InvalidTimeError as exc:
        raise ExpressionError(f"In function '{fn}', {str(exc)[0].lower()}{str(exc)[1:]}") from None


def _from_utc(fn: str, utc_ticks: int, zone) -> DateTimeValue:
    return _range_guard(fn, lambda: DateTimeValue(timezones.utc_to_local(zone, utc_ticks), UNSPECIFIED))


@function("convertFromUtc", min_args=2, max_args=3, category=CATEGORY)
def convert_from_utc(timestamp, destination, fmt=None):
    fn = "convertFromUtc"
    value = _timestamp(fn, 0, timestamp)
    zone = _zone(fn, 1, destination)
    return _format(fn, _from_utc(fn, value.ticks, zone), fmt, 2)


@function("convertToUtc", min_args=2, max_args=3, category=CATEGORY)
def convert_to_utc(timestamp, source, fmt=None):
    fn = "convertToUtc"
    value = _timestamp(fn, 0, timestamp)
    zone = _zone(fn, 1, source)
    utc_ticks = _to_utc(fn, value, zone)
    return _format(fn, _range_guard(fn, lambda: DateTimeValue(utc_ticks, UTC)), fmt, 2)


@function("convertTimeZone", min_args=3, max_args=4, category=CATEGORY)
def convert_time_zone(timestamp, source, destination, fmt=None):
    fn = "convertTimeZone"
    value = _timestamp(fn, 0, timestamp)
    source_zone = _zone(fn, 1, source)
    destination_zone = _zone(fn, 2, destination)
    utc_ticks = _to_utc(fn, value, source_zone)
    return _format(fn, _from_utc(fn, utc_ticks, destination_zone), fmt, 3)
