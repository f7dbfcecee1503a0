"""Ids the server hands out: workflow ids, version ids, tracking ids (host formats, spec §12)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from ..runtime.ids import new_guid  # one id source for runs and the server (tests can seed it)

__all__ = ["new_guid", "version_from_mtime", "version_id", "workflow_id"]

_INT64_MAX = 9223372036854775807
_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)


def workflow_id(name: str) -> str:
    """A stable 32-hex id for a workflow name (names are case-insensitive, so is the id)."""
    return hashlib.sha256(f"logicapps-emulator/workflow/{name.lower()}".encode()).hexdigest()[:32]


def _ticks(when: datetime) -> int:
    delta = when.astimezone(timezone.utc) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def version_id(when: datetime) -> str:
    """20 digits: ``Int64.MaxValue - ticks`` at the time the workflow was saved."""
    return f"{_INT64_MAX - _ticks(when):020d}"[:20]


def version_from_mtime(mtime: float) -> str:
    return version_id(datetime.fromtimestamp(mtime, timezone.utc))
