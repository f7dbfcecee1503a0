"""Who can call a flow, and what protects it: a security audit of workflow definitions.

``audit_paths(paths, *, access_policy, gateway=None) -> AuditReport`` loads the flows as ``validate`` does
(``audit_workflows(workflows, *, access_policy, backends=())`` takes flows already loaded) and runs every
registered rule (:mod:`.rules`, one module per family); :mod:`.formats` renders the report as a table, JSON
or SARIF 2.1.0. Layer: above the runtime and the definitions, below the server and the CLI (which hand it
the server's access-control reader).
See docs/audit.md.
"""

from .gateway import GatewayFileError, read_backends
from .model import AuditReport, Finding, TriggerReport
from .runner import audit_paths, audit_workflows

__all__ = ["AuditReport", "Finding", "GatewayFileError", "TriggerReport", "audit_paths", "audit_workflows",
           "read_backends"]
