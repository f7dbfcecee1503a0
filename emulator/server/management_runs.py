"""Runs, their actions and repetitions: ``runs[/{run}[/cancel]]``, ``runs/{run}/actions[/{a}[/repetitions[/{rep}]]]``,
``runs/{run}/actions/{loop}/scopeRepetitions[/{rep}]`` (a loop's iterations).

Resources in Azure's shape (``WorkflowRun``, ``WorkflowRunAction``, ``WorkflowRunActionRepetitionDefinition``):
ARM ids, ``correlation`` nested, inputs and outputs as content links (:mod:`links`), lists paged
(:mod:`odata`).
"""

from __future__ import annotations

import asyncio
import uuid
from functools import partial

from aiohttp import web

from ..runtime import cancel
from ..runtime.trigger import response_action_name
from . import arm, links, odata, run_records
from .errors import HttpError
from .management_base import json_response

SCOPE = "scopeRepetitions"
CANCEL_WAIT = 5.0  # seconds a cancel waits for the run to wind down before answering

RUN_FIELDS = {
    "status": odata.Field(lambda r: r.get("status")),
    "starttime": odata.Field(lambda r: r.get("startTime"), time=True),
    "clienttrackingid": odata.Field(lambda r: (r.get("correlation") or {}).get("clientTrackingId")),
}
ACTION_FIELDS = {"status": odata.Field(lambda item: item[1].get("status"))}


def _drop_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def run_id(request, entry, run: str) -> str:
    return f"{arm.workflow_id(request, entry.name)}/runs/{run}"


def version_ref(request, entry) -> dict:
    return arm.ref(f"{arm.workflow_id(request, entry.name)}/versions/{entry.version}", entry.version, arm.VERSIONS)


