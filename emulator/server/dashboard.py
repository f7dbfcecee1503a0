"""The training dashboard on the server's own port: the page at ``/``, its files under ``/dashboard/``,
the live feed of trigger calls at ``GET /events`` (server-sent events), each workflow's protection in
plain words at ``GET /workflows/{wf}/protection`` and its security audit at ``GET /workflows/{wf}/audit``.

The page (``web/``: plain HTML, CSS and JavaScript, no build step, no request outside the server's origin)
reads only the management API; the endpoints it uses are listed in ``docs/dashboard.md``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from .errors import HttpError
from .events import as_event
from .findings import Findings
from .invoke import workflow_not_found
from .protection import describe

WEB_DIR = Path(__file__).with_name("web")
KEEP_ALIVE = 15.0  # seconds between comments on an idle stream (proxies and browsers keep it open)
STREAMS = web.AppKey("dashboard_streams", set)
_NO_STORE = {"Cache-Control": "no-store"}


def add_routes(app: web.Application, server) -> None:
    app[STREAMS] = set()
    app.router.add_get("/", _page)
    app.router.add_static("/dashboard/", WEB_DIR, append_version=False)
    app.router.add_get("/events", events_handler(server))
    app.router.add_get("/workflows/{wf}/protection", protection_handler(server))
    app.router.add_get("/workflows/{wf}/audit", audit_handler(server, Findings()))
    app.on_shutdown.append(_close_streams)


async def _page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_DIR / "index.html", headers=_NO_STORE)


def _entry(server, request: web.Request):
    key = request.match_info["wf"]
    entry = server.registry.find(key)
    if entry is None:
        raise workflow_not_found(key)
    return entry


def protection_handler(server):
    async def protection(request: web.Request) -> web.Response:
        entry = _entry(server, request)
        return web.json_response(describe(entry, server.config.auth, entry.name.lower() in server.callers))
    return protection


def audit_handler(server, findings: Findings):
    async def audit(request: web.Request) -> web.Response:
        return web.json_response(findings.of(_entry(server, request)))
    return audit


def _last_event_id(request: web.Request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after")
    if raw is None:
        return None
    if not raw.isdigit():
        raise HttpError(400, "InvalidLastEventId", f"The last event id '{raw}' is not a number.")
    return int(raw)


def events_handler(server):
    async def events(request: web.Request) -> web.StreamResponse:
        """``text/event-stream``: the kept recent events, then every new one (``call`` and ``run``)."""
        after = _last_event_id(request)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        feed = server.calls
        sub = feed.subscribe(after)
        task = asyncio.current_task()
        streams = request.app[STREAMS]
        streams.add(task)
        try:
            await response.write(b"retry: 1000\n\n")
            while True:
                try:
                    event_id, event = await asyncio.wait_for(sub.next(), KEEP_ALIVE)
                except asyncio.TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                event = as_event(event)
                data = json.dumps(event, separators=(",", ":"))
                await response.write(f"id: {event_id}\nevent: {event['type']}\ndata: {data}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            feed.unsubscribe(sub)
            streams.discard(task)
        return response
    return events


async def _close_streams(app: web.Application) -> None:
    """Open event streams never end by themselves: end them when the server shuts down."""
    for task in list(app[STREAMS]):
        task.cancel()
