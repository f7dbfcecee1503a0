"""The security audit (:mod:`emulator.audit`) of each served workflow, for the dashboard's flows pane.

``GET /workflows/{wf}/audit`` answers ``{"triggers": [...], "findings": [...]}`` (the ``audit --format json``
shapes, for that workflow only): who can call each trigger, what the flow checks itself, what a refused
caller gets, and the findings with their fix. Audited once per loaded version of the workflow.
"""

from __future__ import annotations

import logging

from ..audit import audit_workflows
from .access import AccessPolicy

log = logging.getLogger("emulator.server")


class Findings:
    def __init__(self):
        self._cache: dict[str, tuple] = {}

    def of(self, entry) -> dict:
        cached = self._cache.get(entry.name.lower())
        if cached is not None and cached[0] is entry:
            return cached[1]
        try:
            report = audit_workflows([entry.workflow], access_policy=AccessPolicy.from_workflow).to_dict()
        except Exception:  # noqa: BLE001 - an audit bug must not take the dashboard down
            log.exception("audit of %s failed", entry.name)
            report = {"triggers": [], "findings": [], "problems": ["the audit of this workflow failed (see the log)"]}
        self._cache[entry.name.lower()] = (entry, report)
        return report
