"""Triggers and their histories: ``triggers[/{t}]``, ``listCallbackUrl``, ``run``, ``schemas/json``,
``histories[/{h}[/resubmit]]``.

``triggers/{t}/run`` answers under the ARM and host prefixes (on the bare ``/workflows/...`` path the legacy
SAS-signed ``/run`` URL keeps its place): it fires the trigger with the call's headers and body; ``resubmit``
starts a new run with the trigger outputs of the history's run. Both answer 202 as the run starts.
"""

from __future__ import annotations

import copy
import json

from aiohttp import web

from . import arm, invoke, links, odata, run_records, sas, urls
from .errors import HttpError
from .management_base import json_response, read_body
from .management_runs import version_ref
from .response import NO_CACHE, CallAnswer, run_headers

HISTORY_FIELDS = {
    "status": odata.Field(lambda h: (h.get("properties") or {}).get("status")),
    "starttime": odata.Field(lambda h: (h.get("properties") or {}).get("startTime"), time=True),
}
TRIGGER_FIELDS = {"state": odata.Field(lambda item: item[0].state)}


def key_type(value) -> str:
    found = sas.normalize_key_type(value)
    if found is None:
        raise HttpError(400, "InvalidKeyType",
                        f"The key type '{value}' is not valid. Allowed values are 'Primary' and 'Secondary'.")
    return found


async def callback_url(api, request, entry, trig, version: str | None = None) -> web.Response:
    body = await read_body(request)
    if not trig.is_request:
        raise HttpError(400, "InvalidTriggerType",
                        f"The trigger '{trig.name}' of type '{trig.trigger.type}' has no callback URL.")
    kind = key_type(body.get("keyType"))
    not_after = None
    if body.get("notAfter") is not None:
        not_after = sas.parse_expiry(str(body["notAfter"]))
        if not_after is None:
            raise HttpError(400, "InvalidRequestContent",
                            f"The value '{body['notAfter']}' of 'notAfter' is not a valid date and time.")
    return json_response(urls.callback(api.server.keys, entry, trig, api.base(request), kind, not_after, version))


async def last_execution(api, entry, trig) -> str | None:
    """The start time of the trigger's newest history (``lastExecutionTime``)."""
    histories = await api.server.history.trigger_histories(entry.name, trig.name, limit=1)
    return (histories[0].get("properties") or {}).get("startTime") if histories else None


def trigger_resource(api, request, entry, trig, last: str | None) -> dict:
    t = trig.trigger
    raw = t.raw
    created, changed = api.file_times(entry)
    props = {"provisioningState": "Succeeded", "createdTime": created, "changedTime": changed,
             "state": entry.state, "status": None, "lastExecutionTime": last,
             "recurrence": raw.get("recurrence"), "workflow": version_ref(request, entry)}
    rid = f"{arm.workflow_id(request, entry.name)}/triggers/{trig.name}"
    return arm.resource(rid, trig.name, arm.TRIGGERS, props)


async def fired_runs(api, entry, histories: list) -> dict:
    """The run records of the histories that fired a run, by name (what :func:`history_resource` shows)."""
    found = {}
    for stored in histories:
        if (stored.get("properties") or {}).get("fired"):
            found[stored["name"]] = await api.server.history.run(entry.name, stored["name"])
    return found


def history_resource(api, request, entry, trigger: str, stored: dict, runs: dict) -> dict:
    name = stored["name"]
    props = dict(stored.get("properties") or {})
    wf = arm.workflow_id(request, entry.name)
    if props.get("fired"):
        record = runs.get(name)
        trig = run_records.shown_trigger(entry, record) if record else {}
        props["trackingId"] = trig.get("trackingId")
        props.update(links.links(api.server.keys, entry, api.base(request), name, trig, "Trigger"))
        props["run"] = arm.ref(f"{wf}/runs/{name}", name, arm.RUNS)
    return arm.resource(f"{wf}/triggers/{trigger}/histories/{name}", name, arm.HISTORIES, props)


# ---------------------------------------------------------------------- handlers
async def list_triggers(api, request):
    entry = api.entry(request)
    items = [(entry, t) for t in entry.triggers.values()]
    last = {t.name: await last_execution(api, entry, t) for t in entry.triggers.values()}
    return json_response(odata.page(request, items, lambda item: item[1].name, TRIGGER_FIELDS,
                                    lambda item: trigger_resource(api, request, entry, item[1], last[item[1].name])))


async def get_trigger(api, request):
    entry = api.entry(request)
    trig = api.trigger(request, entry)
    return json_response(trigger_resource(api, request, entry, trig, await last_execution(api, entry, trig)))


async def list_callback_url(api, request):
    entry = api.entry(request)
    return await callback_url(api, request, entry, api.trigger(request, entry), request.match_info.get("version"))


