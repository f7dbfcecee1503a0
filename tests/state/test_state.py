"""The state interface (emulator.server.state): memory, SQLite and Redis behave alike (every test taking the
``state`` fixture runs on all three; Redis on a real redis-server, skipped with the reason without one);
SQLite is shared by processes (Redis by hosts: tests/shared_state)."""

import asyncio
import sqlite3

import pytest

from emulator.server.state import open_state
from tests.shared_state.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def state(request, tmp_path):
    if request.param != "redis":
        opened = open_state(request.param, tmp_path / "state", size=3)
        yield opened
        opened.close()
        return
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    server = RedisServer(tmp_path / "redis").start()
    try:
        opened = open_state(server.url, tmp_path / "state", size=3)
        yield opened
        await opened.aclose()
    finally:
        server.stop()


def run(name, status="Succeeded"):
    return {"name": name, "status": status}


async def test_runs_newest_first_bounded_and_filtered(state):
    for i in range(5):
        state.history.add_run("Flow", run(f"r{i}", "Failed" if i % 2 else "Succeeded"))
    await state.flush()
    assert [r["name"] for r in await state.history.runs("flow")] == ["r4", "r3", "r2"]
    assert [r["name"] for r in await state.history.runs("FLOW", status="failed")] == ["r3"]
    assert [r["name"] for r in await state.history.runs("flow", limit=1)] == ["r4"]
    assert await state.history.run("flow", "r4") == run("r4")
    assert await state.history.run("flow", "nope") is None
    assert await state.history.runs("other") == []


async def test_a_live_run_is_updated(state):
    record = run("r1", "Running")
    state.history.add_run("flow", record)
    record["status"] = "Succeeded"
    state.history.update_run("flow", record)
    await state.flush()
    assert (await state.history.run("flow", "r1"))["status"] == "Succeeded"
    state.history.update_run("flow", run("unknown"))  # ignored
    await state.flush()
    assert await state.history.run("flow", "unknown") is None


async def test_trigger_histories(state):
    built = []
    for i in range(4):
        state.history.add_trigger_lazy("flow", "Manual", f"h{i}", lambda i=i: built.append(i) or {"name": f"h{i}"})
    state.history.add_trigger("flow", "manual", {"name": "h9", "properties": {"status": "Skipped"}})
    await state.flush()
    assert [h["name"] for h in await state.history.trigger_histories("flow", "manual")] == ["h9", "h3", "h2"]
    assert [h["name"] for h in await state.history.trigger_histories("flow", "manual", limit=1)] == ["h9"]
    state.history.update_trigger("flow", "manual", {"name": "h3", "properties": {"status": "Failed"}})
    await state.flush()
    assert (await state.history.trigger_history("flow", "manual", "h3"))["properties"]["status"] == "Failed"
    assert await state.history.trigger_history("flow", "manual", "h0") is None


async def test_outbox(state):
    state.outbox.add("flow", [{"n": 1}, {"n": 2}])
    state.outbox.add("flow", [{"n": 3}])
    await state.flush()
    assert await state.outbox.calls("FLOW") == [{"n": 1}, {"n": 2}, {"n": 3}]
    state.outbox.clear("flow")
    await state.flush()
    assert await state.outbox.calls("flow") == []


async def test_counters_exact_with_windows(state):
    now = [100.0]
    state.counters.clock = lambda: now[0]
    got = [await state.counters.take("k", 2, 10) for _ in range(3)]
    assert [(g.allowed, g.remaining) for g in got] == [(True, 1), (True, 0), (False, 0)]
    assert got[0].seconds_left == 10
    await state.counters.give_back("k")
    assert (await state.counters.take("k", 2, 10)).allowed
    assert not (await state.counters.take("k", 2, 10, amount=1)).allowed
    now[0] = 110.0  # the window renewed
    assert (await state.counters.take("k", 2, 10, amount=2)).remaining == 0
    win = await state.counters.window("q", 10, anchor=3.0)
    assert (win.start, win.calls) == (103.0, 0)  # on the grid 3 + k * 10
    await state.counters.add_kilobytes("q", 1.5)
    assert (await state.counters.window("q", 10, anchor=3.0)).kilobytes == 1.5


