"""Action types, one module per family; each registers its handlers in :mod:`.registry`."""

from .registry import HANDLERS, Handler, action_type, lookup

__all__ = ["HANDLERS", "Handler", "action_type", "lookup"]
