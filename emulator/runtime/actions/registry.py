"""The action-type registry: one small handler class per workflow action type.

A module registers a handler with :func:`action_type`::

    @action_type("Compose")
    class Compose(Handler):
        @staticmethod
        def execute(step): ...

``execute`` is a coroutine function (``async def``) for a type that waits (Http, Wait...), a plain
function for one that never does: the engine then calls it without a coroutine (``waits`` is set from
the definition at registration). A container that runs one
of its branches (Scope, If, Switch) says so with ``chooses_branch``: the engine asks ``choose(step)`` for
the branch, runs it itself and hands its status to ``settle(step, status)``.

Names are case-insensitive (``foreach`` and ``Foreach`` are the same type). The loader asks
:func:`lookup` for every action; an unknown type is a load error (never a silent skip).
"""

from __future__ import annotations

import inspect

HANDLERS: dict[str, type[Handler]] = {}


class Handler:
    """Base class: compile at load (``compile``), run per action execution (``execute``)."""

    type_name = "?"
    is_container = False     # has child actions (Scope, If, Switch, Foreach, Until)
    is_loop = False          # children run once per iteration (Foreach, Until)
    code = "OK"              # the record's ``code`` on success
    object_inputs = True     # inputs must evaluate to an object (Compose takes any value)
    branch_keys = ("actions",)
    waits = True             # execute is a coroutine function (set by action_type)
    chooses_branch = False   # the engine runs the branch choose(step) gives, then calls settle(step, status)

    @classmethod
    def compile(cls, action, compiler) -> None:
        """Compile the parts this type evaluates; default: the whole ``inputs`` value."""
        if "inputs" in action.raw:
            action.inputs = compiler.value(action.raw["inputs"], f"{action.path}.inputs")

    @staticmethod
    async def execute(step) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def action_type(*names: str):
    def decorate(cls):
        cls.type_name = names[0]
        cls.waits = inspect.iscoroutinefunction(cls.execute)
        for name in names:
            key = name.lower()
            if key in HANDLERS:
                raise RuntimeError(f"action type {name!r} registered twice")
            HANDLERS[key] = cls
        return cls

    return decorate


def lookup(type_name: str) -> type[Handler] | None:
    _load_all()
    return HANDLERS.get(str(type_name).lower())


_LOADED = False


def _load_all() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from . import (  # noqa: F401 - imported for their registrations
            connectors,
            control,
            data,
            http,
            inline,
            javascript,
            liquid,
            loops,
            response,
            variables,
            wait,
            workflow,
            xml_validation,
            xslt,
        )
