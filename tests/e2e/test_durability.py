"""Durable state survives kill -9 under load: every run whose answer reached the client is in the history
after a restart, and the callback URLs (SAS keys) still work."""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp
import pytest

from tests.e2e.serve_process import ServeProcess, callback_url, run_names
from tests.server.flowdefs import ECHO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9 of a process group is POSIX")


async def _load(url: str, acknowledged: list, stop: asyncio.Event, connections: int = 32) -> None:
    """Keep ``connections`` clients posting until ``stop``; the run id of every 200 answer is acknowledged."""
    async def client():
        async with aiohttp.ClientSession() as session:
            while not stop.is_set():
                try:
                    async with session.post(url, json={"n": len(acknowledged)}) as resp:
                        await resp.read()
                        if resp.status == 200:
                            acknowledged.append(resp.headers["x-ms-workflow-run-id"])
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                    await asyncio.sleep(0.01)  # the server is gone: keep trying until told to stop

    await asyncio.gather(*(client() for _ in range(connections)))


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_kill_9_under_load_loses_no_acknowledged_run(tmp_path, workers):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "echo.json").write_text(json.dumps(ECHO))
    state = tmp_path / "state"
    extra = ("--history", "sqlite", "--history-size", "100000", "--quiet", "--workers", workers)
    server = ServeProcess([flows], state, *extra)
    acknowledged: list[str] = []
    try:
        async with aiohttp.ClientSession() as session:
            url = await callback_url(session, server.base, "echo")
        stop = asyncio.Event()
        load = asyncio.create_task(_load(url, acknowledged, stop))
        while len(acknowledged) < 300:  # well into the load
            await asyncio.sleep(0.05)
        server.kill9()
        stop.set()
        await load
    finally:
        server.stop()
    assert len(acknowledged) >= 300
    server = ServeProcess([flows], state, *extra, port=server.port)
    try:
        async with aiohttp.ClientSession() as session:
            stored = set(await run_names(session, server.base, "echo"))
            lost = [run for run in acknowledged if run not in stored]
            assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged runs lost, e.g. {lost[:3]}"
            async with session.post(url, json={}) as resp:  # the same callback URL: the keys survived
                assert resp.status == 200
            assert await callback_url(session, server.base, "echo") == url
    finally:
        server.stop()
