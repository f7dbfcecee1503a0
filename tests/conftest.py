"""Shared test helpers: where ../shared/ is, and a skip marker when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONFORMANCE = SHARED / "conformance"
CORPUS = SHARED / "corpus" / "workflows"

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason="../shared/ (conformance cases and corpus) is absent: it ships with the project's CI, not with clones",
)
