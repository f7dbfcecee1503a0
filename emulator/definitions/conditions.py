"""If/Until conditions: an expression string, or the designer's object form.

The designer writes ``{"and": [{"equals": ["@x", 1]}, {"not": {"contains": ["@y", "a"]}}]}``;
operators are the expression functions of the same name (``equals``, ``contains``, ``greater``,
``greaterOrEquals``, ``less``, ``lessOrEquals``, ``startsWith``, ``endsWith``) combined with
``and``, ``or`` and ``not``.
"""

from __future__ import annotations

from ..expressions import ExpressionError

DESIGNER_OPERATORS = ("equals", "contains", "greater", "greaterOrEquals", "less", "lessOrEquals",
                      "startsWith", "endsWith")


class _Const:
    def __init__(self, value):
        self.value = value

    def evaluate(self, ctx):
        return self.value


class _Logic:
    def __init__(self, op: str, parts: list):
        self.op = op
        self.parts = parts

    def evaluate(self, ctx):
        if self.op == "not":
            return not _truth(self.parts[0].evaluate(ctx), "not")
        if self.op == "and":
            for p in self.parts:
                if not _truth(p.evaluate(ctx), "and"):
                    return False
            return True
        for p in self.parts:
            if _truth(p.evaluate(ctx), "or"):
                return True
        return False


class _Call:
    def __init__(self, name: str, args: list):
        self.name = name
        self.args = args
        self.spec = None  # looked up at the first evaluation (not per run)

    def evaluate(self, ctx):
        spec = self.spec
        if spec is None:
            from ..functions import lookup

            spec = lookup(self.name)
            if spec is None:
                raise ExpressionError(f"The template function '{self.name}' is not defined or not valid.")
            self.spec = spec
        values = [a.evaluate(ctx) for a in self.args]
        if spec.context:
            return spec.impl(ctx, *values)
        if spec.lazy:
            return spec.impl(ctx, *[(lambda v=v: v) for v in values])
        return spec.impl(*values)


def _truth(value, op: str) -> bool:
    if isinstance(value, bool):
        return value
    from ..expressions.errors import type_error

    raise type_error(op, 0, "of type boolean", value)


def compile_condition(raw, path: str, comp):
    """A compiled condition with ``evaluate(ctx)``; problems go to ``comp``."""
    if isinstance(raw, str):
        return comp.template(raw, path)
    if isinstance(raw, bool):
        return _Const(raw)
    if isinstance(raw, dict):
        if len(raw) != 1:
            comp.problem(path, "a condition object must have exactly one operator", code="InvalidCondition")
            return _Const(False)
        (op, operand), = raw.items()
        key = op.lower()
        if key in ("and", "or"):
            items = operand if isinstance(operand, list) else [operand]
            return _Logic(key, [compile_condition(x, f"{path}.{op}[{i}]", comp) for i, x in enumerate(items)])
        if key == "not":
            return _Logic("not", [compile_condition(operand, f"{path}.not", comp)])
        from ..functions import lookup

        if lookup(op) is None and op not in DESIGNER_OPERATORS:
            comp.problem(f"{path}.{op}", f"unknown condition operator '{op}'", code="InvalidCondition")
        args = operand if isinstance(operand, list) else [operand]
        return _Call(op, [comp.value(a, f"{path}.{op}[{i}]") for i, a in enumerate(args)])
    return comp.value(raw, path)
