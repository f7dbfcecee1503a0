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
