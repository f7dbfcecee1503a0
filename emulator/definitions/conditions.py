"""If/Until conditions: an expression string, or the designer's object form.

The designer writes ``{"and": [{"equals": ["@x", 1]}, {"not": {"contains": ["@y", "a"]}}]}``;
operators are the expression functions of the same name (``equals``, ``contains``, ``greater``,
``greaterOrEquals``, ``less``, ``lessOrEquals``, ``startsWith``, ``endsWith``) combined with
``and``, ``or`` and ``not``.
"""

from __future__ import annotations

from ..expressions import EvalContext, ExpressionError
from ..expressions.context import as_context
from ..expressions.registry import lookup
from ..expressions.template import CompiledValue
from ..functions.args import want_bool


class Condition:
    """A compiled designer condition: one closure per node, built at load time (no tree walk per run)."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def evaluate(self, ctx):
        if ctx.__class__ is not EvalContext:
            ctx = as_context(ctx)
        return self.fn(ctx)


def _const(value):
    return lambda ctx: value


def _logic(op: str, parts: tuple):
    if op == "not":
        (part,) = parts

        def not_(ctx):
            return not want_bool("not", 0, part(ctx))
        return not_
    # True and False are the only booleans: the usual operand is checked by identity, want_bool refuses the rest
    if op == "and":
        def and_(ctx):
            for p in parts:
                value = p(ctx)
                if value is not True and (value is False or not want_bool("and", 0, value)):
                    return False
            return True
        return and_

    def or_(ctx):
        for p in parts:
            value = p(ctx)
            if value is True or (value is not False and want_bool("or", 0, value)):
                return True
        return False
    return or_


def _call(name: str, args: tuple):
    """A call of a registered function on evaluated arguments (looked up once, at load time)."""
    spec = lookup(name)
    if spec is None:
        def undefined(ctx):
            raise ExpressionError(f"The template function '{name}' is not defined or not valid.")
        return undefined
    impl = spec.impl
    if spec.context:
        return lambda ctx: impl(ctx, *[a(ctx) for a in args])
    if spec.lazy:
        return lambda ctx: impl(ctx, *[(lambda v=v: v) for v in [a(ctx) for a in args]])
    if len(args) == 2:  # the designer's operators: equals, greater, contains...
        first, second = args
        return lambda ctx: impl(first(ctx), second(ctx))
    return lambda ctx: impl(*[a(ctx) for a in args])


def _node(compiled):
    """The function behind a compiled value (its own context check skipped: :class:`Condition` did it)."""
    if isinstance(compiled, (Condition, CompiledValue)):
        return compiled.fn
    return compiled.evaluate




def compile_condition(raw, path: str, comp):
    """A compiled condition with ``evaluate(ctx)``; problems go to ``comp``."""
    if isinstance(raw, str):
        return comp.template(raw, path)
    if isinstance(raw, (bool, dict)):
        return Condition(_compile_node(raw, path, comp))
    return comp.value(raw, path)


def _compile_node(raw, path: str, comp):
    if isinstance(raw, bool):
        return _const(raw)
    if isinstance(raw, dict):
        if len(raw) != 1:
            comp.problem(path, "a condition object must have exactly one operator", code="InvalidCondition")
            return _const(False)
        (op, operand), = raw.items()
        key = op.lower()
        if key in ("and", "or"):
            items = operand if isinstance(operand, list) else [operand]
            return _logic(key, tuple(_compile_node(x, f"{path}.{op}[{i}]", comp) for i, x in enumerate(items)))
        if key == "not":
            return _logic("not", (_compile_node(operand, f"{path}.not", comp),))
        if lookup(op) is None:
            comp.problem(f"{path}.{op}", f"unknown condition operator '{op}'", code="InvalidCondition")
        args = operand if isinstance(operand, list) else [operand]
        return _call(op, tuple(_node(comp.value(a, f"{path}.{op}[{i}]")) for i, a in enumerate(args)))
    return _node(compile_condition(raw, path, comp))
