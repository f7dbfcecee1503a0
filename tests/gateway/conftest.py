"""Fixtures: a gateway built from inline policy XML in front of an echo backend (aiohttp test servers), and
the real server + gateway on real sockets for end-to-end tests."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from emulator.gateway import app as gateway_app
from emulator.gateway import config as gateway_config

SUB_KEY = "key-primary-0001"


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response({"method": request.method, "path": request.raw_path.partition("?")[0],
                              "query": dict(request.query), "headers": dict(request.headers),
                              "body": body.decode("utf-8", "replace")}, headers={"X-Backend": "echo"})


def write_gateway(folder, api_policy=None, global_policy=None, operations=None, subscriptions=None,
                  named_values=None, api=None, products=None, extra_files=None):
    """Write a gateway JSON file (and policy files) into ``folder``; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"apis": [], "subscriptions": subscriptions if subscriptions is not None else
           [{"name": "tester", "scope": "/", "primaryKey": SUB_KEY, "secondaryKey": "key-secondary-0001"}]}
    if global_policy is not None:
        (folder / "global.xml").write_text(global_policy, encoding="utf-8")
        doc["policy"] = "global.xml"
    api_doc = {"name": "echo", "path": "echo", "backend": {"url": "http://127.0.0.1:1"}}
    api_doc.update(api or {})
    if api_policy is not None:
        (folder / "api.xml").write_text(api_policy, encoding="utf-8")
        api_doc["policy"] = "api.xml"
    if operations is not None:
        api_doc["operations"] = operations
    doc["apis"].append(api_doc)
    if named_values:
        doc["namedValues"] = named_values
    if products:
        doc["products"] = products
    for name, text in (extra_files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "gateway.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def inbound(xml: str, outbound: str = "", on_error: str = "") -> str:
    """A policy document with ``xml`` in inbound after <base/>."""
    return (f"<policies><inbound><base />{xml}</inbound><backend><base /></backend>"
            f"<outbound><base />{outbound}</outbound><on-error><base />{on_error}</on-error></policies>")


@pytest.fixture
async def gateway(tmp_path, aiohttp_client, aiohttp_server):
    """``client = await gateway(api_policy=..., ...)``: an aiohttp test client on a gateway whose API ``echo``
    (path ``/echo``) forwards to an echo backend. ``client.gw`` is the Gateway."""
    backend = await aiohttp_server(_make_echo())

    async def build(**kwargs):
        jwt_keys = kwargs.pop("jwt_keys", None)
        api = dict(kwargs.pop("api", None) or {})
        api.setdefault("backend", {"url": str(backend.make_url("/svc"))})
        path = write_gateway(tmp_path / "gw", api=api, **kwargs)
        gw = gateway_app.Gateway(gateway_config.load(path), jwt_keys=jwt_keys)
        client = await aiohttp_client(gateway_app.create_app(gw))
        client.gw = gw
        return client

    build.backend = backend
    return build


def _make_echo() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _echo)
    return app


class LiveGateway:
    """The real server and the gateway, each on a real socket (127.0.0.1, port 0)."""

    def __init__(self, server, base, gateway, gateway_base, runners, session):
        self.server, self.base, self.gateway, self.gateway_base = server, base, gateway, gateway_base
        self.runners, self.session = runners, session

    def callback(self, workflow: str, trigger: str = "manual") -> dict:
        from emulator.server import urls

        entry = self.server.registry.find(workflow)
        return urls.callback(self.server.keys, entry, entry.trigger(trigger), self.base)

    async def call(self, method, url, **kwargs):
        async with self.session.request(method, url, **kwargs) as resp:
            data = await resp.read()
            return resp.status, resp.headers, (json.loads(data) if data[:1] in (b"{", b"[") else data)

    async def close(self):
        await self.session.close()
        for runner in reversed(self.runners):
            await runner.cleanup()


@pytest.fixture
async def live_gateway(tmp_path):
    """``live = await live_gateway(flows, gateway_doc, files)``: flows dict, the gateway JSON, policy files."""
    import aiohttp

    from emulator.server.app import SERVER, ServerConfig, create_app, make_runner
    from tests.server.live import write_flows

    started = []

    async def start(flows: dict, doc: dict, files: dict | None = None):
        folder = write_flows(tmp_path / "flows", flows)
        gw_dir = tmp_path / "gw"
        gw_dir.mkdir(exist_ok=True)
        for name, text in (files or {}).items():
            (gw_dir / name).write_text(text, encoding="utf-8")
        (gw_dir / "gateway.json").write_text(json.dumps(doc), encoding="utf-8")
        cfg = ServerConfig(paths=[str(folder)], state_dir=str(tmp_path / "state"), port=0, reload_interval=0)
        app = create_app(cfg)
        server = app[SERVER]
        gw = gateway_app.load(gw_dir / "gateway.json", server)
        gateway_app.attach(app, gw)
        runner = make_runner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        gw.main_base = base
        gw_runner = gateway_app.make_runner(gw)
        await gw_runner.setup()
        gw_site = web.TCPSite(gw_runner, "127.0.0.1", 0)
        await gw_site.start()
        gw_base = f"http://127.0.0.1:{gw_site._server.sockets[0].getsockname()[1]}"
        live = LiveGateway(server, base, gw, gw_base, [runner, gw_runner], aiohttp.ClientSession())
        started.append(live)
        return live

    yield start
    for live in started:
        await live.close()
