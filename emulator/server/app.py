"""The aiohttp application: routes for every URL shape, the access log, hot reload, run bookkeeping.

Reading order for one request: ``_dispatch`` (the short way for trigger URLs) or the routes below ->
``invoke.handle`` (checks, trigger outputs, run) -> ``response`` (the answer and its x-ms-* headers), made an
aiohttp response by ``guarded``. Management calls go to ``management.Management``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from functools import partial

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from ..limits import DEFAULT as DEFAULT_LIMITS
from ..limits import Limits
from ..runtime import MockSet, RunOptions
from ..runtime import ids as run_ids
from ..runtime.errors import HostError
from . import dashboard, ids, invoke, issuer, keys_jwt, malformed, request_log, urls
from .errors import HttpError
from .events import CallFeed
from .ipfilter import parse_proxies
from .management import Management
from .registry import Registry
from .request_log import redact
from .response import CallAnswer, error_response, to_web
from .sas import KeyStore
from .shared import SharedWatch, first_mirror
from .shared import sync as sync_shared
from .state import is_shared, open_state

log = logging.getLogger("emulator.server")
access_log = logging.getLogger("emulator.server.access")

SERVER = web.AppKey("server", object)
RESPONSE_TIMEOUT = 120.0  # Consumption and Power Automate (spec §8)
STANDARD_RESPONSE_TIMEOUT = 225.0  # Runtime.Backend.HttpOperation.RequestTimeout default, 00:03:45 (spec §8)


@dataclass
class ServerConfig:
    paths: list = field(default_factory=lambda: ["flows"])
    host: str = "127.0.0.1"
    port: int = 7071
    state_dir: str | None = ".state"
    auth: str = "sas"  # "sas" | "none"
    sas_key: str | None = None
    response_timeout: float | None = None  # None: the host's default for the workflow (see timeout_for)
    body_limit: int | None = None  # shorthand for limits.body_bytes (--body-limit)
    history: str = "memory"  # "memory" | "sqlite" | "redis://host:port/db" (state.open_state)
    history_size: int = 1000
    skipped_status: int = 202
    location: str = "local"
    reload_interval: float = 1.0
    retry_after: int = 1
    mocks: str | None = None  # a mocks file for every workflow without its own <flow>.mocks.json
    trusted_proxies: list = field(default_factory=list)  # peers whose X-Forwarded-For is believed
    run_options: dict = field(default_factory=dict)
    verbose: bool = False  # the access log shows each request's whole URL (sig redacted)
    flows_from_state: bool = False  # serve the flows another host published to the shared state (Redis)
    limits: Limits = DEFAULT_LIMITS  # every host limit (emulator/limits.py, docs/limits.md)

    def __post_init__(self):
        if self.body_limit is not None:
            self.limits = self.limits.replace(body_bytes=self.body_limit)


class Server:
    """Everything one request may need: config, workflows, keys, history, async operations."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self.state = open_state(config.history, config.state_dir, config.history_size)
        self.history = self.state.history
        self.registry = Registry(config.paths, config.location, self.state.workflows)
        self.keys = KeyStore(master=config.sas_key, store=self.state.keys)
        self.shared = is_shared(config.history)  # other hosts share the state: see .shared
        self._shared_watch: SharedWatch | None = None
        if self.shared and config.flows_from_state:
            first_mirror(self)
        self.operations: dict[str, tuple] = {}
        self.running: dict[str, object] = {}  # invocations of the runs going on, by run id (cancel)
        self.startup_messages = self.registry.load()
        self._mocks: dict[str, tuple] = {}
        self._options: dict[tuple, tuple] = {}
        self.rng = random.Random()  # one seeded source for rand()/guid(): seeding per run is slow
        # the token issuer's keys; bearer tokens checked
        self.jwt_keys = keys_jwt.configure(config.state_dir, self.state.signing_key
                                           if config.state_dir or self.shared else None)
        self.trusted_proxies = parse_proxies(config.trusted_proxies)  # parsed once, not per request
        self.callers: dict = {}  # workflow (lower) -> callers.CallerRestriction, set by the CLI wiring
        self._reload_task: asyncio.Task | None = None
        self.calls = CallFeed()  # every trigger call and run end, for the dashboard (GET /events)
        self.on_workflow_added = None  # called with the entry of a workflow that appears while serving

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
        if mocks is not None and mocks[1].calls:  # the calls made so far go to the outbox (bounded there)
            self.state.outbox.add(entry.name, mocks[1].calls)
            mocks[1].calls = []
        final = invocation.record
        if not fut.cancelled() and fut.exception() is None and isinstance(fut.result(), dict):
            final = fut.result()
        try:
            self.history.update_run(entry.name, final)
        except Exception:  # noqa: BLE001 - history must never break a run
            log.exception("could not store run %s", invocation.run_id)

    def record_skipped(self, entry, trig, error: dict | None = None) -> None:
        """A trigger history entry for a call that started no run: Skipped (a false condition), or Failed
        with the error when a condition (or the correlation) could not be evaluated, as the host records it."""
        name = run_ids.new_run_id()
        now = invoke.now_iso()
        props = {"startTime": now, "endTime": now, "scheduledTime": now, "status": "Failed" if error else "Skipped",
                 "code": "BadRequest" if error else "OK", "correlation": {"clientTrackingId": name}, "fired": False}
        if error:
            props["error"] = {"code": error["code"], "message": error["message"]}
        self.history.add_trigger(entry.name, trig.name, {
            "name": name, "id": f"/workflows/{entry.name}/triggers/{trig.name}/histories/{name}",
            "type": "Microsoft.Logic/workflows/triggers/histories", "properties": props})

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
        options = RunOptions(response_timeout=self.timeout_for(entry), location=cfg.location,
                             workflows=self.registry.workflows(), workflow_ids=self.registry.workflow_ids(),
                             mocks=self.mocks_for(entry),
                             client_waiting=not trig.split_on, rng=self.rng, limits=cfg.limits,
                             **cfg.run_options)
        self._options[key] = (entry, self.registry.generation, options)
        return options

    def timeout_for(self, entry) -> float:
        """Seconds a caller waits for a Response before 504: ``--timeout`` when given, else the host's default
        (Standard: host.json's RequestTimeout or 225 s, the runtime's ``00:03:45``; otherwise 120 s)."""
        if self.config.response_timeout is not None:
            return self.config.response_timeout
        if entry.standard:
            return entry.workflow.response_timeout or STANDARD_RESPONSE_TIMEOUT
        return RESPONSE_TIMEOUT

    # ------------------------------------------------------------------ mocks (the outbox)
    def mocks_for(self, entry):
        """The workflow's MockSet (kept per loaded version, so its call log is the workflow's outbox)."""
        cached = self._mocks.get(entry.name.lower())
        if cached is not None and cached[0] is entry:
            return cached[1]
        source = entry.mocks_file or self.config.mocks
        try:
            mocks = MockSet.load(str(source) if source else None)
        except (OSError, ValueError) as exc:
            log.warning("mocks %s: %s (running without them)", source, exc)
            mocks = MockSet.load(None)
        if cached is not None:  # a new version: a new outbox
            self.state.outbox.clear(entry.name)
        self._mocks[entry.name.lower()] = (entry, mocks)
        return mocks

    async def outbox(self, entry) -> list:
        """Calls the workflow's runs made (of this version): those stored, then those of runs going on."""
        mocks = self.mocks_for(entry)
        return await self.state.outbox.calls(entry.name) + list(mocks.calls)

    # ------------------------------------------------------------------ hot reload
    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.config.reload_interval)
            try:
                self.registry.refresh_states()
                messages = self.registry.reload_if_changed()
            except Exception:  # noqa: BLE001 - keep watching whatever happens
                log.exception("reload failed")
                continue
            for line in messages or ():
                log.warning("%s", line) if line.startswith("problem") or "failed" in line else log.info("%s", line)
                if line.startswith("added ") and self.on_workflow_added is not None:
                    entry = self.registry.find(line[len("added "):])
                    if entry is not None:
                        self.on_workflow_added(entry)

    async def on_startup(self, app) -> None:
        if self.config.reload_interval and self.config.reload_interval > 0:
            self._reload_task = asyncio.create_task(self._watch())
        if self.shared:
            self._shared_watch = SharedWatch(self)
            self._shared_watch.start()

    async def on_cleanup(self, app) -> None:
        if self._reload_task:
            self._reload_task.cancel()
        if self._shared_watch is not None:
            self._shared_watch.stop()
            await self.state.aclose()  # queued writes go out first
            return
        self.close()

    async def sync_shared(self) -> None:
        """Keys and workflow states as the other hosts left them (hosts sharing state only; else a 503)."""
        await sync_shared(self)

    def close(self) -> None:
        """Close the state (a server used in-process, without an app, calls this when done)."""
        self.state.close()


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
def handler_args(limits: Limits) -> dict:
    """aiohttp's request-parser limits from ours (spec §9): the request line has room for a URL at the limit,
    so the 414 in our JSON answers first; a header line and the header count are the parser's own. A
    connection that sends no whole request head for ``idle_seconds`` (half-open, slow headers, idle keep-alive)
    is closed by aiohttp's keep-alive timer, which runs from the moment a connection opens."""
    return {"max_line_size": limits.url_chars + 1024, "max_field_size": limits.header_line_bytes,
            "max_headers": limits.header_count, "keepalive_timeout": limits.idle_seconds}


