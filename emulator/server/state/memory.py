"""State kept in this process: bounded ordered tables for history and outbox, counters in a dict.

SAS keys and the issuer's signing key still live in the state dir's files when there is one
(:mod:`.files`), as they always did; this module's :class:`MemoryKeys` serves a server without a state dir.
"""

from __future__ import annotations

import time
from collections import OrderedDict

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
    expired,
    seconds_left,
    window_start,
)


class MemoryKeys(KeyState):
    def __init__(self):
        self._keys: dict[str, dict] = {}
        self._stamp = 0

    def load(self) -> dict[str, dict]:
        return {name: {kind: dict(keys) for kind, keys in entry.items()} for name, entry in self._keys.items()}

    def stamp(self):
        return self._stamp

    def add_generated(self, workflow: str, key_type: str, key: str) -> str:
        generated = self._keys.setdefault(workflow.lower(), {}).setdefault("generated", {})
        if key_type not in generated:
            generated[key_type] = key
            self._stamp += 1
        return generated[key_type]

    def regenerate(self, workflow: str, key_type: str, key: str) -> None:
        self._keys.setdefault(workflow.lower(), {}).setdefault("regenerated", {})[key_type] = key
        self._stamp += 1


class MemorySigningKey(SigningKeyState):
    def __init__(self):
        self._key: dict | None = None

    def get_or_create(self, create) -> dict:
        if self._key is None:
            self._key = create()
        return self._key


class MemoryWorkflows(WorkflowState):
    def __init__(self):
        self._states: dict[str, str] = {}
        self._versions: dict[str, str] = {}
        self._stamp = 0

    def states(self) -> dict[str, str]:
        return dict(self._states)

    def set_state(self, workflow: str, state: str) -> None:
        self._states[workflow.lower()] = state
        self._stamp += 1

    def stamp(self):
        return self._stamp

    def versions(self) -> dict[str, str]:
        return dict(self._versions)

    def set_versions(self, versions: dict[str, str]) -> None:
        self._versions = {k.lower(): v for k, v in versions.items()}


def bounded_put(table: OrderedDict, key, value, size: int) -> None:
    """Put ``value`` as the newest entry of ``table``, dropping the oldest beyond ``size``."""
    if key in table:
        table.move_to_end(key)  # a replaced entry counts as the newest
    table[key] = value
    while len(table) > size:
        table.popitem(last=False)


class MemoryHistory(HistoryState):
    """Ordered tables (oldest first), trimmed to ``size`` entries each. A live record is kept by reference."""

    def __init__(self, size: int = 1000):
        self.size = max(1, int(size))
        self._runs: dict[str, OrderedDict] = {}
        self._triggers: dict[tuple, OrderedDict] = {}

    def add_run(self, workflow: str, record: dict) -> None:
        table = self._runs.get(workflow.lower())
        if table is None:
            table = self._runs[workflow.lower()] = OrderedDict()
        bounded_put(table, record["name"], record, self.size)

    def update_run(self, workflow: str, record: dict) -> None:
        table = self._runs.get(workflow.lower())
        if table is not None and record["name"] in table:
            table[record["name"]] = record

    async def runs(self, workflow: str, *, status: str | None = None, limit: int | None = None) -> list[dict]:
        return _newest(self._runs.get(workflow.lower(), {}).values(), status, limit)

    async def run(self, workflow: str, name: str) -> dict | None:
        return self._runs.get(workflow.lower(), {}).get(name)

    def add_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        self.add_trigger_lazy(workflow, trigger, entry["name"], entry)

    def add_trigger_lazy(self, workflow: str, trigger: str, name: str, make) -> None:
        """``make`` (or an entry) is kept; every trigger call adds one and few are read: built on read."""
        key = (workflow.lower(), trigger.lower())
        table = self._triggers.get(key)
        if table is None:
            table = self._triggers[key] = OrderedDict()
        bounded_put(table, name, make, self.size)

    def update_trigger(self, workflow: str, trigger: str, entry: dict) -> None:
        table = self._triggers.get((workflow.lower(), trigger.lower()))
        if table is not None and entry["name"] in table:
            table[entry["name"]] = entry

    async def trigger_histories(self, workflow: str, trigger: str, *, limit: int | None = None) -> list[dict]:
        table = self._triggers.get((workflow.lower(), trigger.lower()), {})
        names = list(reversed(table))[:limit]
        return [_built(table, name) for name in names]

    async def trigger_history(self, workflow: str, trigger: str, name: str) -> dict | None:
        table = self._triggers.get((workflow.lower(), trigger.lower()), {})
        return _built(table, name) if name in table else None


