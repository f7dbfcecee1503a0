"""Counters of rate limits and quotas: one per key and renewal period, exact under concurrent calls.

The counting itself is the server state's (:class:`emulator.server.state.CounterState`: in this process, or
in the state dir's SQLite shared by every worker), one atomic step per call, so two calls can never both take
the last unit. A window opens at the first call of a key (or, for ``quota-by-key`` with
``first-period-start``, on the period grid) and lasts ``renewal-period`` seconds. Keys are strings that name
the policy by its file and line, so every worker process counts the same policy under the same key.
"""

from __future__ import annotations

import math

from ..server.state.memory import MemoryCounters as Counters

__all__ = ["Counters", "counter_key", "replenished_in", "retry_seconds"]


def counter_key(*parts) -> str:
    """A counter's key from its parts (policy kind, where it is written, who calls, API/operation)."""
    return "|".join(str(p) for p in parts)


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
