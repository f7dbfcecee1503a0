"""Audit workflow files: load them as ``validate`` does, run every registered rule, collect the reports."""

from __future__ import annotations

from ..definitions import load_paths
from ..runtime.actions.registry import lookup
from .flow import FlowFacts
from .gateway import Backend, read_backends
from .model import AuditReport, Finding
from .rules import Hit, Rule, all_rules
from .ways_in import trigger_report


def audit_paths(paths, *, access_policy, gateway: str | None = None) -> AuditReport:
    """Audit every workflow found under ``paths``; ``gateway`` is a gateway configuration file (or None).

    ``access_policy(workflow)`` gives a workflow's access control as the server enforces it (the CLI passes
    ``emulator.server.access.AccessPolicy.from_workflow``; the audit sits below the server, so that the
    server's pages can show findings). Raises :class:`~.gateway.GatewayFileError` when the gateway file
    cannot be read.
    """
    backends: list[Backend] = read_backends(gateway) if gateway else []
    loaded = load_paths(paths, action_types=lookup, allow_unknown_types=True)
    report = audit_workflows(loaded.workflows, access_policy=access_policy, backends=backends)
    report.problems[:0] = [str(p) for p in loaded.errors]
    return report


def audit_workflows(workflows, *, access_policy, backends=()) -> AuditReport:
    """Audit workflows already loaded (the server's, for its pages); ``backends`` from :func:`read_backends`."""
    report = AuditReport()
    rules = all_rules()
    by_name: dict[str, FlowFacts] = {}
    for wf in workflows:
        if not wf.request_triggers():
            continue
        facts = _guarded(report, "access control", str(wf.source), _facts, wf, access_policy, backends)
        if facts is None:
            continue
        by_name.setdefault(wf.name.lower(), facts)  # workflow names are case-insensitive, as in Azure
        for trigger in facts.request_triggers:
            report.triggers.append(_guarded(report, "ways in", facts.file, trigger_report, facts, trigger))
        for r in rules.values():
            if r.per == "workflow":
                hits = _guarded(report, r.id, facts.file, _hits, r, facts) or []
                report.findings += [_finding(r, h, facts) for h in hits]
    for r in rules.values():
        if r.per == "gateway" and backends:
            hits = _guarded(report, r.id, backends[0].file, _hits, r, backends, by_name) or []
            report.findings += [_finding(r, h, by_name.get(str(h.workflow).lower())) for h in hits]
    report.triggers = [t for t in report.triggers if t is not None]
    report.findings = _unique(report.findings)
    return report


def _facts(wf, access_policy, backends) -> FlowFacts:
    return FlowFacts(wf, access_policy(wf), [b for b in backends if b.workflow.lower() == wf.name.lower()])


def _hits(r: Rule, *args) -> list[Hit]:
    return list(r.check(*args))


def _guarded(report: AuditReport, what: str, file, fn, *args):
    """A rule that fails on an odd definition is reported as a problem; the audit goes on."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - the audit must never crash on a definition
        report.problems.append(f"{file}: the audit step '{what}' failed: {type(exc).__name__}: {exc}")
        return None


def _finding(r: Rule, hit: Hit, facts: FlowFacts | None) -> Finding:
    return Finding(rule=r.id, severity=r.severity, file=hit.file or (facts.file if facts else ""), path=hit.path,
                   workflow=hit.workflow or (facts.wf.name if facts else ""),
                   trigger=hit.trigger if hit.trigger is not None else (facts.trigger_name if facts else ""),
                   message=hit.message, fix=hit.fix or r.fix,
                   base="$" if hit.file else (facts.wf.json_path if facts else "$"))


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.rule, f.file, f.workflow, f.path)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
