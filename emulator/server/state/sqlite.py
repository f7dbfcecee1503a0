"""State in one SQLite file under the state dir (``history.sqlite``), shared by every worker using that dir.

Durability without an fsync per call: the database is in WAL mode with ``synchronous=NORMAL``, so a commit is
a ``write()`` to the WAL file; once it returns, the data is the operating system's and survives ``kill -9``
of the server (a power cut may lose the last commits, never corrupt the file). History and outbox writes are
queued and committed together, one transaction for everything queued since the last one (group commit):
:meth:`SqliteState.flush` schedules that commit for the next turn of the event loop and returns when it is
done, so all the calls answered in one turn share one write. Writes nobody flushes are committed within
``LINGER`` seconds anyway. A run added and finished before the commit is written once, final.

Every statement runs on the event loop's thread (no thread hand-off); other processes wait for the write
lock (``busy_timeout``), which each holds for one short transaction. Counters are one atomic statement each.

Checkpoints (copying the WAL back into the database file, with its fsync) would stall the event loop every
few thousand runs, so the serving connection never does them (``wal_autocheckpoint = 0``): a
:class:`Checkpointer` thread with its own connection does, whenever the WAL passed ``CHECKPOINT_BYTES``
(``PASSIVE``: writers never wait for it; SQLite releases the GIL while it copies).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from ...expressions.values import to_json_text
from .base import (
    CounterState,
    HistoryState,
    OutboxState,
    State,
    Taken,
    Window,
    WorkflowState,
    seconds_left,
    window_start,
)
from .files import FileKeys, FileSigningKey

log = logging.getLogger("emulator.server.state")

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
LINGER = 0.02  # seconds a queued write may wait for a flush before it is committed anyway
BUSY_TIMEOUT_MS = 10_000
TRIM_EVERY = 0.1  # trim a table once it grew by this share of its size
CHECKPOINT_BYTES = 4 << 20  # the checkpointer copies the WAL into the database once it is this large
CHECKPOINT_POLL = 0.25  # seconds between two looks at the WAL's size

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (workflow TEXT, name TEXT, seq INTEGER, record TEXT, PRIMARY KEY (workflow, name));
CREATE INDEX IF NOT EXISTS runs_by_seq ON runs (workflow, seq);
CREATE TABLE IF NOT EXISTS trigger_histories (workflow TEXT, trigger TEXT, name TEXT, seq INTEGER, record TEXT,
    PRIMARY KEY (workflow, trigger, name));
CREATE INDEX IF NOT EXISTS trigger_histories_by_seq ON trigger_histories (workflow, trigger, seq);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, workflow TEXT, call TEXT);
CREATE INDEX IF NOT EXISTS outbox_by_workflow ON outbox (workflow, seq);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, start REAL, period REAL, calls INTEGER,
    kilobytes REAL, allowed INTEGER);
CREATE TABLE IF NOT EXISTS workflow_states (workflow TEXT PRIMARY KEY, state TEXT);
CREATE TABLE IF NOT EXISTS workflow_versions (workflow TEXT PRIMARY KEY, version TEXT);
CREATE TABLE IF NOT EXISTS stamps (name TEXT PRIMARY KEY, value INTEGER);
"""


def connect(path: str | Path, checkpoints: bool = False) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA journal_size_limit = 67108864")  # a WAL file left bigger than 64 MB is cut back
    if not checkpoints:
        db.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's job
    db.execute("BEGIN IMMEDIATE")  # one process creates the schema; the others wait for it
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return db


class Checkpointer(threading.Thread):
    """Copies the WAL into the database file from its own thread and connection (see the module docstring)."""

    def __init__(self, path: Path):
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.path, self.wal = path, Path(f"{path}-wal")
        self.stopping = threading.Event()

    def run(self) -> None:
        db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            while not self.stopping.wait(CHECKPOINT_POLL):
                self.checkpoint(db)
        finally:
            db.close()

    def checkpoint(self, db) -> None:
        try:
            if os.path.getsize(self.wal) >= CHECKPOINT_BYTES:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except (OSError, sqlite3.Error):  # no WAL yet, or another process is checkpointing
            pass

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


