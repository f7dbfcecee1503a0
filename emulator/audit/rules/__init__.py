"""The audit rules: one module per family, each rule registered with :func:`rule`.

A rule is a function of one workflow's :class:`~emulator.audit.flow.FlowFacts` (``per="workflow"``) or
of the gateway configuration and the loaded workflows (``per="gateway"``) that yields :class:`Hit` values;
the registry turns them into findings with the rule's id, severity and fix. Rule ids are fixed (CI
configurations and held-out checks use them).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    path: str
    message: str
    trigger: str | None = None    # default: the workflow's first Request trigger
    fix: str | None = None        # default: the rule's fix
    file: str | None = None       # default: the workflow's file
    workflow: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    help: str
    fix: str
    check: object
    per: str = "workflow"


RULES: dict[str, Rule] = {}
FAMILIES = ("secrets", "comparisons", "responses", "trigger", "gateway")


def rule(rule_id: str, severity: str, title: str, help_text: str, fix: str, per: str = "workflow"):
    def decorate(fn):
        if rule_id in RULES:
            raise RuntimeError(f"audit rule {rule_id!r} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, title, " ".join(help_text.split()), fix, fn, per)
        return fn
    return decorate


def all_rules() -> dict[str, Rule]:
    for family in FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
    return dict(sorted(RULES.items()))
