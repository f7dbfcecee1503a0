"""What the management API's handlers share: JSON answers, request bodies and lookups answering 404 in the
host's shape (:class:`Api`)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from aiohttp import web

from ..expressions.values import to_json_text
from ..runtime.clock import iso
from .errors import HttpError
from .invoke import trigger_not_found, workflow_not_found


def json_response(data, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(status=status, body=to_json_text(data).encode("utf-8"), headers=headers,
                        content_type="application/json", charset="utf-8")


async def read_body(request) -> dict:
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


class Api:
    """What every management handler needs: the server and lookups that answer 404 in the host's shape."""

    def __init__(self, server):
        self.server = server

    @staticmethod
    def base(request) -> str:
        return f"{request.scheme}://{request.host}"

    def entry(self, request):
        key = request.match_info["wf"]
        entry = self.server.registry.find(key)
        if entry is None:
            raise workflow_not_found(key)
        return entry

    def trigger(self, request, entry):
        name = request.match_info["trigger"]
        trig = entry.trigger(name)
        if trig is None:
            raise trigger_not_found(entry.name, name)
        return trig

    async def run(self, request, entry) -> dict:
        name = request.match_info["run"]
        record = await self.server.history.run(entry.name, name)
        if record is None:
            raise HttpError(404, "WorkflowRunNotFound", f"The workflow run '{name}' could not be found.")
        return record

    @staticmethod
    def file_times(entry) -> tuple[str | None, str | None]:
        """``createdTime`` and ``changedTime`` of a workflow: its file's times."""
        source = entry.source
        if source is None:
            return None, None
        target = source / "workflow.json" if source.is_dir() else source
        try:
            st = target.stat()
        except OSError:
            return None, None
        created = min(st.st_ctime, st.st_mtime)
        return (iso(datetime.fromtimestamp(created, timezone.utc)),
                iso(datetime.fromtimestamp(st.st_mtime, timezone.utc)))
