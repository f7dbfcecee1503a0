"""State in Redis (``serve --state redis://host:port/db``): several hosts behave as one Logic App.

Everything in :mod:`.base` lives under one key prefix (``logicapps:`` unless the URL says ``?prefix=``)::

    {p}stamps                 hash   keys / workflows / flows -> a counter bumped on every change
    {p}sas                    hash   "<workflow>|generated|primary" -> key (and "|regenerated|")
    {p}signing-key            string the issuer's {"kid", "alg", "privateKeyPem"} (SET NX: one for all hosts)
    {p}wf-states              hash   workflow -> Enabled | Disabled
    {p}wf-versions            hash   workflow -> version id loaded
    {p}seq                    string one sequence for the order of every table
    {p}runs:<wf>              zset   run name -> sequence  (bounded to ``size``: the oldest go)
    {p}run:<wf>               hash   run name -> run record (JSON)
    {p}th:<wf>:<trigger>      zset   trigger history name -> sequence (bounded the same way)
    {p}thr:<wf>:<trigger>     hash   name -> trigger history entry (JSON)
    {p}outbox:<wf>            list   outbound calls (JSON), trimmed to ``size``
    {p}ctr:<key>              hash   a counter's window: start, calls, kb (expires a second after it ends)

The request path uses the ``redis`` package's asyncio client (:mod:`.redis_connection`: a bounded connection
pool, timeouts, retries with backoff on connection errors; a dropped connection is opened again on the next
command). History and outbox writes are queued and sent in one pipeline per :meth:`RedisState.flush`
(:mod:`.redis_writes`: group commit, in order: a batch starts only after the one before it answered).
Counters are Lua scripts (:mod:`.redis_scripts`), one atomic step each.

The small synchronous parts of the interface (keys, the signing key, workflow states) are kept in memory:
:meth:`RedisState.refresh` -- awaited before every trigger call and management call, and every quarter second
in the background (:mod:`emulator.server.shared`) -- reads the stamps in one round trip and reloads what
changed, so a key regenerated on one host is refused by every other host's next call. Their rare writes (a key's first generation, a regeneration,
enable/disable) use the package's synchronous client: one short blocking round trip.

Redis unreachable: every operation raises :class:`StateUnavailable`, a 503 in the host's error shape
(``docs/deploy.md``); nothing falls back to local state. Writes that could not be sent stay queued and are
retried, so a run that ends while Redis restarts still gets its final record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable, Hashable

from ...expressions.values import to_json_text
from . import redis_scripts as scripts
from .base import (
    CounterState,
    HistoryState,
    KeyState,
    OutboxState,
    SigningKeyState,
    State,
    Taken,
    Window,
    WorkflowState,
)
from .redis_connection import UNREACHABLE, Redis, StateUnavailable, parse_url, sync_call, text
from .redis_writes import WriteQueue, wake

__all__ = ["RedisState", "StateUnavailable", "UNREACHABLE", "parse_url"]

log = logging.getLogger("emulator.server.state")


# ---------------------------------------------------------------------- keys, signing key, workflow states
class RedisKeys(KeyState):
    def __init__(self, conn: Redis):
        self.conn = conn
        self._entries: dict[str, dict] = {}
        self._stamp = None

    def loaded(self, stamp, fields: dict) -> None:
        entries: dict[str, dict] = {}
        for field, key in fields.items():
            workflow, kind, key_type = text(field).split("|")
            entries.setdefault(workflow, {}).setdefault(kind, {})[key_type] = text(key)
        self._entries, self._stamp = entries, stamp

    def load(self) -> dict[str, dict]:
        return {wf: {kind: dict(keys) for kind, keys in entry.items()} for wf, entry in self._entries.items()}

    def stamp(self) -> Hashable:
        return self._stamp

    def add_generated(self, workflow: str, key_type: str, key: str) -> str:
        field = f"{workflow.lower()}|generated|{key_type}"

        def put(client):
            with client.pipeline() as pipe:
                pipe.hsetnx(self.conn.key("sas"), field, key)
                pipe.hget(self.conn.key("sas"), field)
                return pipe.execute()[1]

        stored = text(sync_call(self.conn, put))
        self._entries.setdefault(workflow.lower(), {}).setdefault("generated", {})[key_type] = stored
        return stored

    def regenerate(self, workflow: str, key_type: str, key: str) -> None:
        def put(client):
            with client.pipeline() as pipe:
                pipe.hset(self.conn.key("sas"), f"{workflow.lower()}|regenerated|{key_type}", key)
                self.conn.bump_sync(pipe, "keys")
                return pipe.execute()[1]

        self._stamp = sync_call(self.conn, put)
        self._entries.setdefault(workflow.lower(), {}).setdefault("regenerated", {})[key_type] = key


class RedisSigningKey(SigningKeyState):
    def __init__(self, conn: Redis):
        self.conn = conn
        self._key: dict | None = None

    def get_or_create(self, create: Callable[[], dict]) -> dict:
        if self._key is None:
            name = self.conn.key("signing-key")
            stored = sync_call(self.conn, lambda client: client.get(name))
            if stored is None:
                payload = json.dumps(create())

                def put(client):
                    with client.pipeline() as pipe:
                        pipe.set(name, payload, nx=True)
                        pipe.get(name)
                        return pipe.execute()[1]

                stored = sync_call(self.conn, put)  # a concurrent creator's key wins
            self._key = json.loads(stored)
        return dict(self._key)


class RedisWorkflows(WorkflowState):
    def __init__(self, conn: Redis):
        self.conn = conn
        self._states: dict[str, str] = {}
        self._versions: dict[str, str] = {}
        self._stamp = None

    def loaded(self, stamp, states: dict, versions: dict) -> None:
        self._states = {text(k): text(v) for k, v in states.items()}
        self._versions = {text(k): text(v) for k, v in versions.items()}
        self._stamp = stamp

    def states(self) -> dict[str, str]:
        return dict(self._states)

    def set_state(self, workflow: str, state: str) -> None:
        def put(client):
            with client.pipeline() as pipe:
                pipe.hset(self.conn.key("wf-states"), workflow.lower(), state)
                self.conn.bump_sync(pipe, "workflows")
                return pipe.execute()[1]

        self._stamp = sync_call(self.conn, put)
        self._states[workflow.lower()] = state

    def stamp(self) -> Hashable:
        return self._stamp

    def versions(self) -> dict[str, str]:
        return dict(self._versions)

    def set_versions(self, versions: dict[str, str]) -> None:
        versions = {name.lower(): version for name, version in versions.items()}
        if versions == self._versions:
            return

        def put(client):
            with client.pipeline() as pipe:
                pipe.delete(self.conn.key("wf-versions"))
                if versions:
                    pipe.hset(self.conn.key("wf-versions"), mapping=versions)
                self.conn.bump_sync(pipe, "workflows")
                return pipe.execute()[-1]

        self._stamp = sync_call(self.conn, put)
        self._versions = dict(versions)


# ---------------------------------------------------------------------- history and outbox
def _bounded(conn: Redis, table: str, *names: str) -> list[str]:
    """The (order zset, records hash) keys of a bounded table."""
    order = "runs" if table == "run" else "th"
    return [conn.key(order, *names), conn.key(table if table == "run" else "thr", *names)]


class RedisHistory(HistoryState):
    """Run records and trigger histories in bounded Redis tables; this host's live runs read from memory."""

    def __init__(self, conn: Redis, queue: WriteQueue, size: int):
        self.conn, self.queue, self.size = conn, queue, max(1, int(size))
        self._live: dict[tuple, dict] = {}  # (workflow, run) -> record still changing on this host

    # In a pipeline the scripts go as EVAL (Redis caches them by hash): nothing to load again after a restart.
    def _add(self, keys: list[str], name: str, value) -> None:
        keys, size = keys + [self.conn.key("seq")], self.size
        self.queue.add(lambda pipe: pipe.eval(scripts.ADD_BOUNDED, 3, *keys, name, _json(value), size))

    def _update(self, keys: list[str], name: str, value) -> None:
        self.queue.add(lambda pipe: pipe.eval(scripts.UPDATE_BOUNDED, 2, *keys, name, _json(value)))

    def add_run(self, workflow: str, record: dict) -> None:
        wf = workflow.lower()
        self._live[(wf, record["name"])] = record
        self._add(_bounded(self.conn, "run", wf), record["name"], record)

    def update_run(self, workflow: str, record: dict) -> None:
        wf = workflow.lower()
        self._live.pop((wf, record["name"]), None)
        self._update(_bounded(self.conn, "run", wf), record["name"], record)

    def add_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        self._add(_bounded(self.conn, "th", workflow.lower(), trigger.lower()), entry["name"], entry)

    def add_trigger_lazy(self, workflow: str, trigger: str, name: str, make: Callable[[], dict]) -> None:
        self._add(_bounded(self.conn, "th", workflow.lower(), trigger.lower()), name, make)  # made when sent

    def update_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        self._update(_bounded(self.conn, "th", workflow.lower(), trigger.lower()), entry["name"], entry)

    async def _read(self, keys: list[str], limit: int | None) -> list[dict]:
        await self.queue.flush()  # reads see this host's queued writes
        count = self.size if limit is None else max(0, min(limit, self.size))
        if count == 0:
            return []
        try:
            rows = await self.conn.scripts["READ_BOUNDED"](keys=keys, args=[count])
        except UNREACHABLE as exc:
            raise self.conn.unavailable(exc) from None
        return [json.loads(row) for row in rows if row is not None]

    async def _one(self, keys: list[str], name: str) -> dict | None:
        await self.queue.flush()
        try:
            row = await self.conn.aio.hget(keys[1], name)
        except UNREACHABLE as exc:
            raise self.conn.unavailable(exc) from None
        return json.loads(row) if row is not None else None

    async def runs(self, workflow: str, *, status: str | None = None, limit: int | None = None) -> list[dict]:
        wf = workflow.lower()
        records = await self._read(_bounded(self.conn, "run", wf), None if status else limit)
        records = [self._live.get((wf, r["name"])) or r for r in records]
        if status:
            wanted = status.lower()
            records = [r for r in records if str(r.get("status", "")).lower() == wanted]
            if limit is not None:
                records = records[:limit]
        return records

    async def run(self, workflow: str, name: str) -> dict | None:
        live = self._live.get((workflow.lower(), name))
        if live is not None:
            return live
        return await self._one(_bounded(self.conn, "run", workflow.lower()), name)

    async def trigger_histories(self, workflow: str, trigger: str, *, limit: int | None = None) -> list[dict]:
        return await self._read(_bounded(self.conn, "th", workflow.lower(), trigger.lower()), limit)

    async def trigger_history(self, workflow: str, trigger: str, name: str) -> dict | None:
        return await self._one(_bounded(self.conn, "th", workflow.lower(), trigger.lower()), name)