class Batch:
    """Queued writes of one connection, committed in one transaction (see the module docstring)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.pending: dict = {}  # key -> callable(db) doing the write; a later write of a key replaces it
        self.waiters: list[asyncio.Future] = []
        self._soon = False
        self._timer = None
        self.after_commit: list = []  # trims to run after a commit

    def put(self, key, write) -> None:
        self.pending[key] = write
        if self._timer is None and not self._soon:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop (a tool, a test): write at once
                self.commit()
                return
            self._timer = loop.call_later(LINGER, self.commit)

    def get(self, key):
        return self.pending.get(key)

    async def flush(self) -> None:
        if not self.pending:
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self.waiters.append(waiter)
        if not self._soon:
            self._soon = True
            loop.call_soon(self.commit)
        await waiter

    def commit(self) -> None:
        self._soon = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        writes, self.pending = self.pending, {}
        waiters, self.waiters = self.waiters, []
        error = None
        if writes:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    for write in writes.values():
                        try:
                            write(self.db)
                        except sqlite3.OperationalError:  # locked, disk full: the whole batch fails
                            raise
                        except Exception:  # noqa: BLE001 - one bad record must not cost the others theirs
                            log.exception("could not store a record")
                    for trim in self.after_commit:
                        trim(self.db)
                    self.after_commit.clear()
                    self.db.execute("COMMIT")
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise
            except Exception as exc:  # noqa: BLE001 - reported to every caller waiting for it
                log.exception("could not write the state")
                error = exc
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error) if error else waiter.set_result(None)


class SqliteHistory(HistoryState):
    """Runs going on are kept in memory by reference (this process shows them live); everything is in SQLite."""

    def __init__(self, db: sqlite3.Connection, batch: Batch, size: int = 1000):
        self.db, self.batch = db, batch
        self.size = max(1, int(size))
        self._live: dict[tuple, dict] = {}
        self._grown: dict[tuple, int] = {}

    # ------------------------------------------------------------------ writes
    def _grew(self, table: str, key: tuple) -> None:
        grown = self._grown[(table, *key)] = self._grown.get((table, *key), 0) + 1
        if grown >= max(1, int(self.size * TRIM_EVERY)):
            self._grown[(table, *key)] = 0
            self.batch.after_commit.append(lambda db: self._trim(db, table, key))

    def _trim(self, db, table: str, key: tuple) -> None:
        where = "workflow = ?" if table == "runs" else "workflow = ? AND trigger = ?"
        db.execute(f"DELETE FROM {table} WHERE {where} AND seq <= (SELECT seq FROM {table} WHERE {where} "
                   f"ORDER BY seq DESC LIMIT 1 OFFSET ?)", (*key, *key, self.size))

    def add_run(self, workflow: str, record: dict) -> None:
        wf = workflow.lower()
        self._live[(wf, record["name"])] = record
        self.batch.put(("run", wf, record["name"]), _Insert(lambda db: _insert_run(db, wf, record)))
        self._grew("runs", (wf,))

    def update_run(self, workflow: str, record: dict) -> None:
        wf = workflow.lower()
        key = ("run", wf, record["name"])
        self._live.pop((wf, record["name"]), None)
        if isinstance(self.batch.get(key), _Insert):
            self.batch.put(key, _Insert(lambda db: _insert_run(db, wf, record)))  # added and done: one write
        else:
            self.batch.put(key, lambda db: db.execute("UPDATE runs SET record = ? WHERE workflow = ? AND name = ?",
                                                      (_json(record), wf, record["name"])))

    def add_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        self.add_trigger_lazy(workflow, trigger, entry["name"], lambda: entry)

    def add_trigger_lazy(self, workflow: str, trigger: str, name: str, make) -> None:
        wf, tr = workflow.lower(), trigger.lower()
        self.batch.put(("trigger", wf, tr, name), lambda db: db.execute(
            "INSERT OR REPLACE INTO trigger_histories VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
            "trigger_histories WHERE workflow = ? AND trigger = ?), ?)", (wf, tr, name, wf, tr, _json(make()))))
        self._grew("trigger_histories", (wf, tr))

    def update_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        wf, tr = workflow.lower(), trigger.lower()
        key = ("trigger", wf, tr, entry["name"])
        if self.batch.get(key) is not None:
            self.add_trigger(workflow, trigger, entry)
            return
        self.batch.put(key, lambda db: db.execute(
            "UPDATE trigger_histories SET record = ? WHERE workflow = ? AND trigger = ? AND name = ?",
            (_json(entry), wf, tr, entry["name"])))

    # ------------------------------------------------------------------ reads (queued writes first)
    async def runs(self, workflow: str, *, status: str | None = None, limit: int | None = None) -> list[dict]:
        self.batch.commit()
        wf = workflow.lower()
        rows = self.db.execute("SELECT name, record FROM runs WHERE workflow = ? ORDER BY seq DESC LIMIT ?",
                               (wf, self.size)).fetchall()
        out = []
        wanted = status.lower() if status else None
        for name, text in rows:
            record = self._live.get((wf, name)) or json.loads(text)
            if wanted is None or str(record.get("status", "")).lower() == wanted:
                out.append(record)
                if limit is not None and len(out) >= limit:
                    break
        return out

    async def run(self, workflow: str, name: str) -> dict | None:
        found = self._live.get((workflow.lower(), name))
        if found is not None:
            return found
        self.batch.commit()
        row = self.db.execute("SELECT record FROM runs WHERE workflow = ? AND name = ?",
                              (workflow.lower(), name)).fetchone()
        return json.loads(row[0]) if row else None

    async def trigger_histories(self, workflow: str, trigger: str, *, limit: int | None = None) -> list[dict]:
        self.batch.commit()
        rows = self.db.execute(
            "SELECT record FROM trigger_histories WHERE workflow = ? AND trigger = ? ORDER BY seq DESC LIMIT ?",
            (workflow.lower(), trigger.lower(), min(limit or self.size, self.size))).fetchall()
        return [json.loads(r[0]) for r in rows]

    async def trigger_history(self, workflow: str, trigger: str, name: str) -> dict | None:
        self.batch.commit()
        row = self.db.execute(
            "SELECT record FROM trigger_histories WHERE workflow = ? AND trigger = ? AND name = ?",
            (workflow.lower(), trigger.lower(), name)).fetchone()
        return json.loads(row[0]) if row else None


class _Insert:
    """A queued write that inserts the row (so a later update of the same run can replace it)."""

    def __init__(self, write):
        self.write = write

    def __call__(self, db):
        self.write(db)


def _json(value) -> str:
    """``value`` as JSON text SQLite can store: lone surrogates (from undecodable request bytes) become "?".

    The standard library's C encoder writes plain JSON values (most records) several times faster than
    :func:`to_json_text`; both read back alike. Values it refuses (decimals, blobs, NaN) take ``to_json_text``.
    """
    try:
        text = _dumps(value)
    except (TypeError, ValueError):
        text = to_json_text(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _insert_run(db, wf: str, record: dict) -> None:
    db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs "
               "WHERE workflow = ?), ?)", (wf, record["name"], wf, _json(record)))


class SqliteOutbox(OutboxState):
    def __init__(self, db: sqlite3.Connection, batch: Batch, size: int = 1000):
        self.db, self.batch = db, batch
        self.size = max(1, int(size))
        self._grown: dict[str, int] = {}
        self._seq = 0

    def add(self, workflow: str, calls: list[dict]) -> None:
        if not calls:
            return
        wf = workflow.lower()
        self._seq += 1
        self.batch.put(("outbox", self._seq), lambda db: db.executemany(
            "INSERT INTO outbox (workflow, call) VALUES (?, ?)", [(wf, _json(c)) for c in calls]))
        grown = self._grown[wf] = self._grown.get(wf, 0) + len(calls)
        if grown >= self.size:
            self._grown[wf] = 0
            self.batch.after_commit.append(lambda db: db.execute(
                "DELETE FROM outbox WHERE workflow = ? AND seq <= (SELECT seq FROM outbox WHERE workflow = ? "
                "ORDER BY seq DESC LIMIT 1 OFFSET ?)", (wf, wf, self.size)))

    async def calls(self, workflow: str) -> list[dict]:
        self.batch.commit()
        rows = self.db.execute("SELECT call FROM outbox WHERE workflow = ? ORDER BY seq DESC LIMIT ?",
                               (workflow.lower(), 2 * self.size)).fetchall()
        return [json.loads(r[0]) for r in reversed(rows)]

    def clear(self, workflow: str) -> None:
        wf = workflow.lower()
        self._seq += 1
        self.batch.put(("outbox", self._seq), lambda db: db.execute("DELETE FROM outbox WHERE workflow = ?", (wf,)))


# One statement opens, renews or counts a window: SET expressions all read the row's old values, ``:start`` is
# where a window opened now starts, and ``allowed`` records whether this call's amount fitted.
_EXPIRED = "(:period > 0 AND :now >= start + :period)"
_CALLS = f"(CASE WHEN {_EXPIRED} THEN 0 ELSE calls END)"
_TAKE = f"""
INSERT INTO counters (key, start, period, calls, kilobytes, allowed)
VALUES (:key, :start, :period, CASE WHEN :amount <= :limit THEN :amount ELSE 0 END, 0, :amount <= :limit)
ON CONFLICT (key) DO UPDATE SET
    start = CASE WHEN {_EXPIRED} THEN :start ELSE start END,
    period = :period,
    kilobytes = CASE WHEN {_EXPIRED} THEN 0 ELSE kilobytes END,
    allowed = {_CALLS} + :amount <= :limit,
    calls = {_CALLS} + CASE WHEN {_CALLS} + :amount <= :limit THEN :amount ELSE 0 END
