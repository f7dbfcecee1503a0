"""Content links: ``inputsLink``/``outputsLink`` on run actions, repetitions, run triggers and trigger histories.

A link is Azure's ``ContentLink``: ``uri``, ``contentVersion``, ``contentSize``, ``contentHash`` (MD5,
base64). The ``uri`` is served by the emulator in Azure's shape,
``/workflows/{id}/runs/{run}[/actions/{a}[/repetitions/{rep}]]/contents/{ActionInputs|ActionOutputs|
TriggerInputs|TriggerOutputs}``, signed like Azure's links (``sp`` = that path + ``/read``, ``se`` the next
full hour a day ahead) and refused without a valid signature. Secured inputs and outputs get no link.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from aiohttp import web

from ..expressions.values import to_json_text
from ..runtime.run import SECURED
from . import run_records, sas
from .errors import HttpError

API_VERSION = "2016-06-01"
LIFETIME = timedelta(hours=24)


def content_path(run: str, kind: str, action: str | None = None, repetition: str | None = None) -> str:
    """The decoded path below ``/workflows/{id}`` (also the signed permission, less ``/read``)."""
    parts = ["runs", run]
    if action is not None:
        parts += ["actions", action]
        if repetition is not None:
            parts += ["repetitions", repetition]
    parts += ["contents", kind]
    return "/" + "/".join(parts)


def expiry(now: datetime | None = None) -> datetime:
    later = (now or datetime.now(timezone.utc)) + LIFETIME
    return later.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def link(keys, entry, base: str, path: str, value) -> dict:
    """The ``ContentLink`` of ``value`` served at ``path`` (see :func:`content_path`)."""
    data = to_json_text(value).encode("utf-8")
    digest = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii")
    signed = sas.signed_query(keys, entry.name, entry.id, path + "/read", API_VERSION, not_after=expiry())
    query = {"api-version": API_VERSION, "se": signed["se"], "sp": signed["sp"], "sv": signed["sv"],
             "sig": signed["sig"]}
    encoded = "/".join(quote(part, safe="") for part in path.split("/"))
    return {"uri": f"{base}/workflows/{entry.id}{encoded}?{sas.encode_query(query)}", "contentVersion": digest,
            "contentSize": len(data), "contentHash": {"algorithm": "md5", "value": digest}}


def links(keys, entry, base: str, run: str, holder: dict, prefix: str, action: str | None = None,
          repetition: str | None = None) -> dict:
    """``{"inputsLink", "outputsLink"}`` for a record holding ``inputs``/``outputs`` (``prefix``: ``Action`` or
    ``Trigger``); a part that is absent or secured gets no link."""
    out = {}
    for key, field in (("inputs", "inputsLink"), ("outputs", "outputsLink")):
        if key in holder and holder[key] != SECURED:
            kind = prefix + key.capitalize()
            out[field] = link(keys, entry, base, content_path(run, kind, action, repetition), holder[key])
    return out


ROUTES = ("/workflows/{wf}/runs/{run}/contents/{kind}",
          "/workflows/{wf}/runs/{run}/actions/{action}/contents/{kind}",
          "/workflows/{wf}/runs/{run}/actions/{action}/repetitions/{rep}/contents/{kind}")


def not_found(kind: str) -> HttpError:
    return HttpError(404, "ContentNotFound", f"The content '{kind}' could not be found.")


def serve(server, workflow_not_found):
    """The handler answering a content link: the JSON content, after the signature check."""
    async def handler(request: web.Request) -> web.Response:
        info = request.match_info
        entry = server.registry.find(info["wf"])
        if entry is None:
            raise workflow_not_found(info["wf"])
        path = content_path(info["run"], info["kind"], info.get("action"), info.get("rep"))
        if server.config.auth != "none":
            denied = sas.check(server.keys, entry.name, entry.id, request.query, path + "/read")
            if denied is not None:
                raise denied
        record = await server.history.run(entry.name, info["run"])
        if record is None:
            raise HttpError(404, "WorkflowRunNotFound", f"The workflow run '{info['run']}' could not be found.")
        found, value = run_records.content(entry, record, info["kind"], info.get("action"), info.get("rep"))
        if not found:
            raise not_found(info["kind"])
        return web.Response(body=to_json_text(value).encode("utf-8"), content_type="application/json",
                            charset="utf-8")
    return handler
