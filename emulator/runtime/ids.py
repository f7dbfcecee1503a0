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

INT64_MAX = 2**63 - 1
_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)
_rng = random.Random(os.urandom(32))
_bits = _rng.getrandbits
# UUID version 4: version nibble 4, variant bits 10
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _rng.seed(os.urandom(32)))


def ticks(now: datetime) -> int:
    """100-ns ticks since 0001-01-01 (.NET ``DateTime.Ticks``)."""
    delta = now - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def version_id(now: datetime | None = None) -> str:
    """20 digits: ``Int64.MaxValue - ticks`` (workflow versions, first part of run ids)."""
    now = now or datetime.now(timezone.utc)
    return f"{INT64_MAX - ticks(now):020d}"


def new_run_id(now: datetime | None = None, scale_unit: str = "CU00") -> str:
    digits = _bits(30)
    while digits >= 1_000_000_000:  # 30 random bits, uniform below 10**9
        digits = _bits(30)
    return f"{version_id(now)}{digits:09d}{scale_unit}"


def new_guid() -> str:
    """A random (version 4) UUID in its 8-4-4-4-12 text form."""
    h = "%032x" % ((_bits(128) & _UUID_CLEAR) | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_correlation_id() -> str:
    return new_guid()


def new_tracking_id() -> str:
    return new_guid()


def run_id_time(run_id: str) -> datetime:
    """The creation time encoded in a run id (inverse of :func:`new_run_id`)."""
    from datetime import timedelta

    t = INT64_MAX - int(run_id[:20])
    return _EPOCH + timedelta(microseconds=t // 10)
