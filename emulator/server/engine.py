"""The runtime the server drives: ``load_path``, ``invoke`` and ``RunOptions`` (see notes/contracts.md).

Tests pass their own object with the same three attributes; ``real_runtime()`` imports the project's.
"""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace


class RuntimeUnavailable(RuntimeError):
    pass


def real_runtime() -> SimpleNamespace:
    try:
        from ..definitions import load_path
        from ..runtime import RunOptions, invoke
        from ..runtime.actions.registry import lookup
    except ImportError as exc:
        raise RuntimeUnavailable(f"the workflow runtime is not available: {exc}") from exc
    try:
        from ..runtime import MockSet
    except ImportError:
        MockSet = None  # noqa: N806
    try:
        from ..runtime import cancel
    except ImportError:
        cancel = None
    return SimpleNamespace(load_path=partial(load_path, action_types=lookup), invoke=invoke,
                           RunOptions=RunOptions, MockSet=MockSet, cancel=cancel)


_ACCEPTED: dict[int, frozenset | None] = {}


def run_options(runtime, **kwargs):
    """Build ``RunOptions`` with only the keyword arguments the runtime's class accepts."""
    import inspect

    cls = runtime.RunOptions
    accepted = _ACCEPTED.get(id(cls), False)
    if accepted is False:  # inspect once per class: signature() is slow on the request path
        try:
            params = inspect.signature(cls).parameters
            varkw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
            accepted = None if varkw else frozenset(params)
        except (TypeError, ValueError):
            accepted = None
        _ACCEPTED[id(cls)] = accepted
    if accepted is None:
        return cls(**kwargs)
    return cls(**{k: v for k, v in kwargs.items() if k in accepted})
