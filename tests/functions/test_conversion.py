"""array / bool / createArray / string."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emulator.expressions import EvalContext, ExpressionError, compile_template
from emulator.expressions.values import Blob


def ev(text, **params):
    return compile_template(text).evaluate(EvalContext(parameters=params))


def test_array_and_create_array():
    assert ev("@array('hello')") == ["hello"]
    assert ev("@array(null)") == [None]
    assert ev("@createArray('h', 'e', 1, null, true)") == ["h", "e", 1, None, True]
    assert ev("@createArray(createArray(1))") == [[1]]
    with pytest.raises(ExpressionError, match="at least one parameter"):
        ev("@createArray()")


@pytest.mark.parametrize("value, expected", [
    (1, True), (0, False), (-1, True), (0.0, False), (0.5, True), (Decimal("0"), False), (Decimal("2"), True),
    (True, True), (False, False), ("true", True), ("false", False), ("TRUE", True), (" False ", False),
])
def test_bool(value, expected):
    assert ev("@bool(parameters('v'))", v=value) is expected


@pytest.mark.parametrize("value", ["yes", "1", "", None, [], {}])
def test_bool_rejects(value):
    with pytest.raises(ExpressionError, match="cannot be converted to the target type"):
        ev("@bool(parameters('v'))", v=value)


@pytest.mark.parametrize("value, expected", [
    (10, "10"), (None, ""), (True, "True"), (False, "False"), (1.5, "1.5"), (1.0, "1"), (1e21, "1E+21"),
    (Decimal("5.0"), "5.0"), ("x", "x"), ([1, "a", None], '[1,"a",null]'), ({"name": "Sophie Owen"},
                                                                              '{"name":"Sophie Owen"}'),
    (Blob(b"hi"), "hi"),
])
def test_string(value, expected):
    assert ev("@string(parameters('v'))", v=value) == expected


def test_string_literal_folding():
    assert ev("@string(10)") == "10"
    assert ev("@string(null)") == ""


def test_string_decodes_a_content_envelope_object():
    # "@string(body('formdataAction'))" (Handle content types doc): a plain {$content-type, $content} object
    # from run state is binary content, decoded by its charset
    form = {"$content-type": "application/x-www-url-formencoded", "$content": "YT0xJmI9Mg=="}
    assert ev("@string(parameters('v'))", v=form) == "a=1&b=2"
    latin1 = {"$content-type": "text/plain; charset=iso-8859-1", "$content": "6Q=="}
    assert ev("@string(parameters('v'))", v=latin1) == "\u00e9"
    # without $content-type it is an ordinary object
    assert ev("@string(parameters('v'))", v={"$content": "YQ=="}) == '{"$content":"YQ=="}'
    with pytest.raises(ExpressionError, match="not a valid base64"):
        ev("@string(parameters('v'))", v={"$content-type": "text/plain", "$content": "!!"})
