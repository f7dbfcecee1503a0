"""SARIF 2.1.0 for code-scanning UIs: every rule with its help text, every finding as a result located at its
file and line (the line of the JSON path), with the JSON path as a logical location."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..rules import all_rules
from . import report_format
from .lines import full_path, line_map

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


@report_format("sarif")
def render_sarif(report) -> str:
    rules = list(all_rules().values())
    index = {r.id: i for i, r in enumerate(rules)}
    lines_by_file: dict[str, dict] = {}
    results = []
    for f in report.findings:
        if f.file not in lines_by_file:
            lines_by_file[f.file] = _lines(f.file)
        where = full_path(f.base, f.path)
        location = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)},
                                         "region": {"startLine": _line(lines_by_file[f.file], where)}},
                    "logicalLocations": [{"name": f.path, "fullyQualifiedName": f"{f.workflow}:{f.path}",
                                          "kind": "member"}]}
        results.append({
            "ruleId": f.rule, "ruleIndex": index[f.rule], "level": LEVELS[f.severity],
            "message": {"text": f"{f.message} Fix: {f.fix}"},
            "locations": [location],
            "partialFingerprints": {"auditFinding/v1": hashlib.sha256(
                f"{f.rule}|{_uri(f.file)}|{f.workflow}|{f.path}".encode()).hexdigest()},
            "properties": {"severity": f.severity, "workflow": f.workflow, "trigger": f.trigger, "path": f.path},
        })
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "logicapps-emulator audit",
                "semanticVersion": _version(),
                "rules": [_rule(r) for r in rules],
            }},
            "results": results,
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": problem}} for problem in report.problems]}],
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _rule(r) -> dict:
    return {
        "id": r.id,
        "name": "".join(part.capitalize() for part in r.id.split("-")),
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.help},
        "help": {"text": f"{r.help}\n\nFix: {r.fix}",
                 "markdown": f"**{r.title}** ({r.severity})\n\n{r.help}\n\n**Fix:** {r.fix}"},
        "defaultConfiguration": {"level": LEVELS[r.severity]},
        "properties": {"tags": ["security"], "precision": "high", "security-severity": SECURITY_SEVERITY[r.severity],
                       "problem.severity": LEVELS[r.severity]},
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("logicapps-emulator")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0.0.0"


def _lines(file: str) -> dict:
    try:
        return line_map(Path(file).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return {}


def _line(lines: dict, path: str) -> int:
    """The line of the path, else of its nearest ancestor found, else 1."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return 1


def _uri(file: str) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()
