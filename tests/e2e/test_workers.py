"""``serve --workers 2``: two processes on one port share keys, history and gateway counters."""

from __future__ import annotations

import asyncio
import json
import re
import sys

import aiohttp
import pytest

from tests.e2e.serve_process import API, ServeProcess, callback_url, free_port, run_names
from tests.server.flowdefs import ECHO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="--workers forks (POSIX)")

SUB_KEY = "tester-key-0001"
RATE_POLICY = """<policies>
    <inbound><base /><rate-limit calls="5" renewal-period="300" /></inbound>
    <backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error>
</policies>"""


def write_setup(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "echo.json").write_text(json.dumps(ECHO))
    (tmp_path / "api.xml").write_text(RATE_POLICY)
    gateway = tmp_path / "gateway.json"
    gateway.write_text(json.dumps({
        "apis": [{"name": "echo", "path": "echo", "policy": "api.xml",
                  "backend": {"workflow": "echo", "trigger": "manual"}}],
        "subscriptions": [{"name": "tester", "scope": "/", "primaryKey": SUB_KEY}]}))
    return flows, gateway


async def calls(url: str, count: int, **kwargs) -> list[tuple[int, str | None]]:
    """``count`` concurrent POSTs, each on a new connection (so the kernel picks a worker for each)."""
    async def one():
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            async with session.post(url, json={}, **kwargs) as resp:
                await resp.read()
                return resp.status, resp.headers.get("x-ms-workflow-run-id")
    return await asyncio.gather(*(one() for _ in range(count)))


def workers_of(output: str, run_ids) -> set[str]:
    """The workers whose access-log lines name one of ``run_ids``."""
    wanted = set(run_ids)
    return {m.group(1) for m in re.finditer(r"\[worker (\d+)\] .* (\S+)$", output, re.MULTILINE)
            if m.group(2) in wanted}


def workers_answering(output: str, status: int, since: int) -> set[str]:
    lines = output[since:]
    return set(re.findall(rf"\[worker (\d+)\] POST \S+ {status} ", lines))


async def on_both_workers(server: ServeProcess, url: str, status: int, batches: int = 20) -> list[str]:
    """Batches of calls until both workers answered some: every answer must have ``status``; the run ids."""
    runs, seen = [], set()
    mark = len(server.output())
    for _ in range(batches):
        answers = await calls(url, 20)
        assert {got for got, _ in answers} == {status}, answers
        runs += [run for _, run in answers if run]
        await asyncio.sleep(0.2)  # the access-log lines reach the pipe
        seen = workers_of(server.output(), runs) if status == 200 else workers_answering(server.output(), status,
                                                                                         mark)
        if seen == {"0", "1"}:
            return runs
    raise AssertionError(f"calls only reached workers {seen}:\n" + server.output()[-3000:])


async def test_two_workers_share_keys_history_and_counters(tmp_path):
    flows, gateway = write_setup(tmp_path)
    gateway_port = free_port()
    server = ServeProcess([flows], tmp_path / "state", "--workers", "2", "--gateway", str(gateway),
                          "--gateway-port", str(gateway_port))
    try:
        assert "with 2 worker processes" in server.output()
        async with aiohttp.ClientSession() as session:
            url = await callback_url(session, server.base, "echo")

        # runs started by both workers are listed (by whichever worker answers the management call)
        runs = await on_both_workers(server, url, 200)
        async with aiohttp.ClientSession() as session:
            assert set(runs) <= set(await run_names(session, server.base, "echo"))

        # a key regenerated through one worker: the old URL fails on both, the new one works on both
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{server.base}/workflows/echo/regenerateAccessKey?{API}",
                                    json={"keyType": "Primary"}) as resp:
                assert resp.status == 200, await resp.text()
            new_url = await callback_url(session, server.base, "echo")
        assert new_url != url
        await on_both_workers(server, url, 401)
        await on_both_workers(server, new_url, 200)

        # hot reload: a flow added to the folder is served by both workers
        (flows / "added.json").write_text(json.dumps(ECHO))
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                async with session.post(f"{server.base}/workflows/added/triggers/manual/listCallbackUrl?{API}") as resp:
                    if resp.status == 200:
                        added_url = (await resp.json())["value"]
                        break
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # both workers looked at the folder (--reload-interval 0.2)
        await on_both_workers(server, added_url, 200)

        # a gateway rate limit of 5 is exact across the workers, also under concurrency
        mark = len(server.output())
        answers = await calls(f"http://127.0.0.1:{gateway_port}/echo", 30,
                              headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] * 5 + [429] * 25, statuses
        await asyncio.sleep(0.3)
        refused_by = set(re.findall(r"\[worker (\d+)\] gateway POST .* status=429", server.output()[mark:]))
        assert refused_by == {"0", "1"}, server.output()[mark:]
    finally:
        server.stop()


def test_worker_count():
    from emulator.cli.workers import worker_count

    assert worker_count("3") == 3 and worker_count("auto") >= 1
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError):
            worker_count(bad)


def test_serve_refuses_a_bad_worker_count(capsys, tmp_path):
    from emulator.cli.main import main

    assert main(["serve", str(tmp_path), "--workers", "none", "--state-dir", str(tmp_path / "s")]) == 2
    assert "--workers must be a number or 'auto'" in capsys.readouterr().err
