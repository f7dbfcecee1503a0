"""addProperty / setProperty / removeProperty / coalesce / mergeObjects."""

from __future__ import annotations

import pytest

from emulator.expressions.values import Blob
from tests.functions.helpers import ev, fails


def items(value):
    return list(value.items())


ABCD = {"a": 1, "b": 2, "c": 3, "d": 4}


def test_add_property():
    assert items(ev("@addProperty(parameters('o'), 'c', 3)", o={"a": 1, "b": 2, "d": 4})) == [
        ("a", 1), ("b", 2), ("d", 4), ("c", 3)]
    assert items(ev("@addProperty(parameters('o'), '', null)", o=ABCD))[-1] == ("", None)
    fails("@addProperty(parameters('o'), 'c', 999)", "property to not exist in the object", o=ABCD)


@pytest.mark.parametrize("obj, name", [
    ({"a": 1}, "A"), ({"A": 1}, "a"), ({"a": 1, "A": 5}, "A"), ({"aAa": 1, "AaA": 2}, "aaa"),
])
def test_add_property_conflicts_case_insensitively(obj, name):
    fails(f"@addProperty(parameters('o'), '{name}', 2)", "property to not exist in the object", o=obj)


def test_set_property_moves_the_property_to_the_end():
    assert items(ev("@setProperty(parameters('o'), 'c', 999)", o=ABCD)) == [
        ("a", 1), ("b", 2), ("d", 4), ("c", 999)]
    assert items(ev("@setProperty(parameters('o'), 'e', 5)", o=ABCD))[-1] == ("e", 5)


@pytest.mark.parametrize("obj, name, expected", [
    ({"a": 1}, "A", [("a", 2)]),
    ({"A": 1}, "a", [("A", 2)]),
    ({"a": 1, "A": 5}, "A", [("a", 1), ("A", 2)]),
    ({"A": 1, "a": 5}, "a", [("A", 1), ("a", 2)]),
    ({"aAa": 1, "AaA": 2}, "aaa", [("AaA", 2), ("aAa", 2)]),
    ({"AaA": 1, "aAa": 2}, "AAA", [("aAa", 2), ("AaA", 2)]),
])
def test_set_property_case_insensitive(obj, name, expected):
    assert items(ev(f"@setProperty(parameters('o'), '{name}', 2)", o=obj)) == expected


@pytest.mark.parametrize("obj, name, expected", [
    ({"A": 1}, "a", {}),
    ({"A": 1, "a": 2}, "a", {"A": 1}),
    ({"A": 1, "a": 2}, "A", {"a": 2}),
    ({"aAa": 1, "AaA": 2}, "AAA", {"AaA": 2}),
    ({"firstName": "Sophia"}, "middleName", {"firstName": "Sophia"}),
])
def test_remove_property(obj, name, expected):
    assert ev(f"@removeProperty(parameters('o'), '{name}')", o=obj) == expected


def test_inputs_are_never_mutated():
    obj = dict(ABCD)
    for expr in ("@addProperty(parameters('o'), 'z', 1)", "@setProperty(parameters('o'), 'a', 9)",
                 "@removeProperty(parameters('o'), 'a')"):
        result = ev(expr, o=obj)
        assert result is not obj
    assert obj == ABCD


def test_nested_update():
    doc = {"customerName": {"firstName": "Sophia", "surName": "Owen"}}
    result = ev("@setProperty(parameters('o'), 'customerName', "
                "addProperty(parameters('o')['customerName'], 'middleName', 'Anne'))", o=doc)
    assert result == {"customerName": {"firstName": "Sophia", "surName": "Owen", "middleName": "Anne"}}
    assert doc == {"customerName": {"firstName": "Sophia", "surName": "Owen"}}


def test_binary_envelopes_are_objects():
    blob = Blob(b"test")
    result = ev("@setProperty(parameters('b'), 'x', 1)", b=blob)
    assert items(result) == [("$content-type", "application/octet-stream"), ("$content", "dGVzdA=="), ("x", 1)]
    assert "x" not in blob


@pytest.mark.parametrize("fn", ["addProperty", "setProperty"])
def test_type_errors(fn):
    for bad in (None, True, 1, "abc", "{}", [1, 2]):
        fails(f"@{fn}(parameters('v'), 'x', 1)", "be of type object", v=bad)
    for key in ("null", "1", "false", "createArray('a')"):
        fails(f"@{fn}(parameters('o'), {key}, 1)", "be of type string", o={})
    fails(f"@{fn}(parameters('o'), 'x')", "expects three parameters", o={})
    fails("@removeProperty(1, 'x')", "be of type object")


@pytest.mark.parametrize("expr, expected", [
    ("@coalesce(null)", None),
    ("@coalesce(true)", True),
    ("@coalesce(null, 'x')", "x"),
    ("@coalesce('x', null)", "x"),
    ("@coalesce(null, null, null, 'hi', null)", "hi"),
    ("@coalesce('', 'x')", ""),
])
def test_coalesce(expr, expected):
    assert ev(expr) == expected


def test_coalesce_keeps_empty_collections():
    assert ev("@coalesce(parameters('e'), 'x')", e=[]) == []
    assert ev("@coalesce(parameters('e'), 'x')", e={}) == {}


def test_coalesce_is_lazy():
    assert ev("@coalesce('hi', FakeFunctionWhichErrors())") == "hi"
    fails("@coalesce(null, FakeFunctionWhichErrors())", "not defined")
    fails("@coalesce()", "at least one parameter")


def test_merge_objects():
    a, b = {"a": 1, "b": 2}, {"b": 3, "c": 4}
    assert items(ev("@mergeObjects(parameters('a'), parameters('b'))", a=a, b=b)) == [("a", 1), ("b", 3), ("c", 4)]
    assert a == {"a": 1, "b": 2}
    assert ev("@mergeObjects(parameters('a'), parameters('b'))", a={"x": 1}, b={"X": 2}) == {"X": 2}
    fails("@mergeObjects(parameters('a'), 1)", "second parameter to be of type object", a=a)
