"""The gateway: an aiohttp application on its own port (``--gateway-port``, default 7072) running APIM's
pipeline for each call, plus the wiring into the emulator's server (workflow backends, ``gatewayOnly``,
``GET /gateway``).

One call: route (404 "Resource not found") -> subscription key (401) -> inbound -> backend (forward-request)
-> outbound, errors to on-error; one log line names the API, operation, subscription, status and the policy
element that answered (or ``forwarded``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from ..limits import DEFAULT as DEFAULT_LIMITS
from ..limits import Limits
from ..server import request_log
from ..server.app import handler_args, read_limited
from ..server.errors import HttpError
from . import config as config_module
from .context import Exchange, RequestState, backend_url, split_base
from .counters import Counters
from .errors import Answer, PolicyError, apim_body
from .policy import Pipeline, run_statements
from .routing import Route, Router
from .subscriptions import Subscriptions

log = logging.getLogger("emulator.gateway")
DEFAULT_PORT = 7072
GATEWAY = web.AppKey("gateway", object)
_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
        "proxy-connection", "trailer"}


class Gateway:
    """A loaded configuration and what its calls share: routes, pipelines, counters, an HTTP client."""

    def __init__(self, cfg, server=None, main_base: str | None = None, jwt_keys=None):
        self.jwt_keys = jwt_keys  # the local issuer's key store (default: the server's)
        self.server = server
        self.main_base = main_base
        # counters live in the server's state when there is one (shared by its worker processes)
        self.counters = server.state.counters if server is not None else Counters()
        self.secret = secrets.token_urlsafe(32)  # proves the gateway to gatewayOnly flows; never logged
        self.session: aiohttp.ClientSession | None = None
        self._jwks = None
        self._seen = None
        self.use(cfg)

    def use(self, cfg) -> None:
        """Serve ``cfg`` from now on (counters are kept)."""
        self.config = cfg
        request_log.hide([self.secret, *cfg.secret_values()])  # the server's log never shows them
        self.router = Router(cfg.apis)
        self.subscriptions = Subscriptions(cfg.subscriptions, cfg.products)
        self._pipelines: dict = {}

    # -- what policies ask for ------------------------------------------------------------------
    def pipeline(self, route: Route, product) -> Pipeline:
        key = (route.api.name, route.operation.name if route.operation else None, product.name if product else None)
        found = self._pipelines.get(key)
        if found is None:
            docs = [self.config.global_policy, product.policy if product else None, route.api.policy,
                    route.operation.policy if route.operation else None]
            found = self._pipelines[key] = Pipeline(docs)
        return found

    def described(self) -> dict:
        """``GET /gateway``: the configuration with keys masked, and per API the inbound policies in force
        (global, API and operation scopes, in the order they run)."""
        public = self.config.public()
        for shown, api in zip(public["apis"], self.config.apis):
            docs = [self.config.global_policy, api.policy]
            shown["inbound"] = [s.element for s in Pipeline(docs).inbound]
            for op_shown, op in zip(shown["operations"], api.operations):
                op_shown["inbound"] = [s.element for s in Pipeline(docs + [op.policy]).inbound]
        return public

    def backend_for(self, api):
        """(base URL, query) of an API's backend: a workflow's invoke URL with its SAS, or a URL."""
        backend = api.backend
        if backend.workflow:
            return self.workflow_backend(backend.workflow, backend.trigger)
        return split_base(backend.url or "")

    def resolve_backend(self, name: str):
        if name in self.config.backends:
            return split_base(self.config.backends[name])
        if self.server is not None and self.server.registry.find(name) is not None:
            return self.workflow_backend(name, None)
        return None

    def workflow_backend(self, workflow: str, trigger: str | None):
        from ..server import urls

        entry = self.server.registry.find(workflow) if self.server is not None else None
        trig = _trigger(entry, trigger) if entry is not None else None
        if trig is None or self.main_base is None:
            return "", {}
        answer = urls.callback(self.server.keys, entry, trig, self.main_base)
        base = answer["basePath"]
        if answer.get("relativePath"):
            base = base[: -len(answer["relativePath"]) - 1]
        return base, dict(answer["queries"])

    def local_jwks(self) -> dict:
        if self._jwks is None:
            from ..server import keys_jwt

            store = self.jwt_keys or getattr(self.server, "jwt_keys", None) or keys_jwt.active_store()
            self._jwks = store.jwks()
        return self._jwks

    async def forward(self, ex, timeout: float, follow: bool, fail_on_error: bool) -> None:
        state = ex.request
        if not state.backend_base:
            raise PolicyError("forward-request", "BackendNotConfigured", 500, "Internal server error")
        url = backend_url(state, with_backend_query=True)
        headers = CIMultiDict((k, v) for k, v in state.headers.items() if k.lower() not in _HOP)
        forwarded = headers.popall("X-Forwarded-For", [])
        headers["X-Forwarded-For"] = ", ".join(forwarded + [state.ip or ""]) if forwarded else (state.ip or "")
        if self.main_base and (url == self.main_base or url.startswith(self.main_base + "/")):
            from ..server.callers import PROOF_HEADER

            headers[PROOF_HEADER] = self.secret
        try:
            async with self.session.request(
                    state.method, URL(url, encoded=True), headers=headers, data=state.body or None,
                    allow_redirects=follow, timeout=aiohttp.ClientTimeout(total=timeout),
                    skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type")) as resp:
                body = await resp.read()
        except asyncio.TimeoutError:
            raise PolicyError("forward-request", "Timeout", 500, "Internal server error") from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            error = PolicyError("forward-request", "BackendConnectionFailure", 500, "Internal server error")
            error.detail = f"Error occured while calling backend service. {type(exc).__name__}"
            raise error from None
        response = ex.response
        response.status, response.reason = resp.status, resp.reason or ""
        response.headers = CIMultiDict((k, v) for k, v in resp.headers.items() if k.lower() not in _HOP)
        response.body = body
        if fail_on_error and resp.status >= 400:
            raise PolicyError("forward-request", "BackendError", resp.status, resp.reason or "",
                              body=body, headers={"Content-Type": resp.headers.get("Content-Type", "")})

    # -- one call -------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._handle(request)
        except web.HTTPException:
            raise
        except Exception:  # noqa: BLE001 - a gateway bug answers as APIM's internal error, and is logged
            log.exception("gateway: unhandled error for %s %s", request.method, request.path)
            return _plain(500, apim_body(500, "Internal server error"))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        raw_path = request.raw_path.partition("?")[0]
        try:  # the main server's bounds: size (413), time and rate (408) -- a slow client cannot hold a call
            body = await read_limited(request.content, _limits(self).body_bytes, _limits(self)) \
                if request.body_exists else b""
        except HttpError as err:
            return _plain(err.status, apim_body(err.status, err.message))
        state = RequestState(request.method, str(request.url), request.headers, body, request.remote or "")
        route, api = self.router.route(request.method, raw_path, request.query, request.headers)
        preflight = api is not None and _is_preflight(request)
        unmatched = route is None
        if preflight and unmatched:  # a preflight needs no OPTIONS operation when a cors policy answers it
            route = Route(api, None, self.router.find_api(raw_path, request.query, request.headers)[1], {})
        ex = Exchange(state, route, self)
        if route is not None:
            state.path, state.matched = route.remainder, dict(route.params)
            state.backend_base, state.backend_query = self.backend_for(route.api)
        answered = preflight and await self._preflight(ex)
        if unmatched and not answered and api is None:
            ex.answered_by = "routing"
            response = _plain(404, apim_body(404, "Resource not found"))
            self._log(ex, request, response.status, started)
            return response
        if unmatched and not answered:  # the API matched, no operation did: APIM's on-error runs (global, API)
            ex.route = route = Route(api, None, self.router.find_api(raw_path, request.query, request.headers)[1], {})
            state.path, state.backend_base, state.backend_query = route.remainder, *self.backend_for(api)
            error = PolicyError("configuration", "OperationNotFound", 404, "Resource not found")
            error.detail = "Unable to match incoming request to an operation."
            await self.pipeline(route, None).failed(ex, error)
            ex.answered_by = "routing" if ex.answered_by == "configuration" else ex.answered_by
        elif not answered:
            try:
                self.subscriptions.authenticate(ex, route.api)
            except PolicyError as error:
                await self.pipeline(route, None).failed(ex, error)
            else:
                await self.pipeline(route, ex.product).run(ex)
        for settle in ex.after:
            try:
                await settle()
            except Exception:  # noqa: BLE001 - a failed increment-condition keeps the unit counted
                log.debug("increment condition failed", exc_info=True)
        response = self._answer(ex)
        self._log(ex, request, response.status, started)
        return response

    async def _preflight(self, ex) -> bool:
        """A CORS preflight: only the cors policies in scope run (APIM's rule), before any key check. True when
        answered (an unmatched preflight gets an empty 200); False without cors policies."""
        cors = [s for s in self.pipeline(ex.route, None).inbound if s.element == "cors"]
        if not cors:
            return False
        try:
            await run_statements(cors, ex)
        except Answer as answer:
            ex.answered_by = answer.source
            return True
        ex.answered_by = "cors"  # no cors policy matched: an empty 200 (APIM's rule)
        ex.response.status, ex.response.reason, ex.response.body = 200, "OK", b""
        return True

    def _answer(self, ex) -> web.Response:
        r = ex.response
        headers = CIMultiDict((k, v) for k, v in r.headers.items() if k.lower() not in _HOP)
        for name, value in ex.extra_headers.items():
            headers[name] = value
        return web.Response(status=r.status, reason=r.reason or None, headers=headers, body=r.body or b"")

    def _log(self, ex, request, status, started) -> None:
        route = ex.route
        if self.server is not None:  # the dashboard's live feed (GET /events on the main port)
            backend = route.api.backend.workflow if route else None
            self.server.calls.gateway_call(
                method=request.method, path=request.path, status=status, started=started,
                api=route.api.name if route else None, operation=route.operation.name if route and route.operation
                else None, subscription=ex.subscription.name if ex.subscription else None,
                answered_by=ex.answered_by, workflow=backend)
        log.info("gateway %s %s api=%s operation=%s subscription=%s status=%d answered-by=%s %.1fms",
                 request.method, request.path, route.api.name if route else "-",
                 route.operation.name if route and route.operation else "-",
                 ex.subscription.name if ex.subscription else "-", status, ex.answered_by,
                 (time.perf_counter() - started) * 1000)

    async def start_session(self, app=None) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession(auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar())
        if self.reload_interval and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch())

    async def close(self, app=None) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        if self.session is not None:
            await self.session.close()
            self.session = None

    # -- reload ---------------------------------------------------------------------------------
    reload_interval = 1.0
    _watcher = None

    def _fingerprint(self) -> tuple:
        out = []
        for path in self.config.sources:
            try:
                stat = path.stat()
                out.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                out.append((str(path), None, None))
        return tuple(out)

    def reload_if_changed(self) -> bool:
        """Load the configuration again when one of its files changed; a configuration that no longer loads is
        reported and the last good one keeps serving. True when a new one is in use."""
        seen = self._fingerprint()
        if seen == self._seen:
            return False
        self._seen = seen
        try:
            fresh = config_module.load(self.config.file, check_workflow(self.server) if self.server else None)
        except config_module.GatewayLoadError as exc:
            log.warning("gateway: the changed configuration does not load, the previous one stays: %s", exc)
            return False
        self.use(fresh)
        if self.server is not None:
            restrict_flows(self)
        log.info("gateway: configuration reloaded from %s", self.config.file)
        return True

    async def _watch(self) -> None:
        self._seen = self._fingerprint()
        while True:
            await asyncio.sleep(self.reload_interval)
            try:
                self.reload_if_changed()
            except Exception:  # noqa: BLE001 - keep watching whatever happens
                log.exception("gateway: reload failed")


def _is_preflight(request) -> bool:
    return request.method == "OPTIONS" and "Origin" in request.headers and \
        "Access-Control-Request-Method" in request.headers


def _plain(status: int, body: bytes) -> web.Response:
    return web.Response(status=status, body=body, headers={"Content-Type": "application/json"})


def _trigger(entry, name):
    if name:
        return entry.trigger(name)
    requests = [t for t in entry.triggers.values() if t.is_request]
    return requests[0] if len(requests) == 1 else entry.trigger("manual")


def check_workflow(server):
    """``config.load``'s workflow check against the server's loaded flows."""

    def check(workflow: str, trigger: str | None):
        entry = server.registry.find(workflow)
        if entry is None:
            return f"the backend names the workflow '{workflow}', which is not loaded"
        trig = _trigger(entry, trigger)
        if trig is None or not trig.is_request:
            wanted = f"'{trigger}'" if trigger else "(one Request trigger, or 'manual')"
            return f"the workflow '{workflow}' has no Request trigger {wanted}"
        return None

    return check


def load(path, server=None) -> Gateway:
    """Load the configuration for ``server`` (workflow backends checked against its flows)."""
    cfg = config_module.load(path, check_workflow(server) if server is not None else None)
    return Gateway(cfg, server)


def attach(main_app: web.Application, gateway: Gateway) -> None:
    """Wire a gateway into the main server: ``GET /gateway`` and the ``gatewayOnly`` lock-down."""
    async def configuration(request: web.Request) -> web.Response:
        return web.json_response(gateway.described())

    async def list_secrets(request: web.Request) -> web.Response:
        """APIM's ``subscriptions/{sid}/listSecrets``: the keys ``GET /gateway`` masks."""
        name = request.match_info["sid"]
        found = next((s for s in gateway.config.subscriptions if s.name.lower() == name.lower()), None)
        if found is None:
            return web.json_response({"error": {"code": "ResourceNotFound",
                                                "message": f"The subscription '{name}' was not found."}}, status=404)
        return web.json_response({"primaryKey": found.primary_key, "secondaryKey": found.secondary_key})

    main_app.router.add_get("/gateway", configuration)
    main_app.router.add_post("/gateway/subscriptions/{sid}/listSecrets", list_secrets)
    restrict_flows(gateway)


def restrict_flows(gateway: Gateway) -> None:
    """Lock the ``gatewayOnly`` flows to the gateway (a reload may add some; none is ever unlocked)."""
    from ..server import callers

    for api in gateway.config.apis:
        if api.backend.workflow and api.backend.gateway_only and gateway.server is not None:
            entry = gateway.server.registry.find(api.backend.workflow)
            callers.restrict(gateway.server, entry.name if entry else api.backend.workflow, gateway.secret)


def _limits(gateway: Gateway) -> Limits:
    return gateway.server.config.limits if gateway.server is not None else DEFAULT_LIMITS


def create_app(gateway: Gateway) -> web.Application:
    app = web.Application(client_max_size=_limits(gateway).body_bytes + 1)
    app[GATEWAY] = gateway
    app.router.add_route("*", "/{tail:.*}", gateway.handle)
    app.on_startup.append(gateway.start_session)
    app.on_cleanup.append(gateway.close)
    return app


def make_runner(gateway: Gateway) -> web.AppRunner:
    """The gateway's AppRunner: the main server's request limits (emulator/limits.py) and no aiohttp access log,
    whose lines would quote the query (a ``subscription-key`` may be there); the gateway logs its own line."""
    return web.AppRunner(create_app(gateway), access_log=None, **handler_args(_limits(gateway)))