HANDLER_ARGS = handler_args(DEFAULT_LIMITS)


def make_runner(app: web.Application) -> web.AppRunner:
    """The AppRunner every entry point uses (serve, tests, benchmarks): our limits, no aiohttp access log,
    and trigger calls dispatched straight to :func:`invoke.handle` (see :class:`_Runner`)."""
    return _Runner(app, access_log=None, **handler_args(app[SERVER].config.limits))


class _Runner(web.AppRunner):
    """An AppRunner whose server sends trigger calls past aiohttp's router and middleware chain.

    A trigger URL is the hot path: one regex per URL shape finds it (:func:`urls.match_trigger_path`, the
    same shapes as the routes in :func:`create_app`, which still answer everything else, and trigger calls
    made through aiohttp's test client). Paths with percent-escapes, and requests with ``Expect``, take the
    router's way: that way decoding and ``100-continue`` stay aiohttp's. Public API only: after ``setup()``
    the runner's low-level ``web.Server`` (``runner.server``) gets our handler in front of the
    application's (its ``request_handler``, read by every connection accepted later).
    """

    async def setup(self) -> None:
        await super().setup()
        server = self.server
        server.request_handler = partial(_dispatch, self.app[SERVER], server.request_handler)
        malformed.install(server)  # unparsable requests: the host's JSON 400, no traceback


