"""Browser tests of the training dashboard: Debian's chromium driven by Playwright, one server per module.

The server runs on a real socket in a thread of its own (its own event loop), so the tests can use
Playwright's sync API; calls made "with curl" go through the server's aiohttp client on that loop.
Screenshots land in ``test-artifacts/dashboard/`` (gitignored). Never downloads a browser: without
``/usr/bin/chromium`` (``make test`` installs Debian's ``chromium`` when apt-get works) the tests skip.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.conftest import ROOT
from tests.server import live

CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
FLOWS = ROOT / "flows"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the test extra is not installed
    sync_playwright = None


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "the 'playwright' package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return (f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium; make test does "
                "it when apt-get works); a downloaded browser is never used")
    return None


async def _start(paths, state_dir: Path, gateway: Path | None):
    """The server on a real socket, with the gateway file's gateway wired in and listening when given."""
    if gateway is None:
        return await live.start(paths, state_dir), None
    from emulator.cli.gateway import load_or_report, start_gateway
    from emulator.server.app import SERVER, ServerConfig, create_app, make_runner

    app = create_app(ServerConfig(paths=[str(p) for p in paths], state_dir=str(state_dir), port=0, reload_interval=0))
    gw = load_or_report(gateway, app)
    runner = make_runner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    gw_runner = await start_gateway(gw, "127.0.0.1", 0, port)
    running = live.Live(runner, f"http://127.0.0.1:{port}", app[SERVER], aiohttp.ClientSession())
    running.gateway_base = f"http://127.0.0.1:{gw_runner.addresses[0][1]}"
    return running, gw_runner


class ServerThread:
    """The emulator serving ``paths`` (and a gateway, with ``gateway``: its file) on 127.0.0.1 from a thread
    with its own event loop."""

    def __init__(self, paths, state_dir: Path, gateway: Path | None = None):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="dashboard-server", daemon=True)
        self.thread.start()
        self.live, self.gateway_runner = self.run(_start(paths, state_dir, gateway))
        self.base = self.live.base

    def run(self, coro, timeout: float = 15.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        try:
            if self.gateway_runner is not None:
                self.run(self.gateway_runner.cleanup())
            self.run(self.live.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The paths the module's server serves (a module overrides this fixture to serve its own flows)."""
    return [FLOWS]


@pytest.fixture(scope="module")
def gateway_file():
    """The gateway file the module's server is started with (None: no gateway)."""
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory, served, gateway_file):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("dashboard-state")
    running = ServerThread(served, state, gateway_file)
    yield running
    running.close()


@pytest.fixture(scope="module")
def browser(server):
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def outside():
    """URLs the page asked for outside the server's origin (filled by the ``page`` fixture's route)."""
    return []


@pytest.fixture(scope="module")
def page(browser, server, outside):
    context = browser.new_context(viewport={"width": 1280, "height": 720})

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(server.base + "/"), refuse)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.base + "/")
    page.wait_for_selector("#live.on")
    page.wait_for_selector(".flow")
    page.errors = errors
    yield page
    context.close()
