"""Workflow definitions: find them in every file format, check them, compile them.

``load_path(path, action_types=lookup) -> LoadResult`` is the entry point (see :mod:`.loader`); the
action types come from the layer above, ``emulator.runtime.actions.registry.lookup``.
"""

from .loader import LoadProblem, LoadResult, load_definition, load_path, load_paths
from .model import Action, Branch, Trigger, Workflow

__all__ = ["Action", "Branch", "LoadProblem", "LoadResult", "Trigger", "Workflow", "load_definition",
           "load_path", "load_paths"]