async def schema_json(api, request):
    """``JsonSchema``: the Request trigger's body schema as JSON text (``{}`` without one)."""
    entry = api.entry(request)
    trig = api.trigger(request, entry)
    if not trig.is_request:
        raise HttpError(400, "InvalidTriggerType",
                        f"The trigger '{trig.name}' of type '{trig.trigger.type}' has no schema.")
    schema = trig.trigger.schema
    schema = schema if isinstance(schema, dict) else {}
    answer = {"content": json.dumps(schema, separators=(",", ":"))}
    if isinstance(schema.get("title"), str):
        answer["title"] = schema["title"]
    return json_response(answer)


async def run_trigger(api, request):
    """Fire the trigger as a caller of its URL would (no signature: the management API is open)."""
    entry = api.entry(request)
    trig = api.trigger(request, entry)
    body = await request.read() if request.body_exists else b""
    outputs = trig.call.outputs(request.headers, {}, body, {})
    return await start_run(api.server, entry, trig, outputs)


async def list_histories(api, request):
    entry = api.entry(request)
    trig = api.trigger(request, entry)
    stored = await api.server.history.trigger_histories(entry.name, trig.name)
    runs = await fired_runs(api, entry, stored)
    return json_response(odata.page(request, stored, lambda h: h["name"], HISTORY_FIELDS,
                                    lambda h: history_resource(api, request, entry, trig.name, h, runs)))


async def _history(api, request, entry, trig) -> dict:
    name = request.match_info["history"]
    found = await api.server.history.trigger_history(entry.name, trig.name, name)
    if found is None:
        raise HttpError(404, "WorkflowTriggerHistoryNotFound", f"The trigger history '{name}' could not be found.")
    return found


async def get_history(api, request):
    entry = api.entry(request)
    trig = api.trigger(request, entry)
    stored = await _history(api, request, entry, trig)
    runs = await fired_runs(api, entry, [stored])
    return json_response(history_resource(api, request, entry, trig.name, stored, runs))


async def resubmit(api, request):
    """A new run with the trigger outputs of the history's run; 202 at once."""
    server = api.server
    entry = api.entry(request)
    trig = api.trigger(request, entry)
    stored = await _history(api, request, entry, trig)
    fired = (stored.get("properties") or {}).get("fired")
    record = await server.history.run(entry.name, stored["name"]) if fired else None
    if record is None:
        raise HttpError(409, "WorkflowTriggerHistoryCannotBeResubmitted",
                        f"The trigger history '{stored['name']}' did not start a run: there is nothing to resubmit.")
    outputs = copy.deepcopy((record.get("trigger") or {}).get("outputs") or {})
    return await start_run(server, entry, trig, outputs)


async def start_run(server, entry, trig, outputs: dict) -> CallAnswer:
    """Fire ``trig`` with ``outputs`` (the trigger-call path: :func:`invoke.start`, :mod:`emulator.runtime.trigger`)
    and answer 202 at once: the run goes on, nobody waits for its Response."""
    if not entry.enabled:
        raise invoke.not_enabled(entry)
    if not trig.limiter.try_acquire():
        await trig.limiter.acquire(entry.name, trig.name)
    invocation = await invoke.start(server, entry, trig, outputs)
    await server.state.flush()  # the run is stored before the 202 leaves
    if invocation is None:
        return CallAnswer(202, dict(NO_CACHE))
    headers = {} if trig.suppress_headers else run_headers(entry, invocation, server.config.location)
    return CallAnswer(202, {**NO_CACHE, **headers}, run_id=invocation.run_id, invocation=invocation)


async def reset(api, request):
    """``triggers/{t}/reset``: a Request trigger keeps no state to reset (200)."""
    entry = api.entry(request)
    api.trigger(request, entry)
    return web.Response(status=200)


T = "/workflows/{wf}/triggers"
ARM_ONLY = tuple(p for p in arm.PREFIXES if p)  # the bare /workflows/{wf}/triggers/{t}/run is the SAS URL
ROUTES = (
    ("GET", T, list_triggers, None),
    ("GET", T + "/{trigger}", get_trigger, None),
    ("POST", T + "/{trigger}/listCallbackUrl", list_callback_url, None),
    ("POST", "/workflows/{wf}/versions/{version}/triggers/{trigger}/listCallbackUrl", list_callback_url, None),
    ("POST", T + "/{trigger}/run", run_trigger, ARM_ONLY),
    ("POST", T + "/{trigger}/reset", reset, None),
    ("GET", T + "/{trigger}/schemas/json", schema_json, None),
    ("GET", T + "/{trigger}/histories", list_histories, None),
    ("GET", T + "/{trigger}/histories/{history}", get_history, None),
    ("POST", T + "/{trigger}/histories/{history}/resubmit", resubmit, None),
)
