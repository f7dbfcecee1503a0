"""JSON: ``{"triggers": [...], "findings": [{"rule", "severity", "file", "path", "workflow", "trigger",
"message", "fix"}]}`` (the field names are fixed)."""

from __future__ import annotations

import json

from . import report_format


@report_format("json")
def render_json(report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