def action_tracking_id(run: str, action: str, repetition: str = "") -> str:
    """A stable per-action guid (Azure's ``correlation.actionTrackingId``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{action}/{repetition}"))


def _trigger_view(api, request, entry, record: dict) -> dict:
    trig = run_records.shown_trigger(entry, record)
    view = {"name": trig.get("name"), **links.links(api.server.keys, entry, api.base(request), record["name"],
                                                      trig, "Trigger"),
            "scheduledTime": trig.get("scheduledTime") or trig.get("startTime"), "startTime": trig.get("startTime"),
            "endTime": trig.get("endTime"), "trackingId": trig.get("trackingId"),
            "correlation": {"clientTrackingId": trig.get("clientTrackingId") or record["name"]},
            "originHistoryName": trig.get("originHistoryName"), "code": trig.get("code") or "OK",
            "status": trig.get("status"), "error": trig.get("error"),
            "trackedProperties": trig.get("trackedProperties")}
    return _drop_none(view)


def _response_view(api, request, entry, record: dict) -> dict | None:
    found = run_records.find_action(record, response_action_name(entry.workflow))
    if found is None:
        return None
    name, action = found
    view = {"name": name, "startTime": action.get("startTime"), "endTime": action.get("endTime"),
            "trackingId": action.get("trackingId"),
            "correlation": {"clientTrackingId": action.get("clientTrackingId") or record["name"]},
            "code": action.get("code"), "status": action.get("status"), "error": action.get("error")}
    if "outputs" in action and action["outputs"] != run_records.SECURED:
        path = links.content_path(record["name"], "ActionOutputs", name)
        view["outputsLink"] = links.link(api.server.keys, entry, api.base(request), path, action["outputs"])
    return _drop_none(view)


def run_resource(api, request, entry, record: dict) -> dict:
    error = record.get("error")
    props = {"waitEndTime": record.get("startTime"), "startTime": record.get("startTime"),
             "endTime": record.get("endTime"), "status": record.get("status"),
             "code": error.get("code") if isinstance(error, dict) else None, "error": error,
             "correlationId": (record.get("trigger") or {}).get("trackingId"),
             "correlation": record.get("correlation") or {"clientTrackingId": record["name"]},
             "workflow": version_ref(request, entry), "trigger": _trigger_view(api, request, entry, record),
             "outputs": record.get("outputs") or {}, "response": _response_view(api, request, entry, record)}
    return arm.resource(run_id(request, entry, record["name"]), record["name"], arm.RUNS, props)


def _correlation(record: dict, run: str, name: str, repetition: str = "") -> dict:
    return {"actionTrackingId": action_tracking_id(run, name, repetition),
            "clientTrackingId": record.get("clientTrackingId") or run}


def action_resource(api, request, entry, run: str, name: str, action: dict) -> dict:
    props = {"startTime": action.get("startTime"), "endTime": action.get("endTime"), "status": action.get("status"),
             "code": action.get("code"), "error": action.get("error"), "trackingId": action.get("trackingId"),
             "correlation": _correlation(action, run, name),
             **links.links(api.server.keys, entry, api.base(request), run, action, "Action", name),
             "trackedProperties": action.get("trackedProperties"), "retryHistory": action.get("retryHistory"),
             "repetitionCount": action.get("repetitionCount")}
    return arm.resource(f"{run_id(request, entry, run)}/actions/{name}", name, arm.ACTIONS, props)


def repetition_resource(api, request, entry, run: str, action: str, rep_name: str, rep: dict,
                        kind: str = "repetitions") -> dict:
    props = {"startTime": rep.get("startTime"), "endTime": rep.get("endTime"),
             "correlation": _correlation(rep, run, action, rep_name), "status": rep.get("status"),
             "code": rep.get("code"), "error": rep.get("error"), "trackingId": rep.get("trackingId"),
             **links.links(api.server.keys, entry, api.base(request), run, rep, "Action", action, rep_name),
             "trackedProperties": rep.get("trackedProperties"), "retryHistory": rep.get("retryHistory"),
             "iterationCount": rep.get("iterationCount"), "repetitionIndexes": rep.get("repetitionIndexes")}
    rid = f"{run_id(request, entry, run)}/actions/{action}/{kind}/{rep_name}"
    return arm.resource(rid, rep_name, arm.SCOPE_REPETITIONS if kind == SCOPE else arm.REPETITIONS, props)


# ---------------------------------------------------------------------- handlers
async def list_runs(api, request):
    entry = api.entry(request)
    # ?status= is the emulator's own short form, kept for existing callers
    runs = await api.server.history.runs(entry.name, status=request.query.get("status") or None)
    return json_response(odata.page(request, runs, lambda r: r["name"], RUN_FIELDS,
                                    lambda r: run_resource(api, request, entry, r)))


async def get_run(api, request):
    entry = api.entry(request)
    return json_response(run_resource(api, request, entry, await api.run(request, entry)))


async def cancel_run(api, request):
    """Cancel a running run: actions in progress end Cancelled, the rest Skipped, the run Cancelled."""
    entry = api.entry(request)
    record = await api.run(request, entry)
    invocation = api.server.running.get(record["name"])
    if invocation is None or not cancel(invocation):
        raise HttpError(409, "WorkflowRunCannotBeCancelled",
                        f"The workflow run '{record['name']}' cannot be cancelled: it is in state "
                        f"'{record.get('status')}'.")
    if not invocation.done.done():
        await asyncio.wait([invocation.done], timeout=CANCEL_WAIT)
    return web.Response(status=200)


def _action(request, record: dict) -> tuple[str, dict]:
    name = request.match_info["action"]
    found = run_records.find_action(record, name)
    if found is None:
        raise HttpError(404, "WorkflowRunActionNotFound",
                        f"The action '{name}' of workflow run '{record.get('name')}' could not be found.")
    return found


async def list_actions(api, request):
    entry = api.entry(request)
    record = await api.run(request, entry)
    run = record["name"]
    items = list((record.get("actions") or {}).items())
    return json_response(odata.page(request, items, lambda item: item[0], ACTION_FIELDS,
                                    lambda item: action_resource(api, request, entry, run, *item)))


async def get_action(api, request):
    entry = api.entry(request)
    record = await api.run(request, entry)
    return json_response(action_resource(api, request, entry, record["name"], *_action(request, record)))


def _repetitions(record: dict, name: str, action: dict, kind: str) -> list[tuple[str, dict]]:
    if kind == SCOPE:
        return run_records.scope_repetitions(record, name)
    return run_records.repetitions(name, action)


async def list_repetitions(api, request, kind: str = "repetitions"):
    """An action's repetitions, or (``scopeRepetitions``) the iterations of a Foreach or Until action."""
    entry = api.entry(request)
    record = await api.run(request, entry)
    name, action = _action(request, record)
    items = _repetitions(record, name, action, kind)
    return json_response(odata.page(request, items, lambda item: item[0], None, lambda item: repetition_resource(
        api, request, entry, record["name"], name, *item, kind=kind)))


