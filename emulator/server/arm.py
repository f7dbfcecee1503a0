"""ARM resource ids and references for the management API.

Azure names every resource by its full path: ``/subscriptions/{s}/resourceGroups/{rg}/providers/
Microsoft.Logic/workflows/{name}`` and below it ``triggers/{t}[/histories/{h}]``, ``runs/{r}[/actions/{a}
[/repetitions/{rep}]]`` and ``versions/{v}``. Subscription and resource group come from the request path; on
the short paths (``/workflows/...``, the Standard host's ``/runtime/webhooks/workflow/api/management``) they
are :data:`DEFAULT_SUBSCRIPTION` and :data:`DEFAULT_RESOURCE_GROUP`. Under ``Microsoft.Web/sites/{site}`` the
ids keep the request's own prefix, as App Service names Standard workflows.
"""

from __future__ import annotations

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_RESOURCE_GROUP = "local"
PROVIDER = "/providers/Microsoft.Logic"

WORKFLOWS = "Microsoft.Logic/workflows"
TRIGGERS = "Microsoft.Logic/workflows/triggers"
HISTORIES = "Microsoft.Logic/workflows/triggers/histories"
RUNS = "Microsoft.Logic/workflows/runs"
ACTIONS = "Microsoft.Logic/workflows/runs/actions"
REPETITIONS = "Microsoft.Logic/workflows/runs/actions/repetitions"
SCOPE_REPETITIONS = "Microsoft.Logic/workflows/runs/actions/scopeRepetitions"
REQUEST_HISTORIES = "Microsoft.Logic/workflows/runs/actions/requestHistories"
VERSIONS = "Microsoft.Logic/workflows/versions"

# Every management path answers under each of these prefixes (``{sub}``, ``{rg}``, ``{site}`` from the path).
PREFIXES = (
    "",
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Logic",
    "/runtime/webhooks/workflow/api/management",
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}/hostruntime/runtime/webhooks/"
    "workflow/api/management",
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}",
)
SUBSCRIPTION_PREFIX = "/subscriptions/{sub}/providers/Microsoft.Logic"  # list_by_subscription only


def scope(request) -> str:
    """The id prefix the request's resources live under (everything before ``/workflows``)."""
    info = request.match_info
    sub = info.get("sub") or DEFAULT_SUBSCRIPTION
    if info.get("site"):
        path = request.path
        return path[: path.lower().index("/workflows")]
    rg = info.get("rg") or DEFAULT_RESOURCE_GROUP
    return f"/subscriptions/{sub}/resourceGroups/{rg}{PROVIDER}"


def workflow_id(request, name: str) -> str:
    return f"{scope(request)}/workflows/{name}"


def ref(resource_id: str, name: str, kind: str) -> dict:
    """A ``ResourceReference``: ``{"id", "name", "type"}``."""
    return {"id": resource_id, "name": name, "type": kind}


def resource(resource_id: str, name: str, kind: str, properties: dict, **extra) -> dict:
    """An ARM resource: id, name, type (plus ``extra`` top-level fields) and its properties without Nones."""
    out = {"id": resource_id, "name": name, "type": kind, **extra}
    out["properties"] = {k: v for k, v in properties.items() if v is not None}
    return out
