"""Conversion functions: array, bool, createArray, string.

(``int``/``float``/``decimal`` live in numeric.py, base64/binary/data URI/URI component in
binary.py, ``json``/``xml`` in xml.py.)
"""

from __future__ import annotations

from decimal import Decimal

from ..expressions.errors import ExpressionError, usage
from ..expressions.registry import function
from ..expressions.values import to_string

# .NET Boolean.Parse trims white space and trailing NULs before comparing
_BOOL_TRIM = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
             "\u2028\u2029\u202f\u205f\u3000\x00"


def _not_convertible(fn: str) -> ExpressionError:
    return ExpressionError(
        f"The template language function '{fn}' was invoked with a parameter that is not valid. The value cannot "
        "be converted to the target type. " + usage(fn))


@function("array", min_args=1, category="conversion")
def array(value):
    return [value]


@function("createArray", min_args=1, max_args=None, category="conversion")
def create_array(*values):
    return list(values)


@function("bool", min_args=1, category="conversion")
def bool_(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    if isinstance(value, str):
        text = value.strip(_BOOL_TRIM).lower()
        if text == "true":
            return True
        if text == "false":
            return False
    raise _not_convertible("bool")


@function("string", min_args=1, category="conversion")
def string(value):
    # to_string decodes binary content, including plain {"$content-type", "$content"} objects
    # ("@string(body('formdataAction'))", Handle content types doc).
    return to_string(value)