def _json(value) -> str:
    """A record (or a lazily made one) as JSON: the standard library's C encoder for plain values, several
    times faster; :func:`to_json_text` for what it refuses (decimals, blobs, NaN). Both read back alike."""
    if callable(value):
        value = value()
    try:
        return _dumps(value)
    except (TypeError, ValueError):
        return to_json_text(value)


_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


class RedisOutbox(OutboxState):
    def __init__(self, conn: Redis, queue: WriteQueue, size: int):
        self.conn, self.queue, self.size = conn, queue, max(1, int(size))

    def add(self, workflow: str, calls: list[dict]) -> None:
        if not calls:
            return
        key, size, items = self.conn.key("outbox", workflow.lower()), self.size, list(calls)

        def write(pipe):
            pipe.rpush(key, *[_json(call) for call in items])
            pipe.ltrim(key, -size, -1)

        self.queue.add(write)

    async def calls(self, workflow: str) -> list[dict]:
        await self.queue.flush()
        try:
            rows = await self.conn.aio.lrange(self.conn.key("outbox", workflow.lower()), 0, -1)
        except UNREACHABLE as exc:
            raise self.conn.unavailable(exc) from None
        return [json.loads(row) for row in rows]

    def clear(self, workflow: str) -> None:
        key = self.conn.key("outbox", workflow.lower())
        self.queue.add(lambda pipe: pipe.delete(key))


