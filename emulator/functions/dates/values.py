""".NET ``DateTime`` values: ticks (100 ns units since 0001-01-01T00:00:00, so all 7 fraction digits
survive) plus a ``kind``, ``"Utc"`` or ``"Unspecified"``, which decides what ``K`` and ``o`` write (``Z`` or
nothing). Date parts, ``AddTicks`` and ``AddMonths``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property

from .errors import DateRangeError

TICKS_PER_SECOND = 10_000_000
TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND
TICKS_PER_HOUR = 60 * TICKS_PER_MINUTE
TICKS_PER_DAY = 24 * TICKS_PER_HOUR
MAX_TICKS = 3_155_378_975_999_999_999  # 9999-12-31T23:59:59.9999999
UTC = "Utc"
UNSPECIFIED = "Unspecified"


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
