"""Run, trigger and action statuses: one home for their names (the host's spelling, as in run records)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SKIPPED = "Skipped"
    TIMED_OUT = "TimedOut"
    CANCELLED = "Cancelled"
    RUNNING = "Running"
