"""The function registry: every built-in expression function, registered once with its signature.

It lives with the compiler, which looks functions up here when it compiles a call; the functions
themselves live one layer up, in :mod:`emulator.functions` (one module per family), and register here
when that package is imported. ``emulator/__init__.py`` imports it, so any ``emulator.*`` import has
every built-in function registered before an expression is compiled.

A function module registers each function with the :func:`function` decorator::

    @function("concat", min_args=1, max_args=None, category="string")
    def concat(*args): ...

Calling conventions chosen by flags:

* default: ``impl(*values)``: arguments evaluated left to right before the call;
* ``context=True``: ``impl(ctx, *values)``: the function reads the run state (:class:`EvalContext`);
* ``lazy=True``: ``impl(ctx, *thunks)``: each argument is a zero-argument callable, evaluated only
  when the function asks for it (``if``, ``and``, ``or``, ``coalesce``).

Names are case-insensitive. Arity is checked when an expression is compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ExpressionError, count_word, usage


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    impl: Callable
    min_args: int
    max_args: int | None
    category: str
    context: bool = False
    lazy: bool = False
    pure: bool = True  # same inputs -> same output, no run state: may be folded at compile time
    inline: str | None = None  # optional fast path: a Python expression over {0}, {1}..., {fn}, {ctx}
    inline_try: str | None = None  # optional fast path that may raise KeyError/TypeError: then impl runs

    def arity_error(self, given: int) -> ExpressionError | None:
        lo, hi = self.min_args, self.max_args
        if given >= lo and (hi is None or given <= hi):
            return None
        if hi == lo:
            noun = "parameter" if lo == 1 else "parameters"
            want = "no parameters" if lo == 0 else f"{count_word(lo)} {noun}"
        elif hi is None:
            want = f"at least {count_word(lo)} parameter{'s' if lo != 1 else ''}"
        else:
            want = f"between {count_word(lo)} and {count_word(hi)} parameters"
        return ExpressionError(
            f"The template language function '{self.name}' expects {want}. "
            f"The function was invoked with '{given}' parameter{'s' if given != 1 else ''}. " + usage(self.name)
        )


REGISTRY: dict[str, FunctionSpec] = {}


def function(name: str, *, min_args: int = 0, max_args: int | None = -1, category: str,
             context: bool = False, lazy: bool = False, pure: bool | None = None, inline: str | None = None,
             inline_try: str | None = None):
    """Register ``impl`` as the expression function ``name``.

    ``max_args=-1`` (the default) means "same as ``min_args``"; ``None`` means unbounded.
    ``inline`` is an optional fast path the compiler pastes into generated code: a Python
    expression over the argument temporaries ``{0}``, ``{1}``..., the implementation ``{fn}``
    and the context ``{ctx}``; each placeholder is a plain name, safe to repeat. It must mean
    exactly what ``impl`` means. ``inline_try`` is the same kind of fast path for lookups: an expression
    that either gives ``impl``'s result or raises KeyError/TypeError, in which case ``impl`` is called.
    """
    if max_args == -1:
        max_args = min_args

    def decorate(impl: Callable) -> Callable:
        key = name.lower()
        if key in REGISTRY:
            raise RuntimeError(f"expression function {name!r} registered twice")
        REGISTRY[key] = FunctionSpec(name=name, impl=impl, min_args=min_args, max_args=max_args,
                                     category=category, context=context, lazy=lazy,
                                     pure=(not context and not lazy) if pure is None else pure, inline=inline,
                                     inline_try=inline_try)
        return impl

    return decorate


def lookup(name: str) -> FunctionSpec | None:
    return REGISTRY.get(name.lower())