RETURNING start, calls, kilobytes, allowed
"""
_PRUNE_EVERY = 1000  # takes between two deletions of expired windows


class SqliteCounters(CounterState):
    def __init__(self, db: sqlite3.Connection, clock=time.time):
        self.db, self.clock = db, clock
        self._takes = 0

    def _step(self, key: str, limit, period: float, amount: int, anchor: float | None):
        now = self.clock()
        params = {"key": key, "limit": limit, "period": period, "amount": amount, "now": now,
                  "start": window_start(now, period, anchor)}
        self._takes += 1
        if self._takes % _PRUNE_EVERY == 0:
            self.db.execute("DELETE FROM counters WHERE period > 0 AND start + period <= ?", (now,))
        start, calls, kilobytes, allowed = self.db.execute(_TAKE, params).fetchone()
        return now, start, calls, kilobytes, bool(allowed)

    async def take(self, key: str, limit: int, period: float, amount: int = 1,
                   anchor: float | None = None) -> Taken:
        now, start, calls, _, allowed = self._step(key, limit, period, amount, anchor)
        return Taken(allowed, max(0, limit - calls), seconds_left(start, period, now))

    async def give_back(self, key: str, amount: int = 1) -> None:
        self.db.execute("UPDATE counters SET calls = MAX(0, calls - ?) WHERE key = ?", (amount, key))

    async def window(self, key: str, period: float, anchor: float | None = None) -> Window:
        now, start, calls, kilobytes, _ = self._step(key, 1 << 62, period, 0, anchor)
        return Window(start, calls, kilobytes, seconds_left(start, period, now))

    async def add_kilobytes(self, key: str, kilobytes: float) -> None:
        self.db.execute("UPDATE counters SET kilobytes = kilobytes + ? WHERE key = ?", (kilobytes, key))


class SqliteWorkflows(WorkflowState):
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def states(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT workflow, state FROM workflow_states").fetchall())

    def set_state(self, workflow: str, state: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT OR REPLACE INTO workflow_states VALUES (?, ?)", (workflow.lower(), state))
        self.db.execute("INSERT INTO stamps VALUES ('workflow_states', 1) "
                        "ON CONFLICT (name) DO UPDATE SET value = value + 1")
        self.db.execute("COMMIT")

    def stamp(self):
        row = self.db.execute("SELECT value FROM stamps WHERE name = 'workflow_states'").fetchone()
        return row[0] if row else 0

    def versions(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT workflow, version FROM workflow_versions").fetchall())

    def set_versions(self, versions: dict[str, str]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("DELETE FROM workflow_versions")
        self.db.executemany("INSERT INTO workflow_versions VALUES (?, ?)",
                            [(k.lower(), v) for k, v in versions.items()])
        self.db.execute("COMMIT")


class SqliteState(State):
    kind = "sqlite"

    def __init__(self, state_dir: str | Path, size: int = 1000, file_name: str = "history.sqlite"):
        self.path = Path(state_dir) / file_name
        self.db = connect(self.path)
        self.checkpointer = Checkpointer(self.path)
        self.checkpointer.start()
        self.batch = Batch(self.db)
        self.keys = FileKeys(state_dir)
        self.signing_key = FileSigningKey(Path(state_dir) / "issuer" / "signing-key.json")
        self.workflows = SqliteWorkflows(self.db)
        self.history = SqliteHistory(self.db, self.batch, size)
        self.outbox = SqliteOutbox(self.db, self.batch, size)
        self.counters = SqliteCounters(self.db)

    async def flush(self) -> None:
        await self.batch.flush()

    def close(self) -> None:
        self.batch.commit()
        self.checkpointer.stop()
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass
        self.db.close()
