"""Counters of rate limits and quotas: one per key and renewal period, exact under concurrent calls.

The gateway runs on one event loop and :meth:`Counters.take` checks and counts without awaiting, so two calls
can never both take the last unit. A window opens at the first call of a key (or, for ``quota-by-key`` with
``first-period-start``, on the period grid) and lasts ``renewal-period`` seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass
class Window:
    start: float
    calls: int = 0
    kilobytes: float = 0.0


class Counters:
    def __init__(self, clock=time.time, max_keys: int = 100_000):
        self.clock, self.max_keys = clock, max_keys
        self.windows: dict[tuple, Window] = {}

    def window(self, key: tuple, period: float, anchor: float | None = None) -> Window:
        now = self.clock()
        found = self.windows.get(key)
        if found is None or (period > 0 and now >= found.start + period):
            start = now
            if anchor is not None and period > 0:
                start = anchor + math.floor((now - anchor) / period) * period
            found = self.windows[key] = Window(start)
            if len(self.windows) > self.max_keys:  # bounded: the oldest window goes first
                self.windows.pop(next(iter(self.windows)))
        return found

    def take(self, key: tuple, limit: int, period: float, amount: int = 1, anchor: float | None = None):
        """(allowed, remaining, seconds until renewal); counts ``amount`` only when allowed."""
        win = self.window(key, period, anchor)
        left = self.seconds_left(win, period)
        if win.calls + amount > limit:
            return False, max(0, limit - win.calls), left
        win.calls += amount
        return True, limit - win.calls, left

    def give_back(self, key: tuple, amount: int = 1) -> None:
        win = self.windows.get(key)
        if win is not None:
            win.calls = max(0, win.calls - amount)

    def seconds_left(self, win: Window, period: float) -> float:
        return max(0.0, win.start + period - self.clock()) if period > 0 else math.inf


def retry_seconds(left: float) -> int:
    return max(1, math.ceil(left)) if math.isfinite(left) else 0


def replenished_in(left: float) -> str:
    """APIM's quota wording: ``00:00:59`` under a day, ``2.12 days`` beyond (spec §11)."""
    if not math.isfinite(left):
        return "never"
    if left >= 86400:
        return f"{left / 86400:.2f} days"
    total = math.ceil(left)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
