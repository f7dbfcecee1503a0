"""Callback URLs in each host's shape (spec §1) and the listCallbackUrl answer (§1.5)."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, unquote

from . import sas

# The URL shapes of a trigger call: (path up to /invoke, number of segments before the relative path).
TRIGGER_SHAPES = (
    ("/workflows/{wf}/triggers/{trigger}/paths/invoke", 6),
    ("/workflows/{wf}/versions/{version}/triggers/{trigger}/paths/invoke", 8),
    ("/api/{wf}/triggers/{trigger}/invoke", 5),
    ("/powerautomate/automations/direct/workflows/{wf}/triggers/{trigger}/paths/invoke", 9),
    ("/powerautomate/automations/direct/cu/{cu}/workflows/{wf}/triggers/{trigger}/paths/invoke", 11),
)
LEGACY_RUN_SHAPE = "/workflows/{wf}/triggers/{trigger}/run"  # no relative path
OPERATION_SHAPE = "/workflows/{wf}/runs/{run}/operations/{op}"  # an asynchronous Response's Location (GET)


def _compile(shape: str, segment: str, tail: str):
    return re.compile(re.sub(r"\{(\w+)\}", rf"(?P<\1>{segment})", shape) + tail).match


# The server's short way takes plain paths only (no percent-escapes); in-process calls take any raw path.
# A raw path from aiohttp never holds a line break (it ends the request line), so ``$`` is the path's end and
# the relative path is the rest after the ``/`` that follows the shape.
_PLAIN = tuple((_compile(shape, "[^{}/%]+", r"(?:/|$)"), "{version}" in shape) for shape, _ in TRIGGER_SHAPES)
_RAW = tuple((_compile(shape, "[^/]+", r"(?:/|$)"), skip) for shape, skip in TRIGGER_SHAPES)
_RAW_RUN = _compile(LEGACY_RUN_SHAPE, "[^/]+", "$")
_RAW_OPERATION = _compile(OPERATION_SHAPE, "[^/]+", "$")


def match_trigger_path(path: str, escaped: bool = False) -> tuple | None:
    """``(workflow, trigger, relative, version)`` for the raw path of a trigger call, else None.

    ``relative`` is the raw path after ``/invoke`` (None for the legacy ``/run`` URL). Without ``escaped``
    only paths with no percent-escape match (the server's short way); with it, the names are decoded as
    aiohttp's router decodes them.
    """
    if not escaped:  # the server's short way, on every call: the relative path is what follows the match
        for match, versioned in _PLAIN:
            found = match(path)
            if found is not None:
                return found["wf"], found["trigger"], path[found.end():], found["version"] if versioned else None
        return None
    for match, skip in _RAW:
        found = match(path)
        if found is not None:
            info = found.groupdict()
            version = info.get("version")
            return unquote(info["wf"]), unquote(info["trigger"]), "/".join(path.split("/")[skip + 1:]), \
                (unquote(version) if version is not None else None)
    found = _RAW_RUN(path)
    if found is not None:
        return unquote(found["wf"]), unquote(found["trigger"]), None, None
    return None


def match_operation_path(path: str) -> tuple | None:
    """``(workflow, run id, operation id)`` for the raw path of an asynchronous Response's Location."""
    found = _RAW_OPERATION(path)
    if found is None:
        return None
    return unquote(found["wf"]), unquote(found["run"]), unquote(found["op"])

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
