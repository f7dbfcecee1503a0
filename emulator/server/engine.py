"""The runtime the server drives: ``load_path``, ``invoke`` and ``RunOptions`` (see notes/contracts.md).

Tests pass their own object with the same three attributes; ``real_runtime()`` imports the project's.
"""

from __future__ import annotations

from types import SimpleNamespace


class RuntimeUnavailable(RuntimeError):
    pass


def real_runtime() -> SimpleNamespace:
    try:
        from ..definitions import load_path
        from ..runtime import RunOptions, invoke
    except ImportError as exc:
        raise RuntimeUnavailable(f"the workflow runtime is not available: {exc}") from exc
    return SimpleNamespace(load_path=load_path, invoke=invoke, RunOptions=RunOptions)


def run_options(runtime, **kwargs):
    """Build ``RunOptions`` with only the keyword arguments the runtime's class accepts."""
    import inspect

    cls = runtime.RunOptions
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return cls(**kwargs)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return cls(**kwargs)
    return cls(**{k: v for k, v in kwargs.items() if k in params})
