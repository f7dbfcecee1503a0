"""Math functions, with the host's number model.

* integer op integer -> integer, 64-bit, overflow is an error (checked arithmetic);
* a float on either side -> float (.NET double: overflow gives Infinity, no error);
* a decimal on either side -> decimal (.NET ``decimal``: 96-bit coefficient, scale 0..28; a float
  operand is first converted with 15 significant digits; overflow is an error).

Division or remainder by zero is an error whatever the types.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

from ..expressions.errors import ExpressionError, function_error, type_error, usage
from ..expressions.registry import function
from ..expressions.values import DECIMAL_MAX, INT64_MAX, INT64_MIN, float_to_decimal, is_number
from .args import want_array, want_int, want_number

INT32_MAX = 2**31 - 1
RANGE_MAX_COUNT = 100_000
_COEFF_MAX = 2**96 - 1
_CTX = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_EVEN, Emax=999999, Emin=-999999)


def overflow_error(fn: str) -> ExpressionError:
    return function_error(fn, "failed: Arithmetic operation resulted in an overflow. " + usage(fn))


def _zero_error(fn: str) -> ExpressionError:
    # the host's text, seen in run records (spec §10)
    return ExpressionError(f"Attempt to divide an integral or decimal value by zero in function '{fn}'.")


# --------------------------------------------------------------------------- .NET decimal

def dotnet_decimal(value: Decimal, fn: str) -> Decimal:
    """Fit an exact result into .NET decimal: round to at most 28 decimals and a 96-bit coefficient."""
    if not value.is_finite() or abs(value) > DECIMAL_MAX:
        raise overflow_error(fn)
    exp = value.as_tuple().exponent
    if exp < -28:
        value = value.quantize(Decimal(1).scaleb(-28), rounding=decimal.ROUND_HALF_EVEN, context=_CTX)
        exp = -28
    while exp < 0 and abs(value.scaleb(-exp, context=_CTX)) > _COEFF_MAX:
        exp += 1
        value = value.quantize(Decimal(1).scaleb(exp), rounding=decimal.ROUND_HALF_EVEN, context=_CTX)
    if abs(value) > DECIMAL_MAX:
        raise overflow_error(fn)
    if value == 0 and exp > 0:
        return Decimal(0)
    return value


def as_decimal(value, fn: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        converted = float_to_decimal(value)
        if converted is None:
            raise overflow_error(fn)
        return converted
    return Decimal(value)


def _kind(a, b) -> str:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return "decimal"
    if isinstance(a, float) or isinstance(b, float):
        return "float"
    return "int"


def _check_int(value: int, fn: str) -> int:
    if value < INT64_MIN or value > INT64_MAX:
        raise overflow_error(fn)
    return value


def arithmetic(fn: str, op: str, a, b):
    """``a op b`` for two numbers already type-checked, with the host's promotion rules."""
    kind = _kind(a, b)
    if kind == "float":
        a, b = float(a), float(b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise _zero_error(fn)
        if op == "/":
            return a / b
        if math.isinf(a):
            return math.nan  # .NET: infinity % x is NaN
        return math.fmod(a, b)
    if kind == "decimal":
        a, b = as_decimal(a, fn), as_decimal(b, fn)
        if op in "/%" and b == 0:
            raise _zero_error(fn)
        if op == "+":
            result = _CTX.add(a, b)
        elif op == "-":
            result = _CTX.subtract(a, b)
        elif op == "*":
            result = _CTX.multiply(a, b)
        elif op == "/":
            result = _CTX.divide(a, b)
        else:
            result = _CTX.remainder(a, b)
        return dotnet_decimal(result, fn)
    if op == "+":
        return _check_int(a + b, fn)
    if op == "-":
        return _check_int(a - b, fn)
    if op == "*":
        return _check_int(a * b, fn)
    if b == 0:
        raise _zero_error(fn)
    if a == INT64_MIN and b == -1:
        raise overflow_error(fn)  # .NET: long.MinValue / -1 and % -1 both overflow
    quotient = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        quotient = -quotient
    if op == "/":
        return _check_int(quotient, fn)
    return a - b * quotient  # sign of the dividend, like .NET %


def _binary(fn: str, op: str):
    def impl(a, b):
        return arithmetic(fn, op, want_number(fn, 0, a), want_number(fn, 1, b))

    impl.__name__ = f"math_{fn}"
    return impl


function("add", min_args=2, category="math")(_binary("add", "+"))
function("sub", min_args=2, category="math")(_binary("sub", "-"))
function("mul", min_args=2, category="math")(_binary("mul", "*"))
function("div", min_args=2, category="math")(_binary("div", "/"))
function("mod", min_args=2, category="math")(_binary("mod", "%"))


# --------------------------------------------------------------------------- max / min

def _extreme(fn: str, args: tuple, pick_greater: bool):
    if len(args) == 1:
        values = want_array(fn, 0, args[0])
        if not values:
            raise function_error(fn, "expects a non-empty array of numbers. " + usage(fn))
        for v in values:
            if not is_number(v):
                raise type_error(fn, 0, "an array of integers or decimal numbers", values)
    else:
        values = [want_number(fn, i, v) for i, v in enumerate(args)]
    best = values[0]
    for v in values[1:]:
        kind = _kind(best, v)
        if kind == "decimal":
            x, y = as_decimal(best, fn), as_decimal(v, fn)
        elif kind == "float":
            x, y = float(best), float(v)
        else:
            x, y = best, v
        if isinstance(x, float) and (math.isnan(x) or math.isnan(y)):
            best = math.nan
            continue
        best = (y if y > x else x) if pick_greater else (y if y < x else x)
    return best


@function("max", min_args=1, max_args=None, category="math")
def max_(*args):
    return _extreme("max", args, pick_greater=True)


@function("min", min_args=1, max_args=None, category="math")
def min_(*args):
    return _extreme("min", args, pick_greater=False)


# --------------------------------------------------------------------------- rand / range

@function("rand", min_args=2, category="math", context=True)
def rand(ctx, low, high):
    low, high = want_int("rand", 0, low), want_int("rand", 1, high)
    if low > high:
        raise function_error(
            "rand", "expects its second parameter (the maximum) to be greater than or equal to its first "
                    "parameter (the minimum). " + usage("rand"))
    if low == high:
        return low
    return ctx.random.randrange(low, high)


@function("range", min_args=2, category="math")
def range_(start, count):
    start, count = want_int("range", 0, start), want_int("range", 1, count)
    if start < -INT32_MAX - 1 or start > INT32_MAX:
        raise type_error("range", 0, "a 32-bit integer", start)
    if count < 0 or count > RANGE_MAX_COUNT:
        raise function_error(
            "range", f"expects its second parameter to be a non-negative integer no larger than "
                     f"{RANGE_MAX_COUNT}. The provided value is '{count}'. " + usage("range"))
    if start + count > INT32_MAX:
        raise function_error(
            "range", f"expects the sum of its parameters to be no larger than {INT32_MAX}. " + usage("range"))
    return list(range(start, start + count))
