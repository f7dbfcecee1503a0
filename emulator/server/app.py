"""The aiohttp application: routes for every URL shape, the access log, hot reload, run bookkeeping.

Reading order for one request: ``routes`` below -> ``invoke.handle`` (checks, trigger outputs, run) ->
``response`` (the answer and its x-ms-* headers). Management calls go to ``management.Management``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from dataclasses import dataclass, field
from functools import partial

from aiohttp import web

from . import ids, invoke, urls
from .engine import run_options
from .errors import HttpError
from .history import open_history
from .ipfilter import parse_proxies
from .keys import RUN_ID, X_HEADERS
from .management import Management
from .registry import Registry
from .response import error_response
from .sas import KeyStore

try:
    from . import issuer
except ImportError:  # the access stream has not landed
    issuer = None

log = logging.getLogger("emulator.server")
access_log = logging.getLogger("emulator.server.access")

SERVER = web.AppKey("server", object)
RESPONSE_TIMEOUT = 120.0  # Consumption and Power Automate (spec §8)
STANDARD_RESPONSE_TIMEOUT = 225.0  # Runtime.Backend.HttpOperation.RequestTimeout default, 00:03:45 (spec §8)
_SIG = re.compile(r"([?&]sig=)[^&]*", re.IGNORECASE)


@dataclass
class ServerConfig:
    paths: list = field(default_factory=lambda: ["flows"])
    host: str = "127.0.0.1"
    port: int = 7071
    state_dir: str | None = ".state"
    auth: str = "sas"  # "sas" | "none"
    sas_key: str | None = None
    response_timeout: float | None = None  # None: the host's default for the workflow (see timeout_for)
    body_limit: int = 104_857_600
    history: str = "memory"  # "memory" | "sqlite"
    history_size: int = 1000
    skipped_status: int = 202
    location: str = "local"
    reload_interval: float = 1.0
    retry_after: int = 1
    mocks: str | None = None  # a mocks file for every workflow without its own <flow>.mocks.json
    trusted_proxies: list = field(default_factory=list)  # peers whose X-Forwarded-For is believed
    run_options: dict = field(default_factory=dict)


class Server:
    """Everything one request may need: config, runtime, workflows, keys, history, async operations."""

    def __init__(self, config: ServerConfig, runtime):
        self.config = config
        self.runtime = runtime
        self.registry = Registry(config.paths, runtime, config.location)
        self.keys = KeyStore(config.state_dir, config.sas_key)
        self.history = open_history(config.history, config.state_dir, config.history_size)
        self.operations: dict[str, tuple] = {}
        self.running: dict[str, object] = {}  # invocations of the runs going on, by run id (cancel)
        self.startup_messages = self.registry.load()
        self._mocks: dict[str, tuple] = {}
        self._options: dict[tuple, tuple] = {}
        self.rng = random.Random()  # one seeded source for rand()/guid(): seeding per run is slow
        self.jwt_keys = None  # the access stream's token issuer key store, when it is there
        self.trusted_proxies = parse_proxies(config.trusted_proxies)  # parsed once, not per request
        self._reload_task: asyncio.Task | None = None

    # ------------------------------------------------------------------ run bookkeeping
    def record_run(self, entry, trig, invocation) -> None:
        record = invocation.record
        run_id = invocation.run_id
        self.history.add_run(entry.name, record)
        started = record.get("startTime") or invoke.now_iso()
        client = (record.get("correlation") or {}).get("clientTrackingId") or run_id
        self.history.add_trigger_lazy(entry.name, trig.name, run_id,
                                      partial(_fired_entry, entry.name, trig.name, run_id, started, client))
        done = invocation.done
        if done.done():  # a run that never waited is over already
            self._run_finished(entry, trig, invocation, done)
        else:
            self.running[run_id] = invocation
            done.add_done_callback(partial(self._run_finished, entry, trig, invocation))

    def _run_finished(self, entry, trig, invocation, fut) -> None:
        trig.limiter.release()
        self.running.pop(invocation.run_id, None)
        mocks = self._mocks.get(entry.name.lower())
        calls = getattr(mocks[1], "calls", None) if mocks is not None else None
        if calls and isinstance(calls, list) and len(calls) > 2 * self.config.history_size:
            del calls[: len(calls) - self.config.history_size]  # the outbox is bounded like the history
        final = invocation.record
        if not fut.cancelled() and fut.exception() is None and isinstance(fut.result(), dict):
            final = fut.result()
        try:
            self.history.update_run(entry.name, final)
        except Exception:  # noqa: BLE001 - history must never break a run
            log.exception("could not store run %s", invocation.run_id)

    def record_skipped(self, entry, trig) -> None:
        name = ids.new_run_id()
        now = invoke.now_iso()
        self.history.add_trigger(entry.name, trig.name, {
            "name": name, "id": f"/workflows/{entry.name}/triggers/{trig.name}/histories/{name}",
            "type": "Microsoft.Logic/workflows/triggers/histories",
            "properties": {"startTime": now, "endTime": now, "scheduledTime": now, "status": "Skipped",
                           "code": "OK", "correlation": {"clientTrackingId": name}, "fired": False}})

    def new_operation(self, entry, invocation, base: str) -> str:
        op_id = ids.new_guid().replace("-", "")
        location = urls.operation_url(self.keys, entry, invocation.run_id, op_id, base)
        headers = {} if entry is None else invoke.run_headers(entry, invocation, self.config.location)
        self.operations[op_id] = (entry, invocation, headers, location)
        while len(self.operations) > 10 * self.config.history_size:
            self.operations.pop(next(iter(self.operations)))
        return location

    def options_for(self, entry, trig):
        """RunOptions for a trigger, built once per loaded version (the runtime only reads them)."""
        key = (entry.name.lower(), trig.name)
        cached = self._options.get(key)
        if cached is not None and cached[0] is entry and cached[1] == self.registry.generation:
            return cached[2]
        cfg = self.config
        options = run_options(self.runtime, response_timeout=self.timeout_for(entry), location=cfg.location,
                              workflows=self.registry.workflows(), mocks=self.mocks_for(entry),
                              client_waiting=not trig.split_on, rng=self.rng, **cfg.run_options)
        self._options[key] = (entry, self.registry.generation, options)
        return options

    def timeout_for(self, entry) -> float:
        """Seconds a caller waits for a Response before 504: ``--timeout`` when given, else the host's default
        (Standard: host.json's RequestTimeout or 225 s, the runtime's ``00:03:45``; otherwise 120 s)."""
        if self.config.response_timeout is not None:
            return self.config.response_timeout
        if entry.standard:
            return getattr(entry.workflow, "response_timeout", None) or STANDARD_RESPONSE_TIMEOUT
        return RESPONSE_TIMEOUT

    # ------------------------------------------------------------------ mocks (the outbox)
    def mocks_for(self, entry):
        """The workflow's MockSet (kept per loaded version, so its call log is the workflow's outbox)."""
        cached = self._mocks.get(entry.name.lower())
        if cached is not None and cached[0] is entry:
            return cached[1]
        source = entry.mocks_file or self.config.mocks
        loader = getattr(self.runtime, "MockSet", None)
        try:
            mocks = loader.load(str(source) if source else None) if loader is not None else source
        except (OSError, ValueError) as exc:
            log.warning("mocks %s: %s (running without them)", source, exc)
            mocks = loader.load(None) if loader is not None else None
        self._mocks[entry.name.lower()] = (entry, mocks)
        return mocks

    def outbox(self, entry) -> list:
        return list(getattr(self.mocks_for(entry), "calls", None) or [])

    # ------------------------------------------------------------------ hot reload
    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.config.reload_interval)
            try:
                messages = self.registry.reload_if_changed()
            except Exception:  # noqa: BLE001 - keep watching whatever happens
                log.exception("reload failed")
                continue
            for line in messages or ():
                log.warning("%s", line) if line.startswith("problem") or "failed" in line else log.info("%s", line)

    async def on_startup(self, app) -> None:
        if self.config.reload_interval and self.config.reload_interval > 0:
            self._reload_task = asyncio.create_task(self._watch())

    async def on_cleanup(self, app) -> None:
        if self._reload_task:
            self._reload_task.cancel()
        self.history.close()


def _fired_entry(workflow: str, trigger: str, run_id: str, started: str, client_tracking_id: str) -> dict:
    """The trigger-history entry of a call that started a run (built when the history is read)."""
    return {"name": run_id, "id": f"/workflows/{workflow}/triggers/{trigger}/histories/{run_id}",
            "type": "Microsoft.Logic/workflows/triggers/histories",
            "properties": {"startTime": started, "endTime": started, "scheduledTime": started,
                           "status": "Succeeded", "code": "OK",
                           "correlation": {"clientTrackingId": client_tracking_id},
                           "fired": True, "run": {"id": f"/workflows/{workflow}/runs/{run_id}", "name": run_id,
                                                  "type": "Microsoft.Logic/workflows/runs"}}}


# ---------------------------------------------------------------------- middlewares
# Request limits (spec §9): the URL may be 16,384 characters; headers get Kestrel-like room (the host's
# limit is not documented). aiohttp's own parser limits sit just above, so our JSON error answers first.
MAX_URL_LENGTH = 16_384
HANDLER_ARGS = {"max_line_size": MAX_URL_LENGTH + 1024, "max_field_size": 32_768}


def make_runner(app: web.Application) -> web.AppRunner:
    """The AppRunner every entry point uses (serve, tests, benchmarks): our limits, no aiohttp access log,
    and trigger calls dispatched straight to :func:`invoke.handle` (see :class:`_Runner`)."""
    return _Runner(app, access_log=None, **HANDLER_ARGS)


class _Runner(web.AppRunner):
    """An AppRunner whose server sends trigger calls past aiohttp's router and middleware chain.

    A trigger URL is the hot path: one regex per URL shape finds it (the same patterns as the routes in
    :func:`create_app`, which still answer everything else, and trigger calls made through aiohttp's test
    client). Paths with percent-escapes, and requests with ``Expect``, take the router's way: that way
    decoding and ``100-continue`` stay aiohttp's.
    """

    async def _make_server(self):
        server = await super()._make_server()
        server.request_handler = partial(_dispatch, self.app[SERVER], server.request_handler)
        return server


def _fast_shapes() -> tuple:
    shapes = []
    for prefix, skip in _SHAPES:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^{}/%]+)", prefix)
        shapes.append((re.compile(pattern + r"(?:/|$)").match, skip))
    return tuple(shapes)


async def _dispatch(server, app_handler, request: web.BaseRequest):
    raw = request.raw_path
    path = raw.partition("?")[0]
    if "%" not in path and "Expect" not in request.headers:
        for match, skip in _FAST:
            found = match(path)
            if found is not None:
                info = found.groupdict()
                relative = "/".join(path.split("/")[skip + 1:])
                return await guarded(request, invoke.handle(server, request, info["wf"], info["trigger"], relative,
                                                            info.get("version")))
    return await app_handler(request)


@web.middleware
async def access_middleware(request: web.Request, handler):
    return await guarded(request, handler(request))


async def guarded(request: web.BaseRequest, call):
    """Await the handler's coroutine ``call``: errors become JSON answers, and one access-log line is written."""
    start = time.perf_counter()
    status = 500
    try:
        if len(request.raw_path) > MAX_URL_LENGTH:
            call.close()
            raise HttpError(414, "RequestUrlTooLong",
                            f"The request URL is {len(request.raw_path)} characters long, which exceeds the limit of "
                            f"{MAX_URL_LENGTH} characters.")
        response = await call
        status = response.status
        return response
    except HttpError as err:
        response = error_response(err, request.get(X_HEADERS))
        status = response.status
        return response
    except web.HTTPException as exc:
        code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status, exc.reason.replace(" ", ""))
        message = (f"No route matches '{request.method} {request.path}'." if exc.status in (404, 405)
                   else exc.text or exc.reason)
        response = error_response(HttpError(exc.status, code, message))
        status = response.status
        return response
    except asyncio.CancelledError:
        status = 499  # the client went away
        raise
    except Exception:
        log.exception("unhandled error for %s %s", request.method, redact(request.path_qs))
        response = error_response(HttpError(500, "InternalServerError",
                                            "The server encountered an internal error (see the server log)."))
        return response
    finally:
        if access_log.isEnabledFor(logging.INFO):  # formatting (and redacting) only for a line that is written
            access_log.info("%s %s %d %.1fms %s", request.method, redact(request.path_qs), status,
                            (time.perf_counter() - start) * 1000, request.get(RUN_ID) or "-")


