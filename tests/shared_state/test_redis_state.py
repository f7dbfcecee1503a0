"""The Redis state on its own (two RedisState objects = two hosts) against a real redis-server."""

from __future__ import annotations

import asyncio
import math

import pytest

from emulator.server.state.redis_store import RedisState, StateUnavailable, parse_url

from .redis_server import free_port


@pytest.fixture
async def two(redis_server):
    a, b = RedisState(redis_server.url, size=3), RedisState(redis_server.url, size=3)
    yield a, b
    await a.aclose()
    await b.aclose()


def run_record(name: str, status: str = "Running") -> dict:
    return {"name": name, "status": status, "actions": {}}


def test_url_parsing():
    url, prefix, where = parse_url("redis://cache:6380/2?prefix=team1:")
    assert (url, prefix, where) == ("redis://cache:6380/2", "team1:", "cache:6380/2")
    assert parse_url("redis://localhost")[1:] == ("logicapps:", "localhost:6379/0")
    with pytest.raises(ValueError):
        parse_url("http://localhost:6379")


async def test_runs_are_shared_bounded_and_newest_first(two):
    a, b = two
    for i in range(5):
        a.history.add_run("Flow", run_record(f"r{i}"))
    a.history.update_run("Flow", run_record("r4", "Succeeded"))
    a.history.update_run("Flow", run_record("r0", "Succeeded"))  # dropped already: stays dropped
    await a.flush()
    assert [r["name"] for r in await b.history.runs("flow")] == ["r4", "r3", "r2"]
    assert (await b.history.run("FLOW", "r4"))["status"] == "Succeeded"
    assert await b.history.run("flow", "r0") is None
    assert [r["name"] for r in await b.history.runs("flow", status="running")] == ["r3", "r2"]
    assert [r["name"] for r in await b.history.runs("flow", limit=1)] == ["r4"]


async def test_trigger_histories_lazy_entries_are_made_when_sent(two):
    a, b = two
    made = []
    a.history.add_trigger_lazy("flow", "manual", "r1", lambda: made.append(1) or {"name": "r1", "properties": {}})
    a.history.add_trigger("flow", "Manual", {"name": "r2", "properties": {"fired": False}})
    await a.flush()
    assert made == [1]
    assert [h["name"] for h in await b.history.trigger_histories("flow", "manual")] == ["r2", "r1"]
    assert (await b.history.trigger_history("flow", "MANUAL", "r1"))["name"] == "r1"


async def test_live_runs_read_from_memory_on_their_host(two):
    a, b = two
    record = run_record("live")
    a.history.add_run("flow", record)
    await a.flush()
    record["status"] = "Waiting"
    assert (await a.history.run("flow", "live"))["status"] == "Waiting"
    assert (await b.history.run("flow", "live"))["status"] == "Running"


async def test_outbox_is_shared_and_bounded(two):
    a, b = two
    a.outbox.add("flow", [{"n": i} for i in range(5)])
    await a.flush()
    assert await b.outbox.calls("flow") == [{"n": 2}, {"n": 3}, {"n": 4}]
    b.outbox.clear("flow")
    assert await a.outbox.calls("flow") == [] or await b.outbox.calls("flow") == []


async def test_a_regenerated_key_reaches_the_other_host_at_its_next_refresh(two):
    a, b = two
    assert a.keys.add_generated("flow", "primary", "key-a") == "key-a"
    assert b.keys.add_generated("flow", "primary", "key-b") == "key-a"  # the first one wins
    old = a.keys.stamp()
    b.keys.regenerate("Flow", "primary", "fresh")
    await a.refresh()
    assert a.keys.stamp() != old
    assert a.keys.load()["flow"]["regenerated"]["primary"] == "fresh"


async def test_workflow_states_and_versions_are_shared(two):
    a, b = two
    a.workflows.set_state("Flow", "Disabled")
    a.workflows.set_versions({"flow": "0858"})
    await b.refresh()
    assert b.workflows.states() == {"flow": "Disabled"}
    assert b.workflows.versions() == {"flow": "0858"}


async def test_one_signing_key_for_every_host(two):
    a, b = two
    first = a.signing_key.get_or_create(lambda: {"kid": "a", "alg": "RS256", "privateKeyPem": "A"})
    second = b.signing_key.get_or_create(lambda: {"kid": "b", "alg": "RS256", "privateKeyPem": "B"})
    assert first == second == {"kid": "a", "alg": "RS256", "privateKeyPem": "A"}


async def test_a_limit_of_3_allows_exactly_3_takes_across_hosts_under_concurrency(two):
    a, b = two
    results = await asyncio.gather(*[(a if i % 2 else b).counters.take("rl", 3, 60) for i in range(40)])
    assert sum(t.allowed for t in results) == 3
    assert sorted(t.remaining for t in results if t.allowed) == [0, 1, 2]
    assert all(0 < t.seconds_left <= 60 for t in results)
    await a.counters.give_back("rl", 2)
    assert (await b.counters.take("rl", 3, 60, amount=2)).allowed
    window = await b.counters.window("rl", 60)
    assert window.calls == 3
    await a.counters.add_kilobytes("rl", 1.5)
    assert (await b.counters.window("rl", 60)).kilobytes == 1.5