async def get_repetition(api, request, kind: str = "repetitions"):
    entry = api.entry(request)
    record = await api.run(request, entry)
    name, action = _action(request, record)
    wanted = request.match_info["rep"]
    rep = _found_repetition(dict(_repetitions(record, name, action, kind)).get(wanted), wanted)
    return json_response(repetition_resource(api, request, entry, record["name"], name, wanted, rep, kind=kind))


def _found_repetition(rep: dict | None, wanted: str) -> dict:
    if rep is None:
        raise HttpError(404, "WorkflowRunActionRepetitionNotFound", f"The repetition '{wanted}' could not be found.")
    return rep


def request_history_resource(request, entry, run: str, action: str, rep: str | None, name: str, call: dict) -> dict:
    sent = call.get("request") or {}
    answer = call.get("response") or {}
    response = None
    if "statusCode" in answer:
        response = {"statusCode": answer.get("statusCode"), "headers": answer.get("headers") or {}}
    props = _drop_none({"startTime": call.get("time"), "endTime": call.get("time"),
                        "request": _drop_none({"uri": sent.get("url") or sent.get("path"), "method": sent.get("method"),
                                               "headers": sent.get("headers") or {}}),
                        "response": response})
    below = f"/repetitions/{rep}" if rep is not None else ""
    rid = f"{run_id(request, entry, run)}/actions/{action}{below}/requestHistories/{name}"
    return {"id": rid, "name": name, "type": arm.REQUEST_HISTORIES, "properties": props}


async def list_request_histories(api, request):
    """The HTTP requests an action (or one of its repetitions) sent: ``requestHistories``."""
    entry = api.entry(request)
    record = await api.run(request, entry)
    name, action = _action(request, record)
    rep = request.match_info.get("rep")
    if rep is not None:
        _found_repetition(run_records.find_repetition(name, action, rep), rep)
    items = run_records.request_histories(record, name, rep)
    wanted = request.match_info.get("history")
    if wanted is not None:
        call = dict(items).get(wanted)
        if call is None:
            raise HttpError(404, "WorkflowRunActionRequestHistoryNotFound",
                            f"The request history '{wanted}' could not be found.")
        return json_response(request_history_resource(request, entry, record["name"], name, rep, wanted, call))
    return json_response(odata.page(request, items, lambda item: item[0], None, lambda item: (
        request_history_resource(request, entry, record["name"], name, rep, *item))))


async def get_operation(api, request):
    """``runs/{run}/operations/{op}`` (ARM): the run an asynchronous Response's operation belongs to."""
    entry = api.entry(request)
    record = await api.run(request, entry)
    op = request.match_info["op"]
    found = api.server.operations.get(op)
    if found is None or found[1].run_id != record["name"]:
        raise HttpError(404, "WorkflowRunOperationNotFound",
                        f"The operation '{op}' of workflow run '{record['name']}' could not be found.")
    return json_response(run_resource(api, request, entry, record))


R = "/workflows/{wf}/runs"
ARM_ONLY = tuple(p for p in arm.PREFIXES if p)  # the bare /workflows/{wf}/runs/{r}/operations/{op} is the SAS poll URL
ROUTES = (
    ("GET", R, list_runs, None),
    ("GET", R + "/{run}", get_run, None),
    ("POST", R + "/{run}/cancel", cancel_run, None),
    ("GET", R + "/{run}/operations/{op}", get_operation, ARM_ONLY),
    ("GET", R + "/{run}/actions", list_actions, None),
    ("GET", R + "/{run}/actions/{action}", get_action, None),
    ("GET", R + "/{run}/actions/{action}/repetitions", list_repetitions, None),
    ("GET", R + "/{run}/actions/{action}/repetitions/{rep}", get_repetition, None),
    ("GET", R + "/{run}/actions/{action}/requestHistories", list_request_histories, None),
    ("GET", R + "/{run}/actions/{action}/requestHistories/{history}", list_request_histories, None),
    ("GET", R + "/{run}/actions/{action}/repetitions/{rep}/requestHistories", list_request_histories, None),
    ("GET", R + "/{run}/actions/{action}/repetitions/{rep}/requestHistories/{history}", list_request_histories, None),
    ("GET", R + "/{run}/actions/{action}/scopeRepetitions", partial(list_repetitions, kind=SCOPE), None),
    ("GET", R + "/{run}/actions/{action}/scopeRepetitions/{rep}", partial(get_repetition, kind=SCOPE), None),
)
