"""The shared argument checks: the value back when it has the expected type, else the host's wording."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emulator.expressions import ExpressionError
from emulator.functions.args import (
    single_param_error,
    want_array,
    want_bool,
    want_int,
    want_number,
    want_object,
    want_str,
)

USAGE = "Please see https://aka.ms/logicexpressions#fn for usage details."


@pytest.mark.parametrize("check, good, bad, expected", [
    (want_str, "a", 1, "of type string"),
    (want_int, 2, True, "an integer"),
    (want_number, Decimal("1.5"), "1", "an integer or a decimal number"),
    (want_bool, False, 0, "of type boolean"),
    (want_array, [1], {}, "an array"),
    (want_object, {"a": 1}, [], "of type object"),
])
def test_a_check_returns_the_value_or_raises_the_hosts_type_error(check, good, bad, expected):
    assert check("fn", 0, good) is good
    with pytest.raises(ExpressionError) as info:
        check("Fn", 1, bad)
    assert info.value.message.startswith(f"The template language function 'Fn' expects its second parameter to be "
                                         f"{expected}. The provided value is of type ")
    assert info.value.message.endswith(USAGE)


def test_the_expected_wording_can_be_the_functions_own():
    with pytest.raises(ExpressionError, match="expects its first parameter to be of type integer"):
        want_int("addDays", 0, "1", "of type integer")


def test_single_param_error():
    assert single_param_error("Fn", "a string", 1).message == (
        "The template language function 'Fn' expects its parameter to be a string. "
        "The provided value is of type 'Integer'. " + USAGE)