def test_keys_and_workflow_states(state):
    before = state.keys.stamp()
    assert state.keys.add_generated("Flow", "primary", "a") == "a"
    assert state.keys.add_generated("flow", "primary", "b") == "a"  # the first one stays
    state.keys.regenerate("flow", "secondary", "c")
    assert state.keys.stamp() != before
    assert state.keys.load() == {"flow": {"generated": {"primary": "a"}, "regenerated": {"secondary": "c"}}}
    stamp = state.workflows.stamp()
    state.workflows.set_state("Flow", "Disabled")
    assert state.workflows.states() == {"flow": "Disabled"} and state.workflows.stamp() != stamp
    state.workflows.set_versions({"Flow": "v1"})
    assert state.workflows.versions() == {"flow": "v1"}
    made = state.signing_key.get_or_create(lambda: {"kid": "k1"})
    assert made == {"kid": "k1"} and state.signing_key.get_or_create(lambda: {"kid": "k2"}) == made


async def test_sqlite_is_shared_by_two_processes_worth_of_connections(tmp_path):
    a, b = open_state("sqlite", tmp_path, size=10), open_state("sqlite", tmp_path, size=10)
    try:
        a.history.add_run("flow", run("r1"))
        await a.flush()
        assert (await b.history.run("flow", "r1"))["status"] == "Succeeded"
        got = [await (a if i % 2 else b).counters.take("k", 3, 60) for i in range(5)]
        assert [g.allowed for g in got] == [True, True, True, False, False]
        a.workflows.set_state("flow", "Disabled")
        assert b.workflows.states() == {"flow": "Disabled"}
        a.keys.regenerate("flow", "primary", "new")
        assert b.keys.load()["flow"]["regenerated"]["primary"] == "new"
    finally:
        a.close()
        b.close()


async def test_sqlite_flush_reaches_the_file_in_one_transaction(tmp_path):
    state = open_state("sqlite", tmp_path, size=100)
    try:
        for i in range(20):
            state.history.add_run("flow", run(f"r{i}", "Running"))
        record = run("r0")
        state.history.update_run("flow", record)  # added and finished before the commit: one final write
        await state.flush()
        other = sqlite3.connect(tmp_path / "history.sqlite")  # what a restarted server would read
        assert other.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 20
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        other.close()
    finally:
        state.close()


async def test_sqlite_history_stays_bounded_on_disk(tmp_path):
    state = open_state("sqlite", tmp_path, size=10)
    try:
        for i in range(100):
            state.history.add_run("flow", run(f"r{i}"))
            await state.flush()
        rows = state.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        assert 10 <= rows <= 11
        assert [r["name"] for r in await state.history.runs("flow", limit=2)] == ["r99", "r98"]
    finally:
        state.close()


async def test_sqlite_checkpoints_off_the_event_loop(tmp_path, monkeypatch):
    from emulator.server.state import sqlite as sqlite_state

    monkeypatch.setattr(sqlite_state, "CHECKPOINT_BYTES", 1)
    monkeypatch.setattr(sqlite_state, "CHECKPOINT_POLL", 0.01)
    state = open_state("sqlite", tmp_path, size=1000)
    try:
        assert state.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # never on the serving connection
        before = (tmp_path / "history.sqlite").stat().st_size
        for i in range(200):
            state.history.add_run("flow", run(f"r{i}") | {"pad": "x" * 2000})
        await state.flush()
        for _ in range(200):  # the checkpointer thread copies the WAL into the database file
            if (tmp_path / "history.sqlite").stat().st_size > before:
                break
            await asyncio.sleep(0.01)
        assert (tmp_path / "history.sqlite").stat().st_size > before
    finally:
        state.close()


async def test_a_record_the_store_cannot_encode_costs_no_other_record(state):
    state.history.add_run("flow", run("bad") | {"header": "caf\udce9"})  # undecodable bytes kept as surrogates
    state.history.add_run("flow", run("good"))
    await state.flush()
    assert (await state.history.run("flow", "good"))["status"] == "Succeeded"
    assert (await state.history.run("flow", "bad"))["header"] in ("caf\udce9", "caf?")
