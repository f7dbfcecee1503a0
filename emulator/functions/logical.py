"""Logical comparison functions.

``and``, ``or`` and ``if`` are lazy: ``and`` stops at the first false argument, ``or`` at the
first true one, ``if`` evaluates only the branch it picks (all host-verified).
"""

from __future__ import annotations

from ..expressions.errors import ExpressionError, type_error, usage
from ..expressions.registry import function
from ..expressions.values import compare_values, type_name, values_equal
from .args import want_bool


@function("and", min_args=1, max_args=None, category="logical", lazy=True)
def and_(ctx, *thunks):
    for i, thunk in enumerate(thunks):
        if not want_bool("and", i, thunk()):
            return False
    return True


@function("or", min_args=1, max_args=None, category="logical", lazy=True)
def or_(ctx, *thunks):
    for i, thunk in enumerate(thunks):
        if want_bool("or", i, thunk()):
            return True
    return False


@function("if", min_args=3, category="logical", lazy=True)
def if_(ctx, condition, when_true, when_false):
    return when_true() if want_bool("if", 0, condition()) else when_false()


@function("not", min_args=1, category="logical")
def not_(value):
    if isinstance(value, bool):
        return not value
    raise ExpressionError(
        f"The template language function 'not' expects its parameter to be of type boolean. The provided value "
        f"is of type '{type_name(value)}'. Please see https://aka.ms/logicexpressions#not for usage details.")


@function("equals", min_args=2, category="logical",
          inline="({0} == {1} if {0}.__class__ is {1}.__class__ and ({0}.__class__ is str or {0}.__class__ is int)"
                 " else {fn}({0}, {1}))")
def equals(a, b):
    return values_equal(a, b)


_ORDERABLE = "an integer, a decimal number or a string"


def _compare(fn: str, a, b):
    result = compare_values(a, b)
    if result is None:
        for i, v in enumerate((a, b)):
            if isinstance(v, (bool, list, dict)):
                raise type_error(fn, i, _ORDERABLE, v)
        raise ExpressionError(
            f"The template language function '{fn}' expects its parameters to be of the same kind: two numbers "
            f"or two strings. The provided values are of type '{type_name(a)}' and '{type_name(b)}'. " + usage(fn))
    return result


@function("greater", min_args=2, category="logical",
          inline="({0} > {1} if {0}.__class__ is int and {1}.__class__ is int else {fn}({0}, {1}))")
def greater(a, b):
    return _compare("greater", a, b) > 0


@function("greaterOrEquals", min_args=2, category="logical",
          inline="({0} >= {1} if {0}.__class__ is int and {1}.__class__ is int else {fn}({0}, {1}))")
def greater_or_equals(a, b):
    return _compare("greaterOrEquals", a, b) >= 0


@function("less", min_args=2, category="logical",
          inline="({0} < {1} if {0}.__class__ is int and {1}.__class__ is int else {fn}({0}, {1}))")
def less(a, b):
    return _compare("less", a, b) < 0


@function("lessOrEquals", min_args=2, category="logical",
          inline="({0} <= {1} if {0}.__class__ is int and {1}.__class__ is int else {fn}({0}, {1}))")
def less_or_equals(a, b):
    return _compare("lessOrEquals", a, b) <= 0