def _dispatch(server, app_handler, request: web.BaseRequest):
    """The awaitable answering ``request`` (aiohttp awaits what its request handler returns: a plain function
    here saves a coroutine layer on every call)."""
    path = request.raw_path.partition("?")[0]
    if "%" not in path and "Expect" not in request.headers:
        found = urls.match_trigger_path(path)
        if found is not None:
            return guarded(request, invoke.handle(server, WebCall(request, server.config.limits), *found), server)
    return app_handler(request)


class WebCall:
    """An aiohttp request as the call :func:`invoke.handle` reads (the in-process form: ``call.CallRequest``).

    Only what a call reads is worked out, when it is read: the caller's address (for an IP allow-list),
    the base URL (for an asynchronous Response's Location), the body (after the checks that come first).
    """

    __slots__ = ("request", "method", "headers", "query", "limits")

    def __init__(self, request: web.BaseRequest, limits: Limits):
        self.request = request
        self.limits = limits
        self.method = request.method
        self.headers = request.headers
        self.query = request.query

    @property
    def remote(self) -> str | None:
        return self.request.remote

    @property
    def base_url(self) -> str:
        return f"{self.request.scheme}://{self.request.host}"

    async def read_body(self, limit: int) -> bytes:
        request = self.request
        if not request.body_exists:
            return b""
        if request.content_length is not None and request.content_length > limit:
            raise invoke.too_large(request.content_length, limit)
        return await read_limited(request.content, limit, self.limits)


