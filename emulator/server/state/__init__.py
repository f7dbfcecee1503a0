"""Server state behind one interface (:mod:`.base`); :func:`open_state` picks the implementation."""

from __future__ import annotations

from pathlib import Path

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

__all__ = ["CounterState", "HistoryState", "KeyState", "OutboxState", "SigningKeyState", "State", "Taken",
           "Window", "WorkflowState", "open_state", "is_shared", "KINDS"]

KINDS = ("memory", "sqlite", "redis://host:port/db")


def is_shared(kind: str) -> bool:
    """A state shared with other hosts (Redis): see :mod:`.redis_store`."""
    return kind.startswith(("redis://", "rediss://", "unix://"))


def open_state(kind: str, state_dir: str | Path | None, size: int = 1000) -> State:
    """``memory``: history, outbox, counters and workflow states in this process (keys still in the state
    dir's files when there is one); ``sqlite``: all of it under ``state_dir``, shared by every process;
    ``redis://host:port/db``: all of it in Redis, shared by every host using it (:mod:`.redis_store`)."""
    if is_shared(kind):
        from .redis_store import RedisState

        return RedisState(kind, size)
    if kind == "sqlite":
        if not state_dir:
            raise ValueError("--history sqlite needs a state dir")
        from .sqlite import SqliteState

        return SqliteState(state_dir, size)
    if kind != "memory":
        raise ValueError(f"unknown state kind '{kind}' (one of: {', '.join(KINDS)})")
    from .files import FileKeys, FileSigningKey
    from .memory import MemoryState

    if state_dir:
        return MemoryState(size, FileKeys(state_dir), FileSigningKey(Path(state_dir) / "issuer" / "signing-key.json"))
    return MemoryState(size)
