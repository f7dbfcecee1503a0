"""Two emulator hosts (real processes, their own ports and state dirs) on one real redis-server."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from tests.server.flowdefs import ECHO, after, flow, response, wait
from tests.server.live import write_flows

from .hosts import MGMT, Host, call, callback_url, on, runs
from .redis_server import free_port

SLOW = flow({"Wait": wait(1.5), "Response": after(response(200, "done"), "Wait")})
RATE_POLICY = ("<policies><inbound><base /><rate-limit calls=\"3\" renewal-period=\"60\" /></inbound>"
               "<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>")


@pytest.fixture
def flows(tmp_path):
    return write_flows(tmp_path / "flows", {"echo.json": ECHO, "slow.json": SLOW})


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def hosts(tmp_path, redis_server):
    started: list[Host] = []

    def start(name: str, paths=(), *args: str) -> Host:
        host = Host(name, tmp_path, redis_server.url, paths, *args).start()
        started.append(host)
        return host

    yield start
    for host in started:
        host.kill()


async def test_urls_from_a_work_on_b_and_a_key_regenerated_on_b_breaks_a(hosts, flows, session):
    a, b = hosts("a", [flows]), hosts("b", [flows])
    url = await callback_url(session, a, "echo")
    assert (await call(session, on(b, url), {"n": 1}))[0] == 200
    async with session.post(f"{b.base}/workflows/echo/regenerateAccessKey?{MGMT}",
                            json={"keyType": "Primary"}) as resp:
        assert resp.status == 200, await resp.text()
    status, _, body = await call(session, url)  # A's old URL, on A
    assert status == 401 and body["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    fresh = await callback_url(session, a, "echo")
    assert fresh != url
    assert (await call(session, on(b, fresh)))[0] == 200


async def test_runs_started_on_a_are_listed_read_and_resubmitted_on_b(hosts, flows, session):
    a, b = hosts("a", [flows], "--workers", "2"), hosts("b", [flows])  # A: two processes on Redis
    url = await callback_url(session, a, "echo")
    started = []
    for i in range(5):
        status, headers, _ = await call(session, url, {"n": i})
        assert status == 200
        started.append(headers["x-ms-workflow-run-id"])
    listed = await runs(session, b, "echo", "&$top=2")  # paged: 2 per page, nextLink on B
    assert [r["name"] for r in listed] == list(reversed(started))
    assert all(r["properties"]["status"] == "Succeeded" for r in listed)
    async with session.get(f"{b.base}/workflows/echo/runs/{started[0]}?{MGMT}") as resp:
        assert resp.status == 200 and (await resp.json())["name"] == started[0]
    async with session.get(f"{b.base}/workflows/echo/triggers/manual/histories?{MGMT}") as resp:
        histories = (await resp.json())["value"]
    assert {h["name"] for h in histories} == set(started)
    async with session.post(f"{b.base}/workflows/echo/triggers/manual/histories/{started[0]}/resubmit?{MGMT}") as resp:
        assert resp.status == 202, await resp.text()
    await asyncio.sleep(0.3)
    assert len(await runs(session, a, "echo")) == 6
    failed = await runs(session, a, "echo", "&$filter=status eq 'Failed'")
    assert failed == []


async def test_a_workflow_disabled_on_b_is_refused_by_a(hosts, flows, session):
    a, b = hosts("a", [flows]), hosts("b", [flows])
    url = await callback_url(session, a, "echo")
    async with session.post(f"{b.base}/workflows/echo/disable?{MGMT}") as resp:
        assert resp.status == 200, await resp.text()
    status, _, body = await call(session, url)
    assert status == 400 and body["error"]["code"] == "WorkflowTriggerIsNotEnabled"


def _gateway(tmp_path, flows) -> str:
    (tmp_path / "limit.xml").write_text(RATE_POLICY)
    config = {"apis": [{"name": "echo", "path": "echo", "policy": "limit.xml",
                        "backend": {"workflow": "echo", "trigger": "manual"},
                        "operations": [{"name": "post", "method": "POST", "urlTemplate": "/"}]}],
              "subscriptions": [{"name": "one", "scope": "/apis/echo", "primaryKey": "key-one-0001"},
                                {"name": "two", "scope": "/apis/echo", "primaryKey": "key-two-0001"}]}
    path = tmp_path / "gateway.json"
    path.write_text(json.dumps(config))
    return str(path)


async def test_a_gateway_rate_limit_of_3_allows_exactly_3_calls_across_hosts(hosts, flows, session, tmp_path):
    config = _gateway(tmp_path, flows)
    ports = free_port(), free_port()
    a = hosts("a", [flows], "--gateway", config, "--gateway-port", str(ports[0]))
    b = hosts("b", [flows], "--gateway", config, "--gateway-port", str(ports[1]))
    gateways = [f"http://127.0.0.1:{port}/echo/" for port in ports]
    del a, b

    async def one(i: int, key: str) -> int:
        async with session.post(gateways[i % 2], json={}, headers={"Ocp-Apim-Subscription-Key": key}) as resp:
            await resp.read()
            return resp.status

    statuses = [await one(i, "key-one-0001") for i in range(8)]  # A, B, A, B, ...
    assert statuses == [200, 200, 200, 429, 429, 429, 429, 429]
    concurrent = await asyncio.gather(*[one(i, "key-two-0001") for i in range(24)])
    assert sorted(concurrent).count(200) == 3 and set(concurrent) == {200, 429}


async def test_kill_9_of_a_under_load_loses_no_acknowledged_run(hosts, flows, session):
    a, b = hosts("a", [flows]), hosts("b", [flows])
    url = await callback_url(session, a, "echo")
    acknowledged: list[str] = []
    stop = asyncio.Event()

    async def worker():
        while not stop.is_set():
            try:
                async with session.post(url, json={}) as resp:
                    await resp.read()
                    if resp.status == 200:
                        acknowledged.append(resp.headers["x-ms-workflow-run-id"])
            except aiohttp.ClientError:
                return  # A is gone

    tasks = [asyncio.create_task(worker()) for _ in range(16)]
    while len(acknowledged) < 150:
        await asyncio.sleep(0.02)
    a.kill()
    stop.set()
    await asyncio.gather(*tasks)
    listed = {r["name"] for r in await runs(session, b, "echo")}
    lost = [run for run in acknowledged if run not in listed]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged runs lost"


async def test_redis_restarted_mid_run_is_survived(hosts, flows, session, redis_server):
    a, b = hosts("a", [flows]), hosts("b", [flows])
    slow = await callback_url(session, a, "slow")
    echo = await callback_url(session, a, "echo")
    pending = asyncio.create_task(call(session, slow))
    await asyncio.sleep(0.5)  # the run is waiting
    redis_server.stop()
    status, headers, body = await call(session, echo)
    assert status == 503 and body["error"]["code"] == "ServiceUnavailable", body
    assert headers["Retry-After"]
    async with session.get(f"{b.base}/workflows/echo/runs?{MGMT}") as resp:
        assert resp.status == 503
    redis_server.start()
    status, headers, body = await pending  # the run ended while Redis came back: answered and stored
    assert status == 200 and body == "done"
    run_id = headers["x-ms-workflow-run-id"]
    deadline = time.monotonic() + 5
    while True:
        async with session.get(f"{b.base}/workflows/slow/runs/{run_id}?{MGMT}") as resp:
            record = await resp.json() if resp.status == 200 else {}
        if record.get("properties", {}).get("status") == "Succeeded" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert record["properties"]["status"] == "Succeeded"
    assert (await call(session, on(b, echo)))[0] == 200


async def test_a_flow_changed_on_the_publishing_host_reaches_the_other_within_a_second(hosts, flows, session):
    a = hosts("a", [flows], "--reload-interval", "0.2")
    b = hosts("b", (), "--flows-from-state")
    url = await callback_url(session, b, "echo")
    assert (await call(session, on(a, url), {"v": 1}))[0] == 200
    (flows / "echo.json").write_text(json.dumps(flow({"Response": response(200, "changed")})))
    changed = time.monotonic()
    while True:
        status, _, body = await call(session, url)
        if body == "changed" or time.monotonic() - changed > 3:
            break
        await asyncio.sleep(0.05)
    took = time.monotonic() - changed
    assert body == "changed"
    assert took < 1.0, f"the change reached host B after {took:.2f} s"


async def test_the_outbox_and_the_token_issuer_are_shared(hosts, session, tmp_path, redis_server):
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("send-email.json", "send-email.mocks.json", "oauth-protected.json"):
        shutil.copy2(ROOT / "flows" / name, folder / name)
    a, b = hosts("a", [folder]), hosts("b", [folder])
    url = await callback_url(session, a, "send-email")
    status, _, _ = await call(session, url, {"to": "ada@example.com", "subject": "hi", "body": "hello"})
    assert status == 200
    async with session.get(f"{b.base}/workflows/send-email/outbox?{MGMT}") as resp:
        outbox = (await resp.json())["value"]
    assert len(outbox) == 1 and "ada@example.com" in json.dumps(outbox)
    tenant = "c0ffee00-0000-4000-8000-000000000001"
    token = subprocess.run([sys.executable, "-m", "emulator", "token", "--tenant", tenant, "--aud",
                            "https://management.azure.com/", "--state", redis_server.url],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    oauth = (await callback_url(session, a, "oauth-protected")).split("?")[0] + "?api-version=2016-10-01"
    for host in (a, b):  # one signing key for the CLI and every host
        async with session.post(on(host, oauth), json={"name": "Ada"},
                                headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200, await resp.text()