async def read_limited(content, limit: int, limits: Limits) -> bytes:
    """A request body of at most ``limit`` bytes (413), read in bounded time (408): the whole body within
    ``limits.body_read_seconds`` and, after ``body_grace_seconds``, at ``body_min_rate`` bytes per second or
    more (Kestrel's MinRequestBodyDataRate, which the host's App Service front end applies). What has already
    arrived is taken without waiting, so a small body costs no timer."""
    start = asyncio.get_running_loop().time()
    data = bytearray()
    try:
        while True:
            data.extend(content.read_nowait())
            if len(data) > limit:
                raise invoke.too_large(len(data), limit)
            if content.is_eof():
                return bytes(data)
            deadline = min(start + limits.body_read_seconds,
                           start + limits.body_grace_seconds + len(data) / limits.body_min_rate)
            try:
                async with asyncio.timeout_at(deadline):
                    data.extend(await content.readany())
            except TimeoutError:
                raise body_timed_out(len(data)) from None
    except ConnectionResetError:  # the client went away before the whole body came
        raise HttpError(400, "InvalidRequestContent", "The request body ended before all of it arrived "
                        "(the connection was closed).") from None
    except (HttpProcessingError, web.RequestPayloadError) as exc:  # broken chunks, a wrong Content-Encoding
        text = str(getattr(exc, "message", None) or exc).strip()
        detail = text.splitlines()[0].rstrip(":.") if text else "unreadable"
        raise HttpError(400, "InvalidRequestContent", f"The request body could not be read: {detail}.") from None


def body_timed_out(received: int) -> HttpError:
    return HttpError(408, "RequestTimeout", f"Reading the request body timed out due to data arriving too "
                     f"slowly ({received} bytes received).")


@web.middleware
async def access_middleware(request: web.Request, handler):
    return await guarded(request, handler(request), request.app[SERVER])


def url_too_long(length: int, limit: int) -> HttpError:
    return HttpError(414, "RequestUrlTooLong", f"The request URL is {length} characters long, which exceeds the "
                     f"limit of {limit} characters.")


async def guarded(request: web.BaseRequest, call, server=None):
    """Await the handler's coroutine ``call`` (a trigger call's :class:`CallAnswer` or an aiohttp response):
    errors become JSON answers, and one access-log line is written (:mod:`.request_log`)."""
    start = time.perf_counter()
    status = 500
    run_id = code = None
    body = b""  # a trigger call's answer: its error code is read for a log line only
    skipped = False
    try:
        url_limit = server.config.limits.url_chars if server is not None else DEFAULT_LIMITS.url_chars
        if len(request.raw_path) > url_limit:
            call.close()
            raise url_too_long(len(request.raw_path), url_limit)
        response = await call
        if response.__class__ is CallAnswer:
            run_id, skipped, body = response.run_id, response.skipped, response.body
            response = to_web(response)
        status = response.status
        return response
    except HostError as err:
        response = error_response(err)
        status, code = response.status, err.code
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
        code = "InternalServerError"
        response = error_response(HttpError(500, code, "The server encountered an internal error (see the "
                                                       "server log)."))
        return response
    finally:
        if access_log.isEnabledFor(logging.INFO):  # formatting (and redacting) only for a line that is written
            if code is None and body and status >= 400:
                code = request_log.error_code(body)
            access_log.info("%s", request_log.line(
                server, request, status, (time.perf_counter() - start) * 1000, code=code, run_id=run_id,
                skipped=skipped, verbose=server is not None and server.config.verbose))


# ---------------------------------------------------------------------- routes
def _relative(request: web.Request, skip: int) -> str:
    raw = request.raw_path.split("?", 1)[0]
    return "/".join(raw.split("/")[skip + 1:])


async def _invoke(request: web.Request, skip: int | None):
    info = request.match_info
    relative = _relative(request, skip) if skip is not None else None
    server = request.app[SERVER]
    return await invoke.handle(server, WebCall(request, server.config.limits), info["wf"], info["trigger"],
                               relative, info.get("version"))


async def _poll(request: web.Request):
    info = request.match_info
    server = request.app[SERVER]
    return await invoke.poll_operation(server, WebCall(request, server.config.limits), info["wf"], info["run"],
                                       info["op"])


def create_app(config: ServerConfig, server: Server | None = None) -> web.Application:
    server = server or Server(config)
    app = web.Application(middlewares=[access_middleware], client_max_size=config.limits.body_bytes + 1)
    app[SERVER] = server
    for prefix, skip in urls.TRIGGER_SHAPES:  # one route per shape, with or without a relative path: one regex
        app.router.add_route("*", prefix + "{relative:(?:/.*)?}", partial(_invoke, skip=skip))
    app.router.add_route("*", urls.LEGACY_RUN_SHAPE, partial(_invoke, skip=None))
    app.router.add_get(urls.OPERATION_SHAPE, _poll)
    Management(server).add_routes(app)
    dashboard.add_routes(app, server)
    issuer.add_routes(app, server.jwt_keys)
    app.on_startup.append(server.on_startup)
    app.on_cleanup.append(server.on_cleanup)
    return app
