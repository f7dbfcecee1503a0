"""Logical functions: lazy and/or/if, equality and ordering rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.functions.helpers import ev, fails


@pytest.mark.parametrize("expr, expected", [
    ("@and(true, true)", True),
    ("@and(true)", True),
    ("@and(false)", False),
    ("@and(true, true, true, false)", False),
    ("@or(false, false)", False),
    ("@or(false)", False),
    ("@or(false, false, true)", True),
    ("@and(false, nope())", False),
    ("@and(false, int('x'))", False),
    ("@or(true, nope())", True),
    ("@and(and(and(true, false), true), nope())", False),
    ("@if(true, 1, nope())", 1),
    ("@if(false, nope(), 2)", 2),
    ("@if(if(true, false, true), if(true, 1, 2), if(true, 3, 4))", 3),
])
def test_lazy_functions(expr, expected):
    assert ev(expr) == expected


def test_lazy_functions_still_evaluate_what_they_reach():
    fails("@and(true, nope())", "'nope' is not defined")
    fails("@or(false, nope())", "'nope' is not defined")
    fails("@if(false, 1, nope())", "'nope' is not defined")
    fails("@if(if(true,false,true),if(true,a(),b()),if(true,c(),4))", "'c' is not defined")


def test_boolean_arguments_required():
    fails("@and(1, true)", "'and' expects its first parameter to be of type boolean")
    fails("@or(false, 'true')", "'or' expects its second parameter to be of type boolean")
    fails("@if('true', 'a', 'b')", "'if' expects its first parameter to be of type boolean")
    fails("@not(null)", "expects its parameter to be of type boolean")
    assert ev("@and(false, 1)") is False  # never reached
    assert ev("@not(equals(1, 2))") is True


@pytest.mark.parametrize("a, b, expected", [
    (1, 1, True), (1, 1.0, True), (1, 2, False),
    ("abc", "ABC", False), ("abc", "abcd", False),
    (None, None, True), (None, "", True), ("", None, True), (None, 0, False),
    (True, 1, True), (False, 0, True), (True, 2, False), (True, "true", True), (False, "False", True),
    (True, "yes", False), (True, True, True), (True, False, False),
    ([1, 2], [1, 2], True), ([1, 2], [2, 1], False), ([1, None], [1.0, None], True), ([None], [""], False),
    ([True], [1], False),
    ({"a": 1, "b": [1]}, {"b": [1], "a": 1}, True), ({"a": 1}, {"A": 1}, False), ({"a": 1}, {"a": 1, "b": 2}, False),
    (Decimal("0.1"), 0.1, True), (Decimal("2"), 2, True), (Decimal("2.50"), 2.5, True),
])
def test_equals(a, b, expected):
    assert ev("@equals(parameters('a'), parameters('b'))", a=a, b=b) is expected
    assert ev("@equals(parameters('b'), parameters('a'))", a=a, b=b) is expected


@pytest.mark.parametrize("expr, expected", [
    ("@greater(10, 5)", True), ("@greater(10, 10)", False), ("@greaterOrEquals(10, 10)", True),
    ("@less(10, 100)", True), ("@less(5, 4.5)", False), ("@lessOrEquals(1.0, 1)", True),
    ("@greater('apple', 'banana')", False), ("@less('banana', 'apple')", False),
    ("@lessOrEquals('apply', 'apple')", False), ("@greaterOrEquals('apple', 'apple')", True),
    ("@greater('a', 'B')", True),  # ordinal: 'a' (0x61) > 'B' (0x42)
    ("@greater(null, '')", False), ("@less(null, 'a')", True), ("@greaterOrEquals(null, null)", True),
])
def test_ordering(expr, expected):
    assert ev(expr) is expected


def test_ordering_with_decimals():
    assert ev("@greater(parameters('d'), 1)", d=Decimal("1.5")) is True
    assert ev("@less(parameters('d'), 1.6)", d=Decimal("1.5")) is True
    assert ev("@greaterOrEquals(parameters('d'), 0.1)", d=Decimal("0.1")) is True


def test_ordering_with_nan_is_false():
    nan = float("nan")
    for fn in ("greater", "greaterOrEquals", "less", "lessOrEquals"):
        assert ev(f"@{fn}(parameters('n'), 1)", n=nan) is False


def test_ordering_type_errors():
    fails("@greater(true, false)", "'greater' expects its first parameter to be an integer, a decimal number "
                                   "or a string")
    fails("@less(1, createArray(1))", "expects its second parameter to be an integer, a decimal number")
    msg = fails("@greater(1, 'a')", "same kind")
    assert "'Integer' and 'String'" in msg
    fails("@lessOrEquals(null, 1)", "same kind")