# ---------------------------------------------------------------------- counters
class RedisCounters(CounterState):
    """Rate-limit and quota windows, one Lua script per step (atomic across every host).

    Windows follow Redis's clock (one clock for every host); a test may set ``clock`` to a function instead.
    """

    def __init__(self, conn: Redis):
        self.conn = conn
        self.clock = None

    async def _call(self, name: str, key: str, *args):
        try:
            return await self.conn.scripts[name](keys=[self.conn.key("ctr", key)], args=list(args))
        except UNREACHABLE as exc:
            raise self.conn.unavailable(exc) from None

    def _now(self) -> str:
        return "" if self.clock is None else _num(self.clock())

    async def take(self, key: str, limit: int, period: float, amount: int = 1,
                   anchor: float | None = None) -> Taken:
        allowed, remaining, left = await self._call("TAKE", key, _num(period), _anchor(anchor), self._now(),
                                                    int(limit), int(amount))
        return Taken(bool(allowed), int(remaining), _left(left))

    async def give_back(self, key: str, amount: int = 1) -> None:
        await self._call("GIVE_BACK", key, int(amount))

    async def window(self, key: str, period: float, anchor: float | None = None) -> Window:
        start, calls, kb, left = await self._call("WINDOW", key, _num(period), _anchor(anchor), self._now())
        return Window(float(start), int(calls), float(kb), _left(left))

    async def add_kilobytes(self, key: str, kilobytes: float) -> None:
        await self._call("ADD_KILOBYTES", key, _num(kilobytes))


def _num(value: float) -> str:
    return repr(float(value))


