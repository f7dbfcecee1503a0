"""Property tests: compiling any string either succeeds or raises the engine's expression error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.expressions import ExpressionError, compile_template

ALPHABET = st.sampled_from(list("@{}()[]?.,'\" abcxyz019+-eE_$:/\t\n") + ["concat", "equals", "item", "null"])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=60))
def test_any_text_compiles_or_raises_expression_error(text):
    try:
        tpl = compile_template(text)
    except ExpressionError:
        return
    try:
        tpl.evaluate({})
    except ExpressionError:
        pass


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_expression_shaped_text_compiles_or_raises_expression_error(text):
    for candidate in ("@" + text, "x @{" + text + "} y"):
        try:
            tpl = compile_template(candidate)
        except ExpressionError:
            continue
        try:
            tpl.evaluate({})
        except ExpressionError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="'"), max_size=40))
def test_string_literals_round_trip(text):
    assert compile_template("@'" + text + "'").evaluate({}) == text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_integer_literals_round_trip(number):
    assert compile_template(f"@{number}").evaluate({}) == number
