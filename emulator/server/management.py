"""The management API on the same server: callback URLs, access keys, runs and trigger histories.

Every path answers under the bare ``/workflows/...`` prefix and the host prefixes clients use: ARM
Consumption (``/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Logic``), the Standard host
(``/runtime/webhooks/workflow/api/management``) and its ARM forms under ``Microsoft.Web/sites/{site}``.
The management API is not authenticated: the server is meant for 127.0.0.1.
"""

from __future__ import annotations

import json

from aiohttp import web

from ..expressions.values import to_json_text
from . import sas, urls
from .errors import HttpError
from .invoke import trigger_not_found, workflow_not_found

PREFIXES = (
    "",
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Logic",
    "/runtime/webhooks/workflow/api/management",
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}/hostruntime/runtime/webhooks/"
    "workflow/api/management",
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}",
)


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _json(data, status: int = 200) -> web.Response:
    return web.Response(status=status, body=to_json_text(data).encode("utf-8"),
                        content_type="application/json", charset="utf-8")


async def _body(request) -> dict:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, "InvalidRequestContent",
                        f"The request content is not valid and could not be deserialized: '{exc}'.") from None
    if not isinstance(data, dict):
        raise HttpError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    return data


def _key_type(value) -> str:
    key_type = sas.normalize_key_type(value)
    if key_type is None:
        raise HttpError(400, "InvalidKeyType",
                        f"The key type '{value}' is not valid. Allowed values are 'Primary' and 'Secondary'.")
    return key_type


