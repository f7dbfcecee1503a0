"""Argument checks shared by every function family, in the host's wording.

Each ``want_*`` returns the argument when it has the type the function expects, else raises the host's
error for the parameter at ``index`` (0-based): "The template language function 'f' expects its second
parameter to be of type string. The provided value is of type 'Integer'. ...". ``expected`` is the host's
tail after "to be", which varies by function (``"an integer"`` for ``substring``, ``"of type integer"`` for
``addDays``). :func:`single_param_error` is the wording of a one-parameter function ("expects its parameter
to be ...").

Checks that only one function makes (``xpath``'s XML object, ``trim``'s own message) stay with it.
"""

from __future__ import annotations

from ..expressions.errors import ExpressionError, type_error, usage
from ..expressions.values import is_integer, is_number, type_name


def want_str(fn: str, index: int, value) -> str:
    if isinstance(value, str):
        return value
    raise type_error(fn, index, "of type string", value)


def want_int(fn: str, index: int, value, expected: str = "an integer") -> int:
    if is_integer(value):
        return value
    raise type_error(fn, index, expected, value)


def want_number(fn: str, index: int, value, expected: str = "an integer or a decimal number"):
    if is_number(value):
        return value
    raise type_error(fn, index, expected, value)


def want_bool(fn: str, index: int, value) -> bool:
    if isinstance(value, bool):
        return value
    raise type_error(fn, index, "of type boolean", value)


def want_array(fn: str, index: int, value) -> list:
    if isinstance(value, list):
        return value
    raise type_error(fn, index, "an array", value)


def want_object(fn: str, index: int, value) -> dict:
    if isinstance(value, dict):
        return value
    raise type_error(fn, index, "of type object", value)


def single_param_error(fn: str, expected: str, value) -> ExpressionError:
    """The host's wording for a one-parameter function: 'expects its parameter to be ...'."""
    return ExpressionError(
        f"The template language function '{fn}' expects its parameter to be {expected}. "
        f"The provided value is of type '{type_name(value)}'. " + usage(fn)
    )