def _newest(records, status: str | None, limit: int | None) -> list[dict]:
    out = []
    wanted = status.lower() if status else None
    for record in reversed(list(records)):
        if wanted is None or str(record.get("status", "")).lower() == wanted:
            out.append(record)
            if limit is not None and len(out) >= limit:
                break
    return out


def _built(table: OrderedDict, name: str) -> dict:
    """A stored trigger-history entry, built (once) if it was added lazily."""
    entry = table[name]
    if callable(entry):
        entry = entry()
        table[name] = entry  # same key: the order is kept
    return entry


class MemoryOutbox(OutboxState):
    def __init__(self, size: int = 1000):
        self.size = max(1, int(size))
        self._calls: dict[str, list] = {}

    def add(self, workflow: str, calls: list[dict]) -> None:
        table = self._calls.setdefault(workflow.lower(), [])
        table.extend(calls)
        if len(table) > 2 * self.size:  # trimmed in steps, like the history
            del table[: len(table) - self.size]

    async def calls(self, workflow: str) -> list[dict]:
        return list(self._calls.get(workflow.lower(), ()))

    def clear(self, workflow: str) -> None:
        self._calls.pop(workflow.lower(), None)


class MemoryCounters(CounterState):
    """Windows in a dict: each method runs without awaiting, so two calls never both take the last unit."""

    def __init__(self, clock=time.time, max_keys: int = 100_000):
        self.clock, self.max_keys = clock, max_keys
        self.windows: dict[str, Window] = {}

    def _window(self, key: str, period: float, anchor: float | None) -> Window:
        now = self.clock()
        found = self.windows.get(key)
        if found is None or expired(found.start, period, now):
            found = self.windows[key] = Window(window_start(now, period, anchor))
            if len(self.windows) > self.max_keys:  # bounded: the oldest window goes first
                self.windows.pop(next(iter(self.windows)))
        return found

    async def take(self, key: str, limit: int, period: float, amount: int = 1,
                   anchor: float | None = None) -> Taken:
        win = self._window(key, period, anchor)
        left = seconds_left(win.start, period, self.clock())
        if win.calls + amount > limit:
            return Taken(False, max(0, limit - win.calls), left)
        win.calls += amount
        return Taken(True, limit - win.calls, left)

    async def give_back(self, key: str, amount: int = 1) -> None:
        win = self.windows.get(key)
        if win is not None:
            win.calls = max(0, win.calls - amount)

    async def window(self, key: str, period: float, anchor: float | None = None) -> Window:
        win = self._window(key, period, anchor)
        return Window(win.start, win.calls, win.kilobytes, seconds_left(win.start, period, self.clock()))

    async def add_kilobytes(self, key: str, kilobytes: float) -> None:
        win = self.windows.get(key)
        if win is not None:
            win.kilobytes += kilobytes


class MemoryState(State):
    kind = "memory"

    def __init__(self, size: int = 1000, keys: KeyState | None = None, signing_key: SigningKeyState | None = None):
        self.keys = keys or MemoryKeys()
        self.signing_key = signing_key or MemorySigningKey()
        self.workflows = MemoryWorkflows()
        self.history = MemoryHistory(size)
        self.outbox = MemoryOutbox(size)
        self.counters = MemoryCounters()
