"""The template level (@, @{}, @@), compile-time errors with columns, and the compile-once cache."""

from __future__ import annotations

import pytest

from emulator.expressions import (
    EvalContext,
    ExpressionError,
    ExpressionSyntaxError,
    compile_template,
    compile_value,
)
from emulator.expressions.compiler import compile_expression
from emulator.expressions.template import split_interpolation


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"),
    ("@", "@"),
    ("@@", "@"),
    ("@@concat('a')", "@concat('a')"),
    ("@@{x}", "@{x}"),
    ("x@@{y}", "x@{y}"),
    ("user@example.com", "user@example.com"),
    (" @concat('a')", " @concat('a')"),
])
def test_literals_and_escapes(text, expected):
    tpl = compile_template(text)
    assert tpl.kind == "literal"
    assert tpl.evaluate({}) == expected


def test_typed_expression_keeps_type():
    assert compile_template("@42").evaluate({}) == 42
    assert compile_template("@1.5").evaluate({}) == 1.5
    assert compile_template("@true").evaluate({}) is True
    assert compile_template("@null").evaluate({}) is None
    assert compile_template("@parameters('p')").evaluate({"parameters": {"p": [1, 2]}}) == [1, 2]


def test_interpolation_always_string():
    assert compile_template("@{parameters('age')}").evaluate({"parameters": {"age": 42}}) == "42"
    assert compile_template("a @{'b'} c @{1} d").evaluate({}) == "a b c 1 d"
    assert compile_template("@{concat('}')}").evaluate({}) == "}"


def test_split_interpolation_segments():
    assert split_interpolation("a@{x()}b") == [("text", "a", 0), ("expr", "x()", 3), ("text", "b", 7)]


def test_unterminated_interpolation_is_a_syntax_error():
    with pytest.raises(ExpressionSyntaxError):
        compile_template("abc @{concat('a'")


@pytest.mark.parametrize("text, column", [
    ("@concat", 2),
    ("@concat('abc)", 9),
    ("@add(5abc, 1)", 7),
    ("x @{concat(,)}", 12),
])
def test_syntax_errors_carry_the_column_in_the_string_value(text, column):
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_template(text)
    assert info.value.column == column
    assert info.value.code == "InvalidTemplate"


def test_double_quotes_are_rejected():
    with pytest.raises(ExpressionSyntaxError, match="single quotes"):
        compile_template('@length("Hello")')


def test_unknown_function_is_deferred_but_listed_and_strict_raises():
    tpl = compile_template("@and(false, nope())")
    assert tpl.evaluate({}) is False
    assert [p.message for p in tpl.problems] == ["The template function 'nope' is not defined or not valid."]
    assert tpl.problems[0].column == 13
    with pytest.raises(ExpressionError, match="'nope' is not defined"):
        compile_template("@and(false, nope())", strict=True)


def test_arity_errors_are_problems():
    tpl = compile_template("@concat()")
    assert tpl.problems and "expects at least one parameter" in tpl.problems[0].message
    with pytest.raises(ExpressionError):
        tpl.evaluate({})


def test_function_names_are_case_insensitive():
    assert compile_template("@CONCAT('a','b')").evaluate({}) == "ab"


def test_property_access_forms():
    ctx = {"trigger": {"outputs": {"body": {"ID": {"name": "Luis"}, "a": None}}}}
    assert compile_template("@triggerBody().ID.name").evaluate(ctx) == "Luis"
    assert compile_template("@triggerBody()?['id']?['NAME']").evaluate(ctx) == "Luis"
    assert compile_template("@triggerBody()?['a']?['b']").evaluate(ctx) is None
    assert compile_template("@triggerBody()?['missing']").evaluate(ctx) is None
    with pytest.raises(ExpressionError, match="doesn't exist, available properties are 'ID, a'"):
        compile_template("@triggerBody()['missing']").evaluate(ctx)
    with pytest.raises(ExpressionError, match="type 'Null'"):
        compile_template("@triggerBody()['a']['b']").evaluate(ctx)


def test_array_index_out_of_bounds():
    ctx = {"parameters": {"arr": ["a", "b"]}}
    assert compile_template("@parameters('arr')[1]").evaluate(ctx) == "b"
    with pytest.raises(ExpressionError, match="outside bounds"):
        compile_template("@parameters('arr')[5]").evaluate(ctx)


def test_compile_once_cache():
    compile_expression.cache_clear()
    compile_template("@concat('cached', 'x')")
    compile_template("@concat('cached', 'x')")
    info = compile_expression.cache_info()
    assert info.misses == 1 and info.hits == 1


def test_expression_length_limit():
    with pytest.raises(ExpressionSyntaxError, match="exceeds the limit"):
        compile_template("@concat('" + "a" * 9000 + "')")


def test_compile_value_walks_json_and_reports_paths():
    value = compile_value({"a": "@parameters('x')", "b": ["lit", "@{parameters('x')}"], "c": 1})
    assert [p for p, _ in value.templates] == ["$.a", "$.b[1]"]
    ctx = EvalContext(parameters={"x": 5})
    assert value.evaluate(ctx) == {"a": 5, "b": ["lit", "5"], "c": 1}


def test_static_values_are_copied_per_evaluation():
    value = compile_value({"list": [1, 2]})
    first = value.evaluate({})
    first["list"].append(3)
    assert value.evaluate({}) == {"list": [1, 2]}


def test_static_values_apply_escapes():
    assert compile_value({"a": "@@abc", "b": ["@@{x}"]}).evaluate({}) == {"a": "@abc", "b": ["@{x}"]}


@pytest.mark.parametrize("text, column", [
    ("@div(1, 0)", 2),
    ("@concat('a', div(1, 0))", 14),
    ("x @{div(1, 0)} y", 5),
    ("ab@{'c'}@{add(1, div(2, 0))}", 18),
])
def test_evaluation_errors_carry_the_column_of_the_failing_call(text, column):
    with pytest.raises(ExpressionError) as info:
        compile_template(text).evaluate({})
    assert info.value.column == column


def test_same_expression_at_two_offsets_reports_each_column():
    with pytest.raises(ExpressionError) as first:
        compile_template("@div(1, 0)").evaluate({})
    with pytest.raises(ExpressionError) as second:
        compile_template("abc @{div(1, 0)}").evaluate({})
    assert (first.value.column, second.value.column) == (2, 7)


@pytest.mark.parametrize("text", ["@equals(1, 1).a", "@length('ab')?['a']", "@createArray(1)[0].x"])
def test_selection_on_folded_constants_is_an_expression_error_with_a_column(text):
    with pytest.raises(ExpressionError, match="cannot be selected") as info:
        compile_template(text).evaluate({})
    assert info.value.column == 2


def test_generated_code_never_prints_a_syntax_warning():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-W", "error::SyntaxWarning", "-m", "emulator", "eval",
                          "@addProperty(-0.0)['a']?['a']"], capture_output=True, text=True)
    assert "SyntaxWarning" not in out.stderr and "'addProperty' expects three parameters" in out.stderr
