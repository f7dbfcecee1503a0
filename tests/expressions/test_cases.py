"""Every expression case as data, one test each, through the conformance runner's own check.

Sources:
- ``../shared/conformance/*.json``: the public cases (docs examples and host-verified); skipped when absent;
- ``data/illogicapps.json``: every case of the IllogicApps test suite, probed on a real host (see data/README.md);
- ``data/docs-extra.json``: documented worked examples beyond the public file (functions reference, WDL docs,
  Power Automate docs, .NET format docs applied through WDL).

Uncertain cases are reported (xfail when they differ), never failed. Public cases that host-verified evidence
contradicts are listed in ``data/overruled.json`` with that evidence: they are expected to fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.cli.conformance import check_case
from tests.conftest import CONFORMANCE, needs_shared

DATA = Path(__file__).parent / "data"
OVERRULED = {(o["file"], o["id"]): o for o in json.loads((DATA / "overruled.json").read_text(encoding="utf-8"))}
OWN_FILES = [DATA / "illogicapps.json", DATA / "docs-extra.json"]


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _params(path: Path) -> list:
    out = []
    for case in _load(path):
        overruled = OVERRULED.get((path.name, case["id"]))
        marks = pytest.mark.xfail(strict=True, reason=overruled["reason"]) if overruled else ()
        out.append(pytest.param(case, id=f"{path.stem}:{case['id']}", marks=marks))
    return out


PUBLIC = [param for path in sorted(CONFORMANCE.glob("*.json")) for param in _params(path)] \
    if CONFORMANCE.is_dir() else []
OWN = [param for path in OWN_FILES for param in _params(path)]


def _check(case: dict) -> None:
    outcome = check_case(case)
    if case.get("uncertain"):
        if not outcome.ok:
            pytest.xfail(f"uncertain case differs: got {outcome.got!r} ({outcome.detail})")
        return
    assert outcome.ok, f"{case['expression']!r}: got {outcome.got!r} ({outcome.detail})"


@needs_shared
@pytest.mark.parametrize("case", PUBLIC)
def test_public_case(case):
    _check(case)


@pytest.mark.parametrize("case", OWN)
def test_own_case(case):
    _check(case)


@needs_shared
def test_public_files_present():
    assert PUBLIC, "no conformance cases found under ../shared/conformance"


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_case_files_are_well_formed(path):
    cases = _load(path)
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert all(case.get("source") for case in cases), "every case names its source"


def test_overruled_cases_have_host_evidence_that_passes():
    """Every overruled public case names host-verified cases; those must pass."""
    by_id = {c["id"]: c for c in _load(DATA / "illogicapps.json")}
    for overruled in OVERRULED.values():
        for evidence in overruled["evidence"]:
            case = by_id[evidence]
            assert case.get("origin") == "host"
            assert check_case(case).ok, evidence
