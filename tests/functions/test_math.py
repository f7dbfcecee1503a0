"""Math functions: 64-bit integers, .NET doubles and .NET decimals."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from emulator.expressions import EvalContext, ExpressionError, compile_template


def ev(text, **params):
    return compile_template(text).evaluate(EvalContext(parameters=params))


def fails(text, fragment="", **params):
    with pytest.raises(ExpressionError) as info:
        ev(text, **params)
    assert fragment in info.value.message, info.value.message
    return info.value.message


def typed(value):
    return type(value), value


@pytest.mark.parametrize("expr, expected", [
    ("@add(1, 2)", (int, 3)),
    ("@add(1, 1.5)", (float, 2.5)),
    ("@add(2147483647, 1)", (int, 2147483648)),
    ("@sub(10, 11)", (int, -1)),
    ("@sub(10.3, 0.3)", (float, 10.0)),
    ("@mul(1.5, 2)", (float, 3.0)),
    ("@mul(4294967295, 4294967295.0)", (float, 1.8446744065119617e19)),
    ("@div(11, 5)", (int, 2)),
    ("@div(-7, 2)", (int, -3)),
    ("@div(11, 5.0)", (float, 2.2)),
    ("@mod(10, 4)", (int, 2)),
    ("@mod(-5, 2)", (int, -1)),
    ("@mod(4, -3)", (int, 1)),
    ("@mod(5.5, 2)", (float, 1.5)),
    ("@mod(-5.5, 2)", (float, -1.5)),
])
def test_arithmetic_types(expr, expected):
    assert typed(ev(expr)) == expected


def test_float_overflow_is_infinity():
    assert ev("@mul(1e308, 2)") == math.inf
    assert ev("@{mul(1e308, 2)}") == "Infinity"


@pytest.mark.parametrize("expr", [
    "@add(9223372036854775807, 1)", "@sub(-9223372036854775808, 1)", "@mul(4294967295, 4294967295)",
    "@div(-9223372036854775808, -1)", "@mod(-9223372036854775808, -1)",
])
def test_integer_overflow_is_an_error(expr):
    fails(expr, "overflow")


@pytest.mark.parametrize("expr", ["@div(1, 0)", "@div(0, 0)", "@mod(1, 0)", "@div(1.5, 0)", "@mod(1, 0.0)"])
def test_division_by_zero(expr):
    fails(expr, "value by zero in function")


def test_type_errors():
    msg = fails("@add('1', 1)", "'add' expects its first parameter to be an integer or a decimal number")
    assert "'String'" in msg
    fails("@mul(1, null)", "expects its second parameter to be an integer or a decimal number")
    fails("@div(true, 1)", "'Boolean'")


D = Decimal


@pytest.mark.parametrize("expr, params, expected", [
    ("@add(parameters('a'), parameters('a'))", {"a": D("1.2345678912312131")}, "2.4691357824624262"),
    ("@add(parameters('a'), 1)", {"a": D("1.10")}, "2.10"),
    ("@mul(parameters('a'), 4294967295)", {"a": D("4294967295")}, "18446744065119617025"),
    ("@mul(parameters('a'), 4294967295.0)", {"a": D("4294967295")}, "18446744065119617025"),
    ("@add(parameters('a'), 0.1)", {"a": D("0.2")}, "0.3"),
    ("@div(parameters('a'), 3)", {"a": D("1")}, "0.3333333333333333333333333333"),
    ("@div(parameters('a'), 3)", {"a": D("2")}, "0.6666666666666666666666666667"),
    ("@div(parameters('a'), 3)", {"a": D("10")}, "3.3333333333333333333333333333"),
    ("@div(parameters('a'), 4)", {"a": D("1")}, "0.25"),
    ("@mod(parameters('a'), 2)", {"a": D("-5.5")}, "-1.5"),
])
def test_decimal_arithmetic(expr, params, expected):
    value = ev(expr, **params)
    assert isinstance(value, Decimal)
    assert ev("@{" + expr[1:] + "}", **params) == expected


def test_decimal_overflow():
    fails("@mul(parameters('a'), 10)", "overflow", a=D("70000000000000000000000000000"))
    fails("@mul(max(20, parameters('a'), 30.1), 1e50)", "overflow", a=D("10"))
    fails("@div(parameters('a'), 0)", "value by zero in function 'div'", a=D("1"))


@pytest.mark.parametrize("expr, expected", [
    ("@max(1, 2, 3)", (int, 3)),
    ("@max(createArray(0, 1, 2))", (int, 2)),
    ("@min(0, 1, 2)", (int, 0)),
    ("@min(createArray(3, -1, 2))", (int, -1)),
    ("@max(1, 2.5)", (float, 2.5)),
    ("@max(3, 2.5)", (float, 3.0)),
    ("@max(createArray(7))", (int, 7)),
])
def test_max_min(expr, expected):
    assert typed(ev(expr)) == expected


def test_max_min_errors():
    fails("@max(parameters('e'))", "non-empty", e=[])
    fails("@max(5)", "be an array")
    fails("@min(createArray(1, 'a'))", "integers or decimal numbers")
    fails("@max(1, 'a')", "second parameter to be an integer or a decimal number")


def test_range():
    assert ev("@range(1, 4)") == [1, 2, 3, 4]
    assert ev("@range(-2, 3)") == [-2, -1, 0]
    assert ev("@range(5, 0)") == []
    assert len(ev("@range(0, 100000)")) == 100000
    fails("@range(0, 100001)", "100000")
    fails("@range(1, -1)", "non-negative")
    fails("@range(2147483647, 1)", "2147483647")
    fails("@range('1', 2)", "first parameter to be an integer")


def test_rand():
    tpl = compile_template("@rand(1, 5)")
    seen = {tpl.evaluate(EvalContext()) for _ in range(200)}
    assert seen == {1, 2, 3, 4}
    assert ev("@rand(3, 3)") == 3
    fails("@rand(5, 1)", "greater than or equal")
    fails("@rand(1.5, 2)", "an integer")