def redact(path: str) -> str:
    return _SIG.sub(r"\1REDACTED", path)


# ---------------------------------------------------------------------- routes
def _relative(request: web.Request, skip: int) -> str:
    raw = request.raw_path.split("?", 1)[0]
    return "/".join(raw.split("/")[skip + 1:])


async def _invoke(request: web.Request, skip: int | None):
    info = request.match_info
    relative = _relative(request, skip) if skip is not None else None
    return await invoke.handle(request.app[SERVER], request, info["wf"], info["trigger"], relative,
                               info.get("version"))


async def _poll(request: web.Request):
    info = request.match_info
    return await invoke.poll_operation(request.app[SERVER], request, info["wf"], info["run"], info["op"])


_SHAPES = (
    # (path prefix up to /invoke, number of segments before the relative path)
    ("/workflows/{wf}/triggers/{trigger}/paths/invoke", 6),
    ("/workflows/{wf}/versions/{version}/triggers/{trigger}/paths/invoke", 8),
    ("/api/{wf}/triggers/{trigger}/invoke", 5),
    ("/powerautomate/automations/direct/workflows/{wf}/triggers/{trigger}/paths/invoke", 9),
    ("/powerautomate/automations/direct/cu/{cu}/workflows/{wf}/triggers/{trigger}/paths/invoke", 11),
)


_FAST = _fast_shapes()


def create_app(config: ServerConfig, runtime=None, server: Server | None = None) -> web.Application:
    if runtime is None:
        from .engine import real_runtime

        runtime = real_runtime()
    server = server or Server(config, runtime)
    app = web.Application(middlewares=[access_middleware], client_max_size=config.body_limit + 1)
    app[SERVER] = server
    for prefix, skip in _SHAPES:  # one route per shape, with or without a relative path: one regex to try
        app.router.add_route("*", prefix + "{relative:(?:/.*)?}", partial(_invoke, skip=skip))
    app.router.add_route("*", "/workflows/{wf}/triggers/{trigger}/run", partial(_invoke, skip=None))
    app.router.add_get("/workflows/{wf}/runs/{run}/operations/{op}", _poll)
    Management(server).add_routes(app)
    if issuer is not None and hasattr(issuer, "add_routes"):
        server.jwt_keys = issuer.add_routes(app, config.state_dir)
    app.on_startup.append(server.on_startup)
    app.on_cleanup.append(server.on_cleanup)
    return app
