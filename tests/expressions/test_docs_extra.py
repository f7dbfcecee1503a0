"""Documented worked examples not in ../shared/conformance/docs-examples.json (data/docs-extra.json), one test each.

Sources: the functions reference (2025 copy, older copies), the 2017 WDL schema doc, the WDL doc, Power Automate's
"use expressions in conditions", the content-types doc, and .NET's format-string docs applied through WDL.
Uncertain cases (doc contradicts itself, or doc shows Windows NLS culture data) are xfailed when they differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.conformance import check_case

DATA = Path(__file__).parent / "data" / "docs-extra.json"
CASES = json.loads(DATA.read_text(encoding="utf-8"))


def test_case_ids_are_unique():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))


def test_every_case_names_its_source():
    assert all(case.get("source") for case in CASES)


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_docs_extra_case(case):
    outcome = check_case(case)
    if case.get("uncertain"):
        if not outcome.ok:
            pytest.xfail(f"uncertain case differs: got {outcome.got!r} ({outcome.detail})")
        return
    assert outcome.ok, f"{case['expression']!r}: got {outcome.got!r} ({outcome.detail})"
