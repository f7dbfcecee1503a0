"""The workflow expression engine: the public entry points.

The compiler looks functions up in :mod:`.registry`; the built-in functions register there when
:mod:`emulator.functions` is imported, which the package root ``emulator/__init__.py`` does, so importing
anything under ``emulator`` gives a compiler with every built-in function.

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