async def test_counter_windows_renew_and_follow_an_anchor(two):
    a, _ = two
    assert (await a.counters.take("short", 1, 0.2)).allowed
    assert not (await a.counters.take("short", 1, 0.2)).allowed
    await asyncio.sleep(0.25)
    assert (await a.counters.take("short", 1, 0.2)).allowed
    forever = await a.counters.take("forever", 5, 0)
    assert forever.allowed and math.isinf(forever.seconds_left)
    window = await a.counters.window("grid", 3600, anchor=0.0)
    assert window.start % 3600 == 0 and 0 < window.seconds_left <= 3600
    assert math.isinf((await a.counters.window("forever", 0)).seconds_left)


async def test_unreachable_redis_is_a_503_and_queued_writes_survive_a_restart(redis_server):
    state = RedisState(redis_server.url)
    try:
        redis_server.stop()
        with pytest.raises(StateUnavailable) as caught:
            await state.refresh()
        assert caught.value.status == 503 and caught.value.code == "ServiceUnavailable"
        assert "Retry-After" in caught.value.headers
        state.history.add_run("flow", run_record("during-outage"))
        with pytest.raises(StateUnavailable):
            await state.flush()
        with pytest.raises(StateUnavailable):
            await state.counters.take("x", 1, 10)
        redis_server.start()
        await asyncio.wait_for(state.flush(), 10)
        other = RedisState(redis_server.url)
        assert (await other.history.run("flow", "during-outage"))["status"] == "Running"
        await other.aclose()
    finally:
        await state.aclose()


def test_a_state_on_a_dead_port_cannot_start():
    with pytest.raises(StateUnavailable):
        RedisState(f"redis://127.0.0.1:{free_port()}/0")


async def test_flows_published_by_one_host_are_mirrored_by_another(redis_server, tmp_path):
    from emulator.server.state import redis_flows

    source = tmp_path / "flows"
    (source / "sub").mkdir(parents=True)
    (source / "a.json").write_text('{"a": 1}')
    (source / "sub" / "b.json").write_text('{"b": 2}')
    single = tmp_path / "one.json"
    single.write_text("{}")
    (tmp_path / "one.mocks.json").write_text("[]")
    a, b = RedisState(redis_server.url), RedisState(redis_server.url)
    try:
        first = await redis_flows.publish(a, [source, single])
        assert await redis_flows.publish(a, [source, single], first) == first  # unchanged: not sent again
        mirror = tmp_path / "mirror"
        roots = await redis_flows.mirror(b, mirror)
        assert roots == [mirror / "0", mirror / "1"]
        assert (mirror / "0" / "sub" / "b.json").read_text() == '{"b": 2}'
        assert sorted(p.name for p in (mirror / "1").iterdir()) == ["one.json", "one.mocks.json"]
        assert (mirror / "0" / "a.json").stat().st_mtime_ns == (source / "a.json").stat().st_mtime_ns
        (source / "sub" / "b.json").unlink()
        await redis_flows.publish(a, [source, single], first)
        await redis_flows.mirror(b, mirror)
        assert not (mirror / "0" / "sub").exists()
        assert (mirror / "0" / "a.json").is_file()
    finally:
        await a.aclose()
        await b.aclose()


def test_the_token_command_signs_with_the_key_held_in_redis(redis_server, capsys):
    from emulator.cli.main import main
    from emulator.server.keys_jwt import KeyStore

    assert main(["token", "--tenant", "t1", "--aud", "api://x", "--state", redis_server.url]) == 0
    token = capsys.readouterr().out.strip()
    host = RedisState(redis_server.url)  # what a host on that Redis checks tokens with
    assert KeyStore(None, host.signing_key).verify(token)["aud"] == "api://x"
    host.close()
    assert main(["token", "--tenant", "t1", "--aud", "a", "--state", f"redis://127.0.0.1:{free_port()}/0"]) == 2
    assert "unreachable" in capsys.readouterr().err


def test_serve_refuses_to_start_without_its_redis(capsys, tmp_path):
    from emulator.cli.main import main

    dead = f"redis://127.0.0.1:{free_port()}/0"
    assert main(["serve", "--port", "0", "--state", dead, "--state-dir", str(tmp_path), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "serve: The workflow state store (Redis at 127.0.0.1:" in err and "unreachable" in err
    assert main(["serve", "--port", "0", "--state", "mongodb://x", str(tmp_path)]) == 2
    assert "unknown state kind" in capsys.readouterr().err


def test_the_banners_token_command_names_the_redis_state_without_its_password():
    from types import SimpleNamespace

    from emulator.server import examples

    policy = SimpleNamespace(claims={"iss": "https://sts.windows.net/t1/", "aud": "api://x"})
    entry = SimpleNamespace(policy=SimpleNamespace(oauth_policies=[policy]))
    line = examples.token_command(entry, "redis://user:s3cret@cache:6379/0")
    assert "--state 'redis://***@cache:6379/0'" in line and "s3cret" not in line


async def test_undecodable_text_and_odd_values_are_stored(two):
    from decimal import Decimal

    a, b = two
    a.history.add_run("flow", {"name": "odd", "status": "Succeeded", "header": "bad \udcff byte",
                               "amount": Decimal("1.50"), "nan": float("nan")})
    await a.flush()
    stored = await b.history.run("flow", "odd")
    assert stored["header"] == "bad ? byte" and stored["amount"] == 1.5
