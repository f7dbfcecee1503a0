"""Workflows and their versions: list (by resource group and by subscription), get, ``enable``/``disable``,
``regenerateAccessKey``, the workflow-level ``listCallbackUrl``, ``versions[/{v}]``, and the emulator's
``outbox``.

A disabled workflow's triggers answer ``WorkflowTriggerIsNotEnabled`` until it is enabled again; the state
holds across hot reloads (not across restarts). The emulator keeps one version per workflow: the loaded one.
"""

from __future__ import annotations

from aiohttp import web

from . import arm, odata
from .errors import HttpError
from .management_base import json_response, read_body
from .management_triggers import callback_url, key_type

WORKFLOW_FIELDS = {"state": odata.Field(lambda entry: entry.state)}
_TYPES = {t.lower(): t for t in ("String", "SecureString", "Int", "Float", "Bool", "Array", "Object", "SecureObject")}


def parameters(workflow) -> dict:
    """``{name: {"type", "value"}}`` of the definition's parameters; secure ones without their value."""
    defs = workflow.definition.get("parameters")
    values = workflow.parameters
    secure = workflow.secure_parameters
    out = {}
    for name, spec in (defs if isinstance(defs, dict) else {}).items():
        kind = _TYPES.get(str((spec or {}).get("type", "")).lower(), "NotSpecified") if isinstance(spec, dict) \
            else "NotSpecified"
        out[name] = {"type": kind} if name in secure or name not in values else {"type": kind, "value": values[name]}
    return out


def _properties(api, request, entry) -> dict:
    wf = entry.workflow
    created, changed = api.file_times(entry)
    return {"provisioningState": "Succeeded", "createdTime": created, "changedTime": changed,
            "state": entry.state, "version": entry.version,
            "accessEndpoint": f"{api.base(request)}/workflows/{entry.id}", "sku": {"name": "Standard"},
            "accessControl": wf.access_control or None,
            "definition": wf.definition, "parameters": parameters(wf)}


def workflow_resource(api, request, entry) -> dict:
    extra = {"location": api.server.config.location, "tags": {}}
    kind = entry.workflow.kind
    if kind:
        extra["kind"] = kind
    return arm.resource(arm.workflow_id(request, entry.name), entry.name, arm.WORKFLOWS,
                        _properties(api, request, entry), **extra)


def version_resource(api, request, entry) -> dict:
    rid = f"{arm.workflow_id(request, entry.name)}/versions/{entry.version}"
    return arm.resource(rid, entry.version, arm.VERSIONS, _properties(api, request, entry),
                        location=api.server.config.location, tags={})


# ---------------------------------------------------------------------- handlers
async def list_workflows(api, request):
    entries = api.server.registry.entries()
    return json_response(odata.page(request, entries, lambda e: e.name, WORKFLOW_FIELDS,
                                    lambda e: workflow_resource(api, request, e)))


async def get_workflow(api, request):
    return json_response(workflow_resource(api, request, api.entry(request)))


def _set_state(api, request, state: str) -> web.Response:
    entry = api.entry(request)
    api.server.registry.set_state(entry.name, state)
    return web.Response(status=200)


async def enable(api, request):
    return _set_state(api, request, "Enabled")


async def disable(api, request):
    return _set_state(api, request, "Disabled")


async def regenerate(api, request):
    entry = api.entry(request)
    body = await read_body(request)
    api.server.keys.regenerate(entry.name, key_type(body.get("keyType")))
    return web.Response(status=200)


async def workflow_callback_url(api, request):
    """The workflow-level ``listCallbackUrl``: the callback URL of its Request trigger (the first one)."""
    entry = api.entry(request)
    trig = next((t for t in entry.triggers.values() if t.is_request), None)
    if trig is None:
        raise HttpError(400, "WorkflowTriggerNotFound",
                        f"The workflow '{entry.name}' has no Request trigger, so it has no callback URL.")
    return await callback_url(api, request, entry, trig)


async def list_versions(api, request):
    entry = api.entry(request)
    return json_response(odata.page(request, [entry], lambda e: e.version, None,
                                    lambda e: version_resource(api, request, e)))


async def get_version(api, request):
    entry = api.entry(request)
    wanted = request.match_info["version"]
    if wanted != entry.version:
        raise HttpError(404, "WorkflowVersionNotFound",
                        f"The version '{wanted}' of workflow '{entry.name}' could not be found.")
    return json_response(version_resource(api, request, entry))


async def outbox(api, request):
    """Every outbound call the workflow's runs made (answered by its mocks), oldest first."""
    entry = api.entry(request)
    return json_response({"value": await api.server.outbox(entry)})


W = "/workflows/{wf}"
ROUTES = (
    ("GET", "/workflows", list_workflows, None),
    ("GET", "/workflows", list_workflows, (arm.SUBSCRIPTION_PREFIX,)),
    ("GET", W, get_workflow, None),
    ("POST", W + "/enable", enable, None),
    ("POST", W + "/disable", disable, None),
    ("POST", W + "/regenerateAccessKey", regenerate, None),
    ("POST", W + "/listCallbackUrl", workflow_callback_url, None),
    ("GET", W + "/versions", list_versions, None),
    ("GET", W + "/versions/{version}", get_version, None),
    ("GET", W + "/outbox", outbox, None),
)
