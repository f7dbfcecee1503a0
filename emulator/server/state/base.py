"""The state interface: everything a server keeps between calls, behind one object (:class:`State`).

Parts, each its own small interface below (``State.keys``, ``.history``, ``.outbox``, ``.counters``,
``.signing_key``, ``.workflows``):

- SAS keys (:class:`KeyState`), the OAuth issuer's signing key (:class:`SigningKeyState`) and workflow states
  (:class:`WorkflowState`) are small and read on the hot path: callers keep them in memory and ask the store
  for a cheap ``stamp()`` that changes whenever any process (worker, host) changed them. Their methods are
  synchronous.
- Run records, trigger histories (:class:`HistoryState`) and the outbox (:class:`OutboxState`) are written
  without waiting (``add_*``/``update_*`` queue the write) and made durable in batches: ``await
  State.flush()`` returns once every write queued before it reached the store (for SQLite: the OS, which
  survives ``kill -9``). A trigger call awaits it before its answer leaves, so an acknowledged run is never
  lost. Reads are ``async`` (a networked store needs a round trip).
- Gateway counters (:class:`CounterState`) are ``async`` and atomic in the store: an increment with its
  window's expiry in one step (SQLite ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``; Redis ``INCR`` with
  ``PEXPIRE`` in a Lua script), never a read-modify-write across processes.

Implementations: :mod:`.memory` (one process, nothing on disk but the key files), :mod:`.sqlite` (the state
dir, shared by ``serve --workers N``). :func:`emulator.server.state.open_state` picks one.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from dataclasses import dataclass

KEY_TYPES = ("primary", "secondary")


class KeyState(ABC):
    """SAS keys by lower-case workflow name: ``{"generated": {type: key}, "regenerated": {type: key}}``.

    A ``regenerated`` key wins over one derived from a master secret, which wins over a ``generated`` one
    (:mod:`emulator.server.sas` decides; the store only keeps them).
    """

    @abstractmethod
    def load(self) -> dict[str, dict]:
        """Every workflow's entry (a fresh copy the caller may keep)."""

    @abstractmethod
    def stamp(self) -> Hashable:
        """Changes whenever a key changed in any process: a caller reloads when it differs from the last one."""

    @abstractmethod
    def add_generated(self, workflow: str, key_type: str, key: str) -> str:
        """Keep ``key`` as the generated ``key_type`` key unless one exists; the stored key (maybe another's)."""

    @abstractmethod
    def regenerate(self, workflow: str, key_type: str, key: str) -> None:
        """Replace the ``key_type`` key of ``workflow`` (old callback URLs stop working everywhere)."""


class SigningKeyState(ABC):
    """The local OAuth issuer's signing key: ``{"kid", "alg", "privateKeyPem"}``, one per state."""

    @abstractmethod
    def get_or_create(self, create: Callable[[], dict]) -> dict:
        """The stored key; when there is none, ``create()``'s, stored atomically (a concurrent creator's wins)."""


