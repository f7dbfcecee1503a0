"""Server state behind one interface (:mod:`.base`); ``open_state`` picks the implementation."""

from .base import (CounterState, HistoryState, KeyState, OutboxState, SigningKeyState, State, Taken, Window,
                   WorkflowState)

__all__ = ["CounterState", "HistoryState", "KeyState", "OutboxState", "SigningKeyState", "State", "Taken",
           "Window", "WorkflowState"]
