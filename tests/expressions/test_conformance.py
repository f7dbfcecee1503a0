"""Every public conformance case, one test each (uncertain cases are reported, never failed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.conformance import check_case
from tests.conftest import CONFORMANCE, needs_shared

# Public cases that host-verified evidence contradicts (host wins): expected to fail, with the evidence.
OVERRULED = {(o["file"], o["id"]): o for o in
             json.loads((Path(__file__).parent / "data" / "overruled.json").read_text(encoding="utf-8"))}


def _cases():
    if not CONFORMANCE.is_dir():
        return []
    out = []
    for path in sorted(CONFORMANCE.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            marks = ()
            overruled = OVERRULED.get((path.name, case["id"]))
            if overruled:
                marks = pytest.mark.xfail(strict=True, reason=overruled["reason"])
            out.append(pytest.param(case, id=f"{path.stem}:{case['id']}", marks=marks))
    return out


CASES = _cases()


@needs_shared
def test_conformance_files_present():
    assert CASES, "no conformance cases found under ../shared/conformance"


@needs_shared
@pytest.mark.parametrize("case", CASES)
def test_case(case):
    outcome = check_case(case)
    if case.get("uncertain"):
        if not outcome.ok:
            pytest.xfail(f"uncertain case differs: got {outcome.got!r} ({outcome.detail})")
        return
    assert outcome.ok, f"{case['expression']!r}: got {outcome.got!r} ({outcome.detail})"


def test_overruled_cases_have_host_evidence_that_passes():
    """Every overruled public case names host-verified cases; those must pass."""
    extra = json.loads((Path(__file__).parent / "data" / "illogicapps.json").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in extra}
    for overruled in OVERRULED.values():
        for evidence in overruled["evidence"]:
            case = by_id[evidence]
            assert case.get("origin") == "host"
            assert check_case(case).ok, evidence
