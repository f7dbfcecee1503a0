"""Tests of the security audit (emulator/audit)."""

from __future__ import annotations

from emulator.audit import audit_paths
from emulator.server.access import AccessPolicy


def audit(paths, gateway=None):
    """Audit as the CLI does (the server's access-control reader)."""
    return audit_paths([str(p) for p in paths], access_policy=AccessPolicy.from_workflow,
                       gateway=str(gateway) if gateway else None)