def _anchor(anchor: float | None) -> str:
    return "" if anchor is None else _num(anchor)


def _left(raw) -> float:
    value = float(text(raw))
    return math.inf if value < 0 else value


# ---------------------------------------------------------------------- the state
class RedisState(State):
    kind = "redis"
    remote = True  # shared with other hosts: :meth:`refresh` before a call

    def __init__(self, url: str, size: int = 1000):
        self.conn = Redis(url)
        self.url = url
        self.queue = WriteQueue(self.conn)
        self.keys = RedisKeys(self.conn)
        self.signing_key = RedisSigningKey(self.conn)
        self.workflows = RedisWorkflows(self.conn)
        self.history = RedisHistory(self.conn, self.queue, size)
        self.outbox = RedisOutbox(self.conn, self.queue, size)
        self.counters = RedisCounters(self.conn)
        self._stamps: dict = {}
        self._refresh_waiters: list[asyncio.Future] = []
        self._refresher: asyncio.Task | None = None
        self._load_sync()

    @property
    def where(self) -> str:
        return self.conn.where

    def _load_sync(self) -> None:
        """Read the small shared parts once at start (the synchronous client: the server is not serving yet)."""
        def read(client):
            with client.pipeline() as pipe:
                pipe.hgetall(self.conn.key("stamps"))
                pipe.hgetall(self.conn.key("sas"))
                pipe.hgetall(self.conn.key("wf-states"))
                pipe.hgetall(self.conn.key("wf-versions"))
                return pipe.execute()

        stamps, sas, states, versions = sync_call(self.conn, read)
        self._apply(stamps, sas, states, versions)

    def _apply(self, stamps, sas=None, states=None, versions=None) -> None:
        stamps = {text(k): text(v) for k, v in stamps.items()}
        if sas is not None:
            self.keys.loaded(stamps.get("keys"), sas)
        if states is not None:
            self.workflows.loaded(stamps.get("workflows"), states, versions)
        self._stamps = stamps

    async def refresh(self) -> None:
        """The stamps, then whatever changed since the last look (keys, workflow states), read from Redis.

        Calls arriving together share one read: each waits for the next read that starts after it arrived
        (so it sees every change made before it), and reads run back to back -- one round trip per batch of
        calls instead of one per call. Raises :class:`StateUnavailable` when Redis cannot be reached (the
        call is refused with 503).
        """
        waiter = asyncio.get_running_loop().create_future()
        self._refresh_waiters.append(waiter)
        if self._refresher is None or self._refresher.done():
            self._refresher = asyncio.get_running_loop().create_task(self._refresh_rounds())
        await waiter

    async def _refresh_rounds(self) -> None:
        while self._refresh_waiters:
            waiters, self._refresh_waiters = self._refresh_waiters, []
            try:
                await self._refresh_once()
            except StateUnavailable as exc:
                wake(waiters, exc)
                continue
            wake(waiters)

    async def _refresh_once(self) -> None:
        conn = self.conn
        try:
            stamps = {text(k): text(v) for k, v in (await conn.aio.hgetall(conn.key("stamps"))).items()}
            if stamps == self._stamps:
                return
            keys_changed = stamps.get("keys") != self._stamps.get("keys")
            workflows_changed = stamps.get("workflows") != self._stamps.get("workflows")
            async with conn.aio.pipeline(transaction=False) as pipe:
                if keys_changed:
                    pipe.hgetall(conn.key("sas"))
                if workflows_changed:
                    pipe.hgetall(conn.key("wf-states"))
                    pipe.hgetall(conn.key("wf-versions"))
                rows = await pipe.execute()
        except UNREACHABLE as exc:
            raise conn.unavailable(exc) from None
        sas = rows.pop(0) if keys_changed else None
        states, versions = (rows[0], rows[1]) if workflows_changed else (None, None)
        self._apply(stamps, sas, states, versions)

    def stamp(self, name: str):
        """The last stamp seen of ``keys``, ``workflows`` or ``flows`` (as of the last :meth:`refresh`)."""
        return self._stamps.get(name)

    async def bump(self, name: str) -> None:
        try:
            await self.conn.aio.hincrby(self.conn.key("stamps"), name, 1)
        except UNREACHABLE as exc:
            raise self.conn.unavailable(exc) from None

    async def flush(self) -> None:
        await self.queue.flush()

    async def aclose(self) -> None:
        await self.queue.close()
        await self.conn.close()

    def close(self) -> None:
        """Close without a loop (in-process servers, tests): what is still queued is not sent (use aclose)."""
        if self.queue.pending:
            log.error("Redis state closed with %d writes not sent", len(self.queue.pending))
        self.conn.sync.close()
