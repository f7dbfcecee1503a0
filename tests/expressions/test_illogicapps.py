"""Every expression case transcribed from the IllogicApps test suite (data/illogicapps.json), one test each.

IllogicApps probed these against a real Logic Apps host (see data/README.md); uncertain cases are reported,
never failed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.conformance import check_case

DATA = Path(__file__).parent / "data" / "illogicapps.json"
CASES = json.loads(DATA.read_text(encoding="utf-8"))


def test_case_ids_are_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", [pytest.param(case, id=case["id"]) for case in CASES])
def test_illogicapps_case(case):
    outcome = check_case(case)
    if case.get("uncertain"):
        if not outcome.ok:
            pytest.xfail(f"uncertain case differs: got {outcome.got!r} ({outcome.detail})")
        return
    assert outcome.ok, f"{case['expression']!r}: got {outcome.got!r} ({outcome.detail})"