class WorkflowState(ABC):
    """Workflow states set through the management API (enable/disable) and the versions loaded."""

    @abstractmethod
    def states(self) -> dict[str, str]:
        """``Enabled``/``Disabled`` by lower-case workflow name (only those set explicitly)."""

    @abstractmethod
    def set_state(self, workflow: str, state: str) -> None: ...

    @abstractmethod
    def stamp(self) -> Hashable:
        """Changes whenever a state changed in any process."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """The version id loaded for each workflow (lower-case name), as last reported by a loader."""

    @abstractmethod
    def set_versions(self, versions: dict[str, str]) -> None: ...


class HistoryState(ABC):
    """Run records and trigger histories per workflow, each table bounded to ``size`` entries (oldest dropped).

    Records are the runtime's plain JSON run records. Writes are queued (see :meth:`State.flush`); reads see
    queued writes. Names are run ids (a trigger history is named after the run it fired).
    """

    size: int

    # writes (queued; durable after State.flush())
    @abstractmethod
    def add_run(self, workflow: str, record: dict) -> None:
        """A new run (its record may be updated in place until :meth:`update_run`)."""

    @abstractmethod
    def update_run(self, workflow: str, record: dict) -> None:
        """The run's record changed (its final record when the run ended); unknown runs are ignored."""

    @abstractmethod
    def add_trigger(self, workflow: str, trigger: str, entry: dict) -> None: ...

    def add_trigger_lazy(self, workflow: str, trigger: str, name: str, make: Callable[[], dict]) -> None:
        """Like :meth:`add_trigger`; a store may call ``make()`` only when the entry is read."""
        self.add_trigger(workflow, trigger, make())

    @abstractmethod
    def update_trigger(self, workflow: str, trigger: str, entry: dict) -> None: ...

    # reads
    @abstractmethod
    async def runs(self, workflow: str, *, status: str | None = None, limit: int | None = None) -> list[dict]:
        """Newest first; ``status`` (case-insensitive) keeps runs with that status; at most ``limit``."""

    @abstractmethod
    async def run(self, workflow: str, name: str) -> dict | None: ...

    @abstractmethod
    async def trigger_histories(self, workflow: str, trigger: str, *, limit: int | None = None) -> list[dict]:
        """Newest first."""

    @abstractmethod
    async def trigger_history(self, workflow: str, trigger: str, name: str) -> dict | None: ...


class OutboxState(ABC):
    """Outbound calls the runs of a workflow made (answered by mocks), oldest first, bounded per workflow."""

    @abstractmethod
    def add(self, workflow: str, calls: list[dict]) -> None:
        """Queue calls (durable after State.flush())."""

    @abstractmethod
    async def calls(self, workflow: str) -> list[dict]: ...

    @abstractmethod
    def clear(self, workflow: str) -> None:
        """Forget a workflow's calls (a new version was loaded)."""


@dataclass
class Window:
    """One counter's current window: opened at ``start`` (epoch seconds), ``calls`` and ``kilobytes`` counted,
    ``seconds_left`` until it renews (by the store's clock)."""

    start: float
    calls: int = 0
    kilobytes: float = 0.0
    seconds_left: float = math.inf


@dataclass
class Taken:
    """The answer of :meth:`CounterState.take`."""

    allowed: bool
    remaining: int
    seconds_left: float  # until the window renews (math.inf without a period)


class CounterState(ABC):
    """Rate-limit and quota counters by string key, exact across processes.

    A window opens at a key's first call, or on the grid ``anchor + k * period`` when ``anchor`` is given, and
    lasts ``period`` seconds (0: never renews). Every method is one atomic step in the store.
    """

    @abstractmethod
    async def take(self, key: str, limit: int, period: float, amount: int = 1,
                   anchor: float | None = None) -> Taken:
        """Count ``amount`` calls when ``calls + amount <= limit`` (allowed), else count nothing."""

    @abstractmethod
    async def give_back(self, key: str, amount: int = 1) -> None:
        """Uncount ``amount`` calls of the key's current window (never below 0)."""

    @abstractmethod
    async def window(self, key: str, period: float, anchor: float | None = None) -> Window:
        """The key's current window (opened now when there is none or it expired)."""

    @abstractmethod
    async def add_kilobytes(self, key: str, kilobytes: float) -> None:
        """Count bandwidth in the key's current window."""


def seconds_left(start: float, period: float, now: float) -> float:
    return max(0.0, start + period - now) if period > 0 else math.inf


def window_start(now: float, period: float, anchor: float | None) -> float:
    """Where a window opened at ``now`` starts: ``now``, or the last grid point when ``anchor`` is given."""
    if anchor is not None and period > 0:
        return anchor + math.floor((now - anchor) / period) * period
    return now


def expired(start: float, period: float, now: float) -> bool:
    return period > 0 and now >= start + period


class State:
    """One server's state: the parts above plus :meth:`flush` and :meth:`close`."""

    kind = "base"
    keys: KeyState
    signing_key: SigningKeyState
    workflows: WorkflowState
    history: HistoryState
    outbox: OutboxState
    counters: CounterState

    async def flush(self) -> None:
        """Return once every write queued before the call is durable (a no-op for memory)."""

    def close(self) -> None:
        """Write what is queued and release the store."""
