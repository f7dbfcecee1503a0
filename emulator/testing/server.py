"""``LogicAppsServer``: the :class:`LogicApps` API backed by the real server on 127.0.0.1 and a free port.

The server runs on an event loop in a thread of its own, so code under test can call ``url(...)`` with any
client, sync or async; ``invoke`` itself is a real HTTP call to that URL.
"""

from __future__ import annotations

import asyncio
import threading

from aiohttp import ClientSession, web
from multidict import CIMultiDictProxy

from ..server.app import create_app, make_runner
from .adapter import Answer
from .app import LogicApps


class LogicAppsServer(LogicApps):
    """``base_url`` is ``http://127.0.0.1:<port>``; ``url(...)`` gives a full callback URL any client can call."""

    def __init__(self, *sources, **kwargs):
        self._thread_loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._thread_loop.run_forever, name="logic-apps-server",
                                        daemon=True)
        self._thread.start()
        self._runner = None
        self._session = None
        try:
            super().__init__(*sources, **kwargs)
            self.base_url = self._on_thread(self._start())
        except BaseException:
            self._stop_thread()
            raise

    async def _start(self) -> str:
        self._runner = make_runner(create_app(self._server.config, self._server))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._session = ClientSession()
        return f"http://{host}:{port}"

    def _on_thread(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._thread_loop).result()

    def _sync(self, coro):
        return self._on_thread(coro)

    async def ainvoke(self, *args, **kwargs):
        future = asyncio.run_coroutine_threadsafe(LogicApps.ainvoke(self, *args, **kwargs), self._thread_loop)
        return await asyncio.wrap_future(future)

    async def _call(self, workflow, method, path_qs, headers, body):
        url = f"{self.base_url}{path_qs}"
        runs, skipped = len(self._server.started), self._server.skipped
        async with self._session.request(method, url, headers=headers, data=body) as resp:
            data = await resp.read()
            got = Answer(resp.status, CIMultiDictProxy(resp.headers.copy()), data)
        run_id = resp.headers.get("x-ms-workflow-run-id")
        got.invocation = next((inv for _, inv in self._server.started[runs:] if inv.run_id == run_id), None)
        got.skipped = got.invocation is None and self._server.skipped > skipped
        return await self._result(got, workflow, url)

    def close(self) -> None:
        if self._closed:
            return
        try:
            if self._runner is not None:
                self._on_thread(self._cleanup())
        finally:
            self._stop_thread()
            super().close()

    async def _cleanup(self) -> None:
        if self._session is not None:
            await self._session.close()
        await self._runner.cleanup()

    def _stop_thread(self) -> None:
        self._thread_loop.call_soon_threadsafe(self._thread_loop.stop)
        self._thread.join(timeout=10)
        self._thread_loop.close()

