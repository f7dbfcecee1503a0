"""Time for the runtime: the real clock, or a virtual one where ``sleep`` never waits.

Every timestamp in a run record and every wait (Wait action, retry intervals, Until timeouts)
goes through a clock, so tests freeze or fast-forward time.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall-clock time and real ``asyncio.sleep``."""

    virtual = False

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def stamp(self) -> str:
        """``iso(self.now())`` for the run record, read from the same system clock without a datetime."""
        return _micro_text(_time_ns() // 1000)

    def reading(self) -> tuple[int, str]:
        """The current time once as (.NET ticks, run-record text): a run id and its trigger record share it."""
        micros = _time_ns() // 1000
        return micros * 10 + _UNIX_EPOCH_TICKS, _micro_text(micros)

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)


class VirtualClock(Clock):
    """Time moves only when something sleeps (instantly) or the test calls :meth:`advance`."""

    virtual = True

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2024, 1, 1, tzinfo=timezone.utc)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def stamp(self) -> str:
        return iso(self._now)

    def reading(self) -> tuple[int, str]:
        return ticks(self._now), iso(self._now)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)


_time_ns = time.time_ns
_UTC = timezone.utc
DOTNET_EPOCH = datetime(1, 1, 1, tzinfo=_UTC)  # .NET DateTime ticks count from here
_UNIX_EPOCH_TICKS = 621_355_968_000_000_000  # .NET ticks at 1970-01-01
_DIGITS3 = tuple(f"{i:03d}" for i in range(1000))
_MICROS_TAIL = tuple(f"{i:03d}0Z" for i in range(1000))  # microseconds within a millisecond + the 7th digit
# The millisecond last stamped: its first microsecond (since the Unix epoch) and its "YYYY-MM-DDTHH:MM:SS.mmm"
# text, in one tuple so that a reader never sees the number of one millisecond with the text of another
_milli_text: tuple = (-1_000_000, "")
_second_text: tuple = (None, "")  # the last second (since the epoch) and its "YYYY-MM-DDTHH:MM:SS." text
_second: tuple = (None, "")  # iso(): the last formatted second and its "YYYY-MM-DDTHH:MM:SS." text


def iso(dt: datetime) -> str:
    """Run-record timestamp: ``2024-01-01T00:00:00.1234567Z`` (7 fractional digits, as the host).

    Called several times per action: the date and time up to the second are formatted once per second.
    """
    global _second
    if dt.tzinfo is not _UTC:
        dt = dt.astimezone(_UTC)
    second = dt.second + 60 * (dt.minute + 60 * (dt.hour + 24 * dt.toordinal()))
    cached = _second
    if cached[0] != second:
        cached = _second = (second, dt.strftime("%Y-%m-%dT%H:%M:%S."))
    return f"{cached[1]}{dt.microsecond:06d}0Z"


def _micro_text(micros: int) -> str:
    """Microseconds since the Unix epoch as run-record text (what :func:`iso` gives for the same instant).

    A run stamps its records several times within one millisecond: the text up to the millisecond is
    formatted once per millisecond (the date and time once per second), the rest comes from a table.
    """
    cached = _milli_text
    rest = micros - cached[0]
    if not 0 <= rest < 1000:
        cached = _format_milli(micros - micros % 1000)
        rest = micros - cached[0]
    return cached[1] + _MICROS_TAIL[rest]


def _format_milli(first_micro: int) -> tuple:
    global _milli_text, _second_text
    second, milli = divmod(first_micro // 1000, 1000)
    if _second_text[0] != second:
        _second_text = (second, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second)))
    _milli_text = (first_micro, _second_text[1] + _DIGITS3[milli])
    return _milli_text


def ticks(now: datetime) -> int:
    """100-ns ticks since 0001-01-01 (.NET ``DateTime.Ticks``)."""
    delta = now - DOTNET_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def reading(clock) -> tuple[int, str]:
    """``clock.reading()``, or the same worked out from ``clock.now()`` for a clock object without one."""
    read = getattr(clock, "reading", None)
    if read is not None:
        return read()
    now = clock.now()
    return ticks(now), iso(now)


_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000}


def stamper(clock):
    """A zero-argument callable giving the clock's current time as run-record text."""
    stamp = getattr(clock, "stamp", None)
    return stamp if stamp is not None else (lambda: iso(clock.now()))


def interval_seconds(count, unit) -> float:
    """Wait ``interval`` ``{count, unit}`` -> seconds (month = 30 days)."""
    key = str(unit or "").lower().rstrip("s")
    if key not in _UNITS:
        raise ValueError(f"The interval unit '{unit}' is not valid.")
    return float(count) * _UNITS[key]


_DURATION = re.compile(r"P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                       r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def parse_duration(text) -> float | None:
    """ISO 8601 duration (``PT1H``, ``P1D``, ``PT30S``) -> seconds."""
    if not isinstance(text, str):
        return None
    m = _DURATION.fullmatch(text.strip().upper())
    if not m or text.strip().upper() in ("P", "PT"):
        return None
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return y * 365 * 86400 + mo * 30 * 86400 + w * 604800 + d * 86400 + h * 3600 + mi * 60 + s
