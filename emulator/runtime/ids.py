"""Run ids, correlation and tracking ids in the host's formats (spec §12).

A run id is 29 digits + ``CU`` + a scale unit: the first 20 digits are
``Int64.MaxValue - DateTime.UtcNow.Ticks`` zero-padded, the last 9 random.

Ids need to be unique, not secret: they come from one pseudo-random source seeded from the OS
(re-seeded in a forked child), which costs far less per request than ``uuid.uuid4()``'s system call.
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timezone

from .clock import DOTNET_EPOCH, ticks

INT64_MAX = 2**63 - 1
_rng = random.Random(os.urandom(32))
_bits = _rng.getrandbits
# UUID version 4: version nibble 4, variant bits 10
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _rng.seed(os.urandom(32)))


def seed(value=None) -> None:
    """Seed the id source (``value``: any int/str/bytes): the same seed and clock give the same ids again.
    ``None`` seeds it from the OS again (testing: deterministic ids on request)."""
    _rng.seed(os.urandom(32) if value is None else value)


def version_id(now: datetime | None = None) -> str:
    """20 digits: ``Int64.MaxValue - ticks`` (workflow versions, first part of run ids)."""
    now = now or datetime.now(timezone.utc)
    return f"{INT64_MAX - ticks(now):020d}"


def new_run_id(now: datetime | None = None, scale_unit: str = "CU00") -> str:
    return run_id_at(ticks(now or datetime.now(timezone.utc)), scale_unit)


def run_id_at(now_ticks: int, scale_unit: str = "CU00") -> str:
    """A new run id for a time given in .NET ticks (what ``Clock.reading()`` gives)."""
    digits = _bits(30)
    while digits >= 1_000_000_000:  # 30 random bits, uniform below 10**9
        digits = _bits(30)
    # 20 digits of time then 9 random ones: one number, zero-padded (faster than two padded formats)
    return str((INT64_MAX - now_ticks) * 1_000_000_000 + digits).zfill(29) + scale_unit


def new_guid() -> str:
    """A random (version 4) UUID in its 8-4-4-4-12 text form."""
    h = ((_bits(128) & _UUID_CLEAR) | _UUID_SET).to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def run_id_time(run_id: str) -> datetime:
    """The creation time encoded in a run id (inverse of :func:`new_run_id`)."""
    from datetime import timedelta

    t = INT64_MAX - int(run_id[:20])
    return DOTNET_EPOCH + timedelta(microseconds=t // 10)
