"""Run ids, correlation and tracking ids in the host's formats (spec §12).

A run id is 29 digits + ``CU`` + a scale unit: the first 20 digits are
``Int64.MaxValue - DateTime.UtcNow.Ticks`` zero-padded, the last 9 random.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

INT64_MAX = 2**63 - 1
_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)
_rng = random.SystemRandom()


def ticks(now: datetime) -> int:
    """100-ns ticks since 0001-01-01 (.NET ``DateTime.Ticks``)."""
    delta = now - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def version_id(now: datetime | None = None) -> str:
    """20 digits: ``Int64.MaxValue - ticks`` (workflow versions, first part of run ids)."""
    now = now or datetime.now(timezone.utc)
    return f"{INT64_MAX - ticks(now):020d}"


def new_run_id(now: datetime | None = None, scale_unit: str = "CU00") -> str:
    return f"{version_id(now)}{_rng.randrange(10**9):09d}{scale_unit}"


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def new_tracking_id() -> str:
    return str(uuid.uuid4())


def run_id_time(run_id: str) -> datetime:
    """The creation time encoded in a run id (inverse of :func:`new_run_id`)."""
    from datetime import timedelta

    t = INT64_MAX - int(run_id[:20])
    return _EPOCH + timedelta(microseconds=t // 10)
