"""The audit never crashes on real workflows (../shared/corpus/workflows)."""

from __future__ import annotations

import json

from emulator.audit.formats import render
from tests.audit import audit
from tests.conftest import CORPUS, needs_shared


@needs_shared
def test_corpus_audits_without_crashing():
    report = audit([CORPUS])
    crashes = [p for p in report.problems if "the audit step" in p]
    assert crashes == []
    assert len(report.triggers) > 50
    for name in ("table", "json", "sarif"):
        text = render(report, name)
        if name != "table":
            json.loads(text)
