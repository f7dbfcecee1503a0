"""What an expression can see while it runs: the run state behind the workflow functions."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

_MISSING = object()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class EvalContext:
    """The run state one expression evaluation reads.

    The runtime fills it as a run goes on; the conformance runner and ``eval`` CLI build it
    from the mapping described in ``../shared/conformance/README.md`` with :meth:`from_mapping`.

    ``actions`` maps an action name to its record (``inputs``, ``outputs``, ``status``...).
    ``items`` maps a loop name to its current item; ``item`` is the innermost current item.
    ``results`` maps a scope name to what ``result()`` returns, or ``result_provider`` computes it.
    ``now`` is the clock (tests freeze it); ``random`` the source for ``rand``/``guid``.
    """

    __slots__ = ("parameters", "variables", "appsettings", "trigger", "actions", "item", "items",
                 "iteration_indexes", "workflow", "results", "result_provider", "action", "now",
                 "random", "extra", "location")

    def __init__(self, *, parameters=None, variables=None, appsettings=None, trigger=None, actions=None,
                 item=_MISSING, items=None, iteration_indexes=None, workflow=None, results=None,
                 result_provider: Callable[[str], list] | None = None, action=None,
                 now: Callable[[], datetime] = utc_now, rng: random.Random | None = None, location=None):
        self.parameters = parameters if parameters is not None else {}
        self.variables = variables if variables is not None else {}
        self.appsettings = appsettings if appsettings is not None else {}
        self.trigger = trigger
        self.actions = actions if actions is not None else {}
        self.item = item
        self.items = items if items is not None else {}
        self.iteration_indexes = iteration_indexes if iteration_indexes is not None else {}
        self.workflow = workflow
        self.results = results if results is not None else {}
        self.result_provider = result_provider
        self.action = action
        self.now = now
        self.random = rng or random.Random()
        self.extra = {}
        self.location = location  # e.g. "action 'Compose' inputs" for error messages

    @classmethod
    def for_run(cls, parameters, appsettings, trigger, workflow, now, rng) -> EvalContext:
        """A run's first context (nothing run yet, no loop item): what ``__init__`` builds from these
        keywords, without its keyword handling (the runtime builds one per run; keep the two in step)."""
        ctx = cls.__new__(cls)
        ctx.parameters = parameters if parameters is not None else {}
        ctx.variables = {}
        ctx.appsettings = appsettings if appsettings is not None else {}
        ctx.trigger = trigger
        ctx.actions = {}
        ctx.item = _MISSING
        ctx.items = {}
        ctx.iteration_indexes = {}
        ctx.workflow = workflow
        ctx.results = {}
        ctx.result_provider = None
        ctx.action = None
        ctx.now = now
        ctx.random = rng or random.Random()
        ctx.extra = {}
        ctx.location = None
        return ctx

    @property
    def has_item(self) -> bool:
        return self.item is not _MISSING

    def new_guid(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    @classmethod
    def from_mapping(cls, mapping: Mapping | None, now: datetime | None = None) -> EvalContext:
        """Build a context from the conformance ``context`` mapping (all keys optional)."""
        mapping = mapping or {}
        clock = (lambda: now) if now is not None else utc_now
        return cls(
            parameters=mapping.get("parameters"),
            variables=mapping.get("variables"),
            appsettings=mapping.get("appsettings"),
            trigger=mapping.get("trigger"),
            actions=mapping.get("actions"),
            item=mapping["item"] if "item" in mapping else _MISSING,
            items=mapping.get("items"),
            iteration_indexes=mapping.get("iterationIndexes"),
            workflow=mapping.get("workflow"),
            results=mapping.get("results"),
            action=mapping.get("action"),
            now=clock,
        )



def as_context(context) -> EvalContext:
    """An :class:`EvalContext` for ``context`` (None, an EvalContext, or a conformance-style mapping)."""
    if context is None:
        return EvalContext()
    if isinstance(context, EvalContext):
        return context
    if isinstance(context, Mapping):
        return EvalContext.from_mapping(context)
    raise TypeError(f"context must be an EvalContext or a mapping, not {type(context).__name__}")
