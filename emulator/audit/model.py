"""What an audit produces: findings (rule id, severity, where, what to do) and one report per trigger."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("info", "low", "medium", "high")  # ascending
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    file: str
    path: str          # JSON path relative to the workflow definition (or to the gateway file)
    workflow: str
    trigger: str
    message: str
    fix: str
    base: str = field(default="$", compare=False)   # where the definition sits in the file (SARIF lines)

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "file": self.file, "path": self.path,
                "workflow": self.workflow, "trigger": self.trigger, "message": self.message, "fix": self.fix}

    def reaches(self, threshold: str) -> bool:
        return SEVERITY_RANK[self.severity] >= SEVERITY_RANK[threshold]


@dataclass
class TriggerReport:
    """Who can call one Request trigger, what the flow checks itself, and what a refused caller gets."""

    file: str
    workflow: str
    trigger: str
    path: str
    method: str | None = None
    relative_path: str | None = None
    ways_in: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"file": self.file, "workflow": self.workflow, "trigger": self.trigger, "path": self.path,
                "method": self.method, "relativePath": self.relative_path, "waysIn": self.ways_in,
                "checks": self.checks, "refused": self.refused}


@dataclass
class AuditReport:
    triggers: list[TriggerReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # files that did not load, gateway file errors

    def to_dict(self) -> dict:
        return {"triggers": [t.to_dict() for t in self.triggers],
                "findings": [f.to_dict() for f in self.findings]}

    def fails(self, threshold: str | None) -> bool:
        return threshold is not None and any(f.reaches(threshold) for f in self.findings)
