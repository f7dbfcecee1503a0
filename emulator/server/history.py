"""Run history and trigger histories: in memory (bounded) or in SQLite under the state dir.

Records are the runtime's plain JSON run records (:mod:`emulator.runtime.run`); a live record is kept by
reference while the run goes on, and written again to SQLite when it ends.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from pathlib import Path

from ..expressions.values import to_json_text


class MemoryHistory:
    """Ordered tables (oldest first), trimmed to ``size`` entries each."""

    def __init__(self, size: int = 1000):
        self.size = max(1, int(size))
        self._runs: dict[str, OrderedDict] = {}
        self._triggers: dict[tuple, OrderedDict] = {}

    def _bounded(self, table: OrderedDict, key: str, value) -> None:
        if key in table:
            table.move_to_end(key)  # a replaced entry counts as the newest
        table[key] = value
        while len(table) > self.size:
            table.popitem(last=False)

    # runs
    def add_run(self, workflow: str, record: dict) -> None:
        table = self._runs.get(workflow.lower())
        if table is None:
            table = self._runs[workflow.lower()] = OrderedDict()
        self._bounded(table, record["name"], record)

    def update_run(self, workflow: str, record: dict) -> None:
        table = self._runs.get(workflow.lower())
        if table is not None and record["name"] in table:
            table[record["name"]] = record

    def runs(self, workflow: str) -> list[dict]:
        return list(reversed(self._runs.get(workflow.lower(), {}).values()))

    def run(self, workflow: str, name: str) -> dict | None:
        return self._runs.get(workflow.lower(), {}).get(name)

    # trigger histories
    def add_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        key = (workflow.lower(), trigger.lower())
        table = self._triggers.get(key)
        if table is None:
            table = self._triggers[key] = OrderedDict()
        self._bounded(table, entry["name"], entry)

    def add_trigger_lazy(self, workflow: str, trigger: str, name: str, make) -> None:
        """Like :meth:`add_trigger`, with ``make()`` building the entry only when somebody reads it.

        Every trigger call adds an entry, and few are ever read: building them on read keeps the
        request path short.
        """
        key = (workflow.lower(), trigger.lower())
        table = self._triggers.get(key)
        if table is None:
            table = self._triggers[key] = OrderedDict()
        self._bounded(table, name, make)

    def update_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        table = self._triggers.get((workflow.lower(), trigger.lower()))
        if table is not None and entry["name"] in table:
            table[entry["name"]] = entry

    def trigger_histories(self, workflow: str, trigger: str) -> list[dict]:
        table = self._triggers.get((workflow.lower(), trigger.lower()), {})
        return [_built(table, name, entry) for name, entry in reversed(table.items())]

    def trigger_history(self, workflow: str, trigger: str, name: str) -> dict | None:
        table = self._triggers.get((workflow.lower(), trigger.lower()), {})
        entry = table.get(name)
        return entry if entry is None else _built(table, name, entry)

    def close(self) -> None:
        pass


def _built(table: OrderedDict, name: str, entry):
    """A stored trigger-history entry, built (once) if it was added lazily."""
    if callable(entry):
        entry = entry()
        table[name] = entry  # same key: the order is kept
    return entry


class SqliteHistory(MemoryHistory):
    """Memory for live runs plus SQLite for everything: a restart loses nothing."""

    def __init__(self, path: str | Path, size: int = 1000):
        super().__init__(size)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS runs (workflow TEXT, name TEXT, seq INTEGER, record TEXT,"
            " PRIMARY KEY (workflow, name));"
            "CREATE TABLE IF NOT EXISTS trigger_histories (workflow TEXT, trigger TEXT, name TEXT, seq INTEGER,"
            " record TEXT, PRIMARY KEY (workflow, trigger, name));"
        )
        self.db.commit()
        self._seq = self.db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM (SELECT seq FROM runs UNION ALL SELECT seq FROM trigger_histories)"
        ).fetchone()[0]

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def add_run(self, workflow: str, record: dict) -> None:
        super().add_run(workflow, record)
        self.db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
                        (workflow.lower(), record["name"], self._next(), to_json_text(record)))
        self.db.commit()

    def update_run(self, workflow: str, record: dict) -> None:
        super().update_run(workflow, record)
        self.db.execute("UPDATE runs SET record = ? WHERE workflow = ? AND name = ?",
                        (to_json_text(record), workflow.lower(), record["name"]))
        self.db.commit()

    def runs(self, workflow: str) -> list[dict]:
        live = {r["name"]: r for r in super().runs(workflow)}
        rows = self.db.execute("SELECT name, record FROM runs WHERE workflow = ? ORDER BY seq DESC LIMIT ?",
                               (workflow.lower(), self.size)).fetchall()
        return [live.get(name) or json.loads(text) for name, text in rows]

    def run(self, workflow: str, name: str) -> dict | None:
        found = super().run(workflow, name)
        if found is not None:
            return found
        row = self.db.execute("SELECT record FROM runs WHERE workflow = ? AND name = ?",
                              (workflow.lower(), name)).fetchone()
        return json.loads(row[0]) if row else None

    def add_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        super().add_trigger(workflow, trigger, entry)
        self.db.execute("INSERT OR REPLACE INTO trigger_histories VALUES (?, ?, ?, ?, ?)",
                        (workflow.lower(), trigger.lower(), entry["name"], self._next(), to_json_text(entry)))
        self.db.commit()

    def add_trigger_lazy(self, workflow: str, trigger: str, name: str, make) -> None:
        self.add_trigger(workflow, trigger, make())  # written to disk at once

    def update_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        super().update_trigger(workflow, trigger, entry)
        self.db.execute("UPDATE trigger_histories SET record = ? WHERE workflow = ? AND trigger = ? AND name = ?",
                        (to_json_text(entry), workflow.lower(), trigger.lower(), entry["name"]))
        self.db.commit()

    def trigger_histories(self, workflow: str, trigger: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT record FROM trigger_histories WHERE workflow = ? AND trigger = ? ORDER BY seq DESC LIMIT ?",
            (workflow.lower(), trigger.lower(), self.size)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def trigger_history(self, workflow: str, trigger: str, name: str) -> dict | None:
        row = self.db.execute(
            "SELECT record FROM trigger_histories WHERE workflow = ? AND trigger = ? AND name = ?",
            (workflow.lower(), trigger.lower(), name)).fetchone()
        return json.loads(row[0]) if row else None

    def close(self) -> None:
        self.db.close()


def open_history(kind: str, state_dir: str | Path | None, size: int):
    if kind == "sqlite":
        if not state_dir:
            raise ValueError("--history sqlite needs a state dir")
        return SqliteHistory(Path(state_dir) / "history.sqlite", size)
    return MemoryHistory(size)
