"""The server's short way for trigger calls (``app._dispatch``) answers exactly as aiohttp's router does.

Two servers on the same flows and SAS secret: one started by ``make_runner`` (trigger calls skip the router),
one by a plain ``web.AppRunner`` (every call through the router and middleware). The same requests must give
the same status, body and header names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from emulator.server.app import HANDLER_ARGS, SERVER, ServerConfig, _Runner, create_app
from tests.server.live import Live

FLOWS = Path(__file__).resolve().parents[2] / "flows"
_IDS = re.compile(rb"\d{29}CU\d{2,3}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_VARYING = {"x-ms-workflow-run-id", "x-ms-correlation-id", "x-ms-client-tracking-id", "x-ms-trigger-history-name",
            "x-ms-tracking-id", "x-ms-request-id", "Date", "Content-Length"}


async def _start(tmp_path: Path, fast: bool) -> Live:
    cfg = ServerConfig(paths=[str(FLOWS)], state_dir=str(tmp_path / ("fast" if fast else "router")), port=0,
                       sas_key="dispatch-test-secret", reload_interval=0)
    app = create_app(cfg)
    runner = _Runner(app, access_log=None, **HANDLER_ARGS) if fast else web.AppRunner(app, access_log=None,
                                                                                     **HANDLER_ARGS)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return Live(runner, f"http://127.0.0.1:{port}", app[SERVER], aiohttp.ClientSession())


@pytest.fixture
async def pair(tmp_path):
    fast, router = await _start(tmp_path, True), await _start(tmp_path, False)
    yield fast, router
    await fast.close()
    await router.close()


def _cases(live: Live) -> list[tuple]:
    path_url = live.url("token-in-path")
    base, _, query = path_url.partition("/secure/")
    query = "?" + query.partition("?")[2]
    secret = live.url("secret-key-condition")
    header = live.url("token-in-header")
    return [
        ("GET", path_url.replace("{token}", "s3cr3t-token"), {}, None),
        ("GET", path_url.replace("{token}", "wrong"), {}, None),
        ("GET", f"{base}/secure/s3cr3t%2Dtoken{query}", {}, None),  # an escape: the router's way
        ("GET", f"{base}/SECURE/s3cr3t-token{query}", {}, None),
        ("GET", f"{base}/other/s3cr3t-token{query}", {}, None),
        ("POST", path_url.replace("{token}", "s3cr3t-token"), {}, None),
        ("GET", path_url.replace("{token}", "s3cr3t-token").replace("sig=", "sig=x"), {}, None),
        ("GET", path_url.replace("{token}", "s3cr3t-token").split("&sp=")[0], {}, None),
        ("GET", path_url.replace("{token}", "s3cr3t-token").replace("api-version=2016-10-01&", ""), {}, None),
        ("POST", secret, {"secretKey": "let-me-in"}, {"hello": "world"}),
        ("POST", secret, {"secretKey": "nope"}, {"hello": "world"}),
        ("POST", secret, {"Expect": "100-continue"}, {"a": 1}),
        ("POST", header, {"x-api-token": "s3cr3t-token"}, {}),
        ("POST", header, {}, "not json"),
        ("POST", secret.replace("/workflows/", "/workflows/nope"), {}, None),
        ("POST", secret.replace("/triggers/manual/", "/triggers/other/"), {}, None),
        ("GET", f"{live.base}/workflows/x/triggers/manual/paths/invokeX", {}, None),
    ]


def _shape(status: int, headers, data: bytes) -> tuple:
    names = sorted(h for h in headers if h not in _VARYING)
    values = {h: headers[h] for h in names if h != "Server"}
    return status, _IDS.sub(b"<id>", data), names, values


async def test_the_short_way_answers_as_the_router(pair):
    fast, router = pair
    assert fast.entry("token-in-path").id == router.entry("token-in-path").id
    assert fast.url("token-in-path").split("//", 1)[1].split("/", 1)[1] == \
        router.url("token-in-path").split("//", 1)[1].split("/", 1)[1]  # same keys: same signatures
    cases_fast, cases_router = _cases(fast), _cases(router)
    statuses = set()
    for (method, url_f, headers, body), (_, url_r, _, _) in zip(cases_fast, cases_router):
        kwargs = {"headers": headers}
        if body is not None:
            kwargs["data" if isinstance(body, str) else "json"] = body
            if isinstance(body, str):
                kwargs["headers"] = {**headers, "Content-Type": "application/json"}
        got_fast = _shape(*(await fast.call(method, url_f, **kwargs)))
        got_router = _shape(*(await router.call(method, url_r, **kwargs)))
        assert got_fast == got_router, (method, url_f)
        statuses.add(got_fast[0])
    assert {200, 202, 400, 401, 404} <= statuses  # the cases reach every kind of answer


async def test_the_short_way_is_taken(pair, monkeypatch):
    """Trigger calls on ``make_runner``'s server never reach aiohttp's router."""
    fast, _ = pair
    calls = []
    original = web.UrlDispatcher.resolve

    async def spy(self, request):
        calls.append(request.path)
        return await original(self, request)

    monkeypatch.setattr(web.UrlDispatcher, "resolve", spy)
    url = fast.url("token-in-path").replace("{token}", "s3cr3t-token")
    status, _, data = await fast.call("GET", url)
    assert status == 200 and json.loads(data)["status"] == "authorized"
    assert calls == []
    status, _, _ = await fast.call("GET", f"{fast.base}/workflows")  # anything else goes through the router
    assert calls
