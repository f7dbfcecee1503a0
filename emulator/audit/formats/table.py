"""A table for people: each trigger with its ways in, checks and refusals, then the findings by severity."""

from __future__ import annotations

from ..model import SEVERITY_RANK
from . import report_format


@report_format("table")
def render_table(report) -> str:
    lines: list[str] = []
    for t in report.triggers:
        method = f" {t.method}" if t.method else ""
        route = f" {t.relative_path}" if t.relative_path else ""
        lines.append(f"{t.file}  {t.workflow} / {t.trigger}{method}{route}")
        lines.append("  ways in : " + ("; ".join(_way(w) for w in t.ways_in) or "none"))
        checks = [f"{c['kind']} {c['path']}: {c['reads']} "
                  + (f"validated by {c['against']}" if c["kind"] == "parse-json" else f"{c['comparison']} {c['against']}")
                  + (" (negated)" if c.get("negated") else "") for c in t.checks] or ["none in the flow"]
        for i, text in enumerate(checks):
            lines.append(("  checks  : " if i == 0 else "            ") + text)
        for i, r in enumerate(t.refused):
            where = f" [{r['path']}]" if r.get("path") else ""
            leak = "  LEAKS" if r.get("leaks") else ""
            lines.append(("  refused : " if i == 0 else "            ") + f"{r['status']} {r['when']}{where}{leak}")
        lines.append("")
    findings = sorted(report.findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.file, f.path))
    if findings:
        rule_w = max(len(f.rule) for f in findings)
        lines.append(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}:")
        for f in findings:
            lines.append(f"  {f.severity.upper():<6} {f.rule:<{rule_w}}  {f.file}  {f.path}")
            lines.append(f"         {f.message}")
            lines.append(f"         fix: {f.fix}")
    else:
        lines.append("no findings")
    for problem in report.problems:
        lines.append(f"problem: {problem}")
    return "\n".join(lines)


def _way(w: dict) -> str:
    kind = w["kind"]
    if kind == "oauth":
        claims = ", ".join(f"{k}={v}" for k, v in w["claims"].items())
        return f"OAuth policy '{w['policy']}' ({w['type']}: {claims})"
    if kind == "ip-rules":
        return "caller IPs " + (", ".join(w["ranges"]) if w["ranges"] else "none (only other workflows)")
    if kind == "gateway":
        return f"gateway API '{w['api']}'" + (" (gatewayOnly)" if w["gatewayOnly"] else " (not gatewayOnly)")
    if kind == "power-automate":
        return f"Power Automate '{w['mode']}'"
    return {"sas": "SAS URL", "sas-disabled": "SAS disabled"}.get(kind, kind) + \
        (f" ({w['detail']})" if kind == "configuration-problem" else "")
