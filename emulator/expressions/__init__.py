"""The workflow expression engine: the public entry points.

>>> from emulator.expressions import compile_template
>>> compile_template("@concat('a', 'b')").evaluate({})
'ab'
"""

from .context import EvalContext
from .errors import ExpressionError, ExpressionSyntaxError
from .template import CompiledValue, Template, compile_template, compile_value
from .values import Blob, to_json_value, to_string

__all__ = [
    "Blob",
    "CompiledValue",
    "EvalContext",
    "ExpressionError",
    "ExpressionSyntaxError",
    "Template",
    "compile_template",
    "compile_value",
    "to_json_value",
    "to_string",
]


def _register_functions() -> None:
    from .. import functions  # noqa: F401 - registers every built-in function


_register_functions()
