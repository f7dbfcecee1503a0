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
        global _stamp_second
        ns = _time_ns()
        second = ns // 1_000_000_000
        cached = _stamp_second
        if cached[0] != second:
            cached = _stamp_second = (second, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second)))
        return f"{cached[1]}{ns // 1000 % 1_000_000:06d}0Z"

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

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)


_time_ns = time.time_ns
_stamp_second: tuple = (None, "")  # Clock.stamp(): the last second (since the epoch) and its text
_UTC = timezone.utc
_second: tuple = (None, "")  # the last formatted second and its "YYYY-MM-DDTHH:MM:SS." text


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