class Management:
    def __init__(self, server):
        self.server = server

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        for p in PREFIXES:
            w = p + "/workflows/{wf}"
            r.add_get(p + "/workflows", self.list_workflows)
            r.add_get(w, self.get_workflow)
            r.add_post(w + "/regenerateAccessKey", self.regenerate)
            r.add_get(w + "/triggers", self.list_triggers)
            r.add_get(w + "/triggers/{trigger}", self.get_trigger)
            r.add_post(w + "/triggers/{trigger}/listCallbackUrl", self.list_callback_url)
            r.add_post(w + "/versions/{version}/triggers/{trigger}/listCallbackUrl", self.list_callback_url)
            r.add_get(w + "/triggers/{trigger}/histories", self.list_histories)
            r.add_get(w + "/triggers/{trigger}/histories/{history}", self.get_history)
            r.add_get(w + "/outbox", self.outbox)
            r.add_get(w + "/runs", self.list_runs)
            r.add_get(w + "/runs/{run}", self.get_run)
            r.add_get(w + "/runs/{run}/actions", self.list_actions)
            r.add_get(w + "/runs/{run}/actions/{action}", self.get_action)
            r.add_get(w + "/runs/{run}/actions/{action}/repetitions", self.list_repetitions)
            r.add_get(w + "/runs/{run}/actions/{action}/repetitions/{rep}", self.get_repetition)

    # ------------------------------------------------------------------ helpers
    def _entry(self, request):
        key = request.match_info["wf"]
        entry = self.server.registry.find(key)
        if entry is None:
            raise workflow_not_found(key)
        return entry

    def _trigger(self, request, entry):
        name = request.match_info["trigger"]
        trig = entry.trigger(name)
        if trig is None:
            raise trigger_not_found(entry.name, name)
        return trig

    def _run(self, request, entry) -> dict:
        name = request.match_info["run"]
        record = self.server.history.run(entry.name, name)
        if record is None:
            raise HttpError(404, "WorkflowRunNotFound", f"The workflow run '{name}' could not be found.")
        return record

    def _action(self, request, entry, record) -> tuple[str, dict]:
        name = request.match_info["action"]
        actions = record.get("actions") or {}
        found = next((k for k in actions if k.lower() == name.lower()), None)
        if found is None:
            raise HttpError(404, "WorkflowRunActionNotFound",
                            f"The action '{name}' of workflow run '{record.get('name')}' could not be found.")
        return found, actions[found]

    # ------------------------------------------------------------------ workflows and triggers
    def _workflow_resource(self, request, entry) -> dict:
        wf = entry.workflow
        return {"id": f"/workflows/{entry.name}", "name": entry.name, "type": "Microsoft.Logic/workflows",
                "properties": {"state": entry.state, "version": entry.version, "flavor": entry.flavor,
                               "kind": wf.kind, "source": str(entry.source or ""),
                               "accessEndpoint": f"{_base_url(request)}/workflows/{entry.id}",
                               "workflowId": entry.id, "definition": wf.definition}}

    async def list_workflows(self, request):
        return _json({"value": [self._workflow_resource(request, e) for e in self.server.registry.entries()]})

    async def get_workflow(self, request):
        return _json(self._workflow_resource(request, self._entry(request)))

    def _trigger_resource(self, entry, trig) -> dict:
        t = trig.trigger
        return {"id": f"/workflows/{entry.name}/triggers/{trig.name}", "name": trig.name,
                "type": "Microsoft.Logic/workflows/triggers",
                "properties": {"state": entry.state, "type": t.type, "kind": t.kind,
                               "method": trig.method if trig.is_request else None,
                               "relativePath": trig.path.template or None}}

    async def list_triggers(self, request):
        entry = self._entry(request)
        return _json({"value": [self._trigger_resource(entry, t) for t in entry.triggers.values()]})

    async def get_trigger(self, request):
        entry = self._entry(request)
        return _json(self._trigger_resource(entry, self._trigger(request, entry)))

    async def list_callback_url(self, request):
        entry = self._entry(request)
        trig = self._trigger(request, entry)
        body = await _body(request)
        if not trig.is_request:
            raise HttpError(400, "InvalidTriggerType",
                            f"The trigger '{trig.name}' of type '{trig.trigger.type}' has no callback URL.")
        key_type = _key_type(body.get("keyType"))
        not_after = None
        if body.get("notAfter") is not None:
            not_after = sas.parse_expiry(str(body["notAfter"]))
            if not_after is None:
                raise HttpError(400, "InvalidRequestContent",
                                f"The value '{body['notAfter']}' of 'notAfter' is not a valid date and time.")
        return _json(urls.callback(self.server.keys, entry, trig, _base_url(request), key_type, not_after,
                                   request.match_info.get("version")))

    async def regenerate(self, request):
        entry = self._entry(request)
        body = await _body(request)
        self.server.keys.regenerate(entry.name, _key_type(body.get("keyType")))
        return web.Response(status=200)

    async def outbox(self, request):
        """Every outbound call the workflow's runs made (answered by its mocks), oldest first."""
        entry = self._entry(request)
        return _json({"value": self.server.outbox(entry)})

    # ------------------------------------------------------------------ histories and runs
    async def list_histories(self, request):
        entry = self._entry(request)
        trig = self._trigger(request, entry)
        return _json({"value": self.server.history.trigger_histories(entry.name, trig.name)})

    async def get_history(self, request):
        entry = self._entry(request)
        trig = self._trigger(request, entry)
        name = request.match_info["history"]
        found = self.server.history.trigger_history(entry.name, trig.name, name)
        if found is None:
            raise HttpError(404, "WorkflowTriggerHistoryNotFound", f"The trigger history '{name}' could not be found.")
        return _json(found)

    def _run_resource(self, entry, record) -> dict:
        props = {k: v for k, v in record.items() if k not in ("name", "actions")}
        props["workflow"] = {"id": f"/workflows/{entry.name}/versions/{entry.version}", "name": entry.version,
                             "type": "Microsoft.Logic/workflows/versions"}
        return {"id": f"/workflows/{entry.name}/runs/{record['name']}", "name": record["name"],
                "type": "Microsoft.Logic/workflows/runs", "properties": props}

    async def list_runs(self, request):
        entry = self._entry(request)
        status = request.query.get("status")
        runs = self.server.history.runs(entry.name)
        if status:
            runs = [r for r in runs if str(r.get("status", "")).lower() == status.lower()]
        return _json({"value": [self._run_resource(entry, r) for r in runs]})

    async def get_run(self, request):
        entry = self._entry(request)
        return _json(self._run_resource(entry, self._run(request, entry)))

    def _action_resource(self, entry, run_name, name, action) -> dict:
        props = {k: v for k, v in action.items() if k != "repetitions"}
        return {"id": f"/workflows/{entry.name}/runs/{run_name}/actions/{name}", "name": name,
                "type": "Microsoft.Logic/workflows/runs/actions", "properties": props}

    async def list_actions(self, request):
        entry = self._entry(request)
        record = self._run(request, entry)
        return _json({"value": [self._action_resource(entry, record["name"], n, a)
                                for n, a in (record.get("actions") or {}).items()]})

    async def get_action(self, request):
        entry = self._entry(request)
        record = self._run(request, entry)
        name, action = self._action(request, entry, record)
        return _json(self._action_resource(entry, record["name"], name, action))

    def _repetitions(self, entry, record, name, action) -> list[dict]:
        out = []
        for index, rep in enumerate(action.get("repetitions") or []):
            rep_name = _repetition_name(rep, index)
            props = {k: v for k, v in rep.items() if k != "name"} if isinstance(rep, dict) else {"value": rep}
            out.append({"id": f"/workflows/{entry.name}/runs/{record['name']}/actions/{name}/repetitions/{rep_name}",
                        "name": rep_name, "type": "Microsoft.Logic/workflows/runs/actions/repetitions",
                        "properties": props})
        return out

    async def list_repetitions(self, request):
        entry = self._entry(request)
        record = self._run(request, entry)
        name, action = self._action(request, entry, record)
        return _json({"value": self._repetitions(entry, record, name, action)})

    async def get_repetition(self, request):
        entry = self._entry(request)
        record = self._run(request, entry)
        name, action = self._action(request, entry, record)
        wanted = request.match_info["rep"]
        for rep in self._repetitions(entry, record, name, action):
            if rep["name"] == wanted:
                return _json(rep)
        raise HttpError(404, "WorkflowRunActionRepetitionNotFound", f"The repetition '{wanted}' could not be found.")


def _repetition_name(rep, index: int) -> str:
    """The host's repetition name: one 6-digit item index per enclosing loop, outermost first (``000001-000000``).

    A run record's repetition carries the action's own name in ``name``; its place is ``repetitionIndexes``.
    """
    if not isinstance(rep, dict):
        return f"{index:06d}"
    indexes = rep.get("repetitionIndexes")
    if indexes:
        return "-".join(f"{int(i.get('itemIndex', 0)):06d}" for i in indexes)
    return f"{index:06d}"
