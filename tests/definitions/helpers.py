"""The loader as the emulator calls it: with the runtime's action types (the layer above definitions)."""

from __future__ import annotations

from emulator import definitions
from emulator.runtime.actions.registry import lookup


def load_path(path, **kw) -> definitions.LoadResult:
    return definitions.load_path(path, action_types=lookup, **kw)


def load_definition(definition: dict, name: str = "workflow", **kw):
    return definitions.load_definition(definition, name, action_types=lookup, **kw)
