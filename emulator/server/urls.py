"""Callback URLs in each host's shape (spec §1) and the listCallbackUrl answer (§1.5)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from . import sas

API_VERSIONS = {"consumption": "2016-10-01", "standard": "2022-05-01", "power-automate": "1"}


def base_path(entry, trigger_entry, base: str, version: str | None = None) -> str:
    name = quote(trigger_entry.name, safe="")
    rel = f"/{trigger_entry.path.template}" if trigger_entry.path else ""
    if version is not None:
        return f"{base}/workflows/{entry.id}/versions/{quote(version, safe='')}/triggers/{name}/paths/invoke{rel}"
    if entry.flavor == "standard":
        return f"{base}/api/{quote(entry.name, safe='')}/triggers/{name}/invoke{rel}"
    if entry.flavor == "power-automate":
        return f"{base}/powerautomate/automations/direct/workflows/{entry.id}/triggers/{name}/paths/invoke{rel}"
    return f"{base}/workflows/{entry.id}/triggers/{name}/paths/invoke{rel}"


def callback(keys, entry, trigger_entry, base: str, key_type: str = "primary",
             not_after: datetime | None = None, version: str | None = None) -> dict:
    """The ``WorkflowTriggerCallbackUrl`` model: value, method, basePath, queries (+ relative path fields).

    With ``version``: the versioned Consumption URL (``/workflows/{id}/versions/{version}/triggers/...``).
    """
    path = base_path(entry, trigger_entry, base, version)
    api_version = API_VERSIONS.get(entry.flavor, API_VERSIONS["consumption"])
    permission = sas.run_permission(trigger_entry.name) if version is None else \
        sas.versioned_permission(version, trigger_entry.name)
    queries = sas.signed_query(keys, entry.name, entry.id, permission, api_version, key_type, not_after)
    answer = {"value": f"{path}?{sas.encode_query(queries)}", "method": trigger_entry.method, "basePath": path,
              "queries": queries}
    if trigger_entry.path:
        answer["relativePath"] = trigger_entry.path.template
        answer["relativePathParameters"] = list(trigger_entry.path.names)
    return answer


def operation_url(keys, entry, run_id: str, op_id: str, base: str) -> str:
    permission = f"/runs/{run_id}/operations/{op_id}/read"
    queries = sas.signed_query(keys, entry.name, entry.id, permission, "2016-10-01")
    return f"{base}/workflows/{entry.id}/runs/{run_id}/operations/{op_id}?{sas.encode_query(queries)}"
