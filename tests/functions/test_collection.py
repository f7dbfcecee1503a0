"""Collection functions on strings, arrays and objects."""

from __future__ import annotations

import pytest

from tests.functions.helpers import ev, fails

OBJ = {"a": "b", "c": "d"}


@pytest.mark.parametrize("expr, expected", [
    ("@contains('hello world', 'world')", True),
    ("@contains('hello world', 'WORLD')", False),
    ("@contains(createArray(1, 2, 3), 2)", True),
    ("@contains(createArray(1, 2, 3), 2.0)", True),
    ("@contains(createArray(createArray(1)), createArray(1))", True),
    ("@contains(createArray(''), null)", False),
    ("@contains(parameters('o'), 'c')", True),
    ("@contains(parameters('o'), 'b')", False),
])
def test_contains(expr, expected):
    assert ev(expr, o=OBJ) == expected


def test_contains_errors():
    fails("@contains(null, 'a')", "be a dictionary (object), an array or a string")
    fails("@contains(1, 1)", "be a dictionary (object), an array or a string")


@pytest.mark.parametrize("value, expected", [
    ("", True), ("   ", False), ([], True), ([[]], False), ({}, True), ({"": {}}, False), ([""], False),
    (None, True),
])
def test_empty(value, expected):
    assert ev("@empty(parameters('v'))", v=value) is expected


@pytest.mark.parametrize("value", [1, 0, False, True, 0.0])
def test_empty_rejects_scalars(value):
    fails("@empty(parameters('v'))", "be an object, an array or a string", v=value)


def test_length():
    assert ev("@length('123456')") == 6
    assert ev("@length(createArray(1, 2, 3))") == 3
    for value in ({}, None, True, 99):
        fails("@length(parameters('v'))", "expects its parameter to be an array or a string", v=value)


def test_first_and_last():
    assert ev("@first('abc')") == "a"
    assert ev("@last('abc')") == "c"
    assert ev("@first('')") == ""
    assert ev("@last('')") == ""
    assert ev("@first(parameters('v'))", v=[]) is None
    assert ev("@last(parameters('v'))", v=["a", "b", "c"]) == "c"
    for value in ({}, OBJ, 1, True, None):
        fails("@first(parameters('v'))", "be an array or a string", v=value)
        fails("@last(parameters('v'))", "be an array or a string", v=value)


def test_first_does_not_copy_or_mutate():
    items = [{"x": 1}]
    assert ev("@first(parameters('v'))", v=items) is items[0]


def test_join():
    assert ev("@join(createArray('a', 'b', 'c'), '.')") == "a.b.c"
    assert ev("@join(createArray('', null, ''), 'x')") == "xx"
    assert ev("@join(createArray('', true, 1, 1.0), 'x')") == "xTruex1x1"
    assert ev("@join(createArray('a', createArray('b', 'c'), 'd'), 'x')") == 'ax["b","c"]xd'
    assert ev("@join(parameters('v'), 'x')", v=[]) == ""
    fails("@join('asdf', 'x')", "expects its first parameter to be an array")
    fails("@join(parameters('v'), 'x')", "be an array", v=OBJ)
    fails("@join(createArray('a'), null)", "be of type string")


def test_reverse():
    items = [0, 1, 2, 3]
    assert ev("@reverse(parameters('v'))", v=items) == [3, 2, 1, 0]
    assert items == [0, 1, 2, 3]
    fails("@reverse('tacocat racecar')", "be of type array")


def test_take_and_skip():
    assert ev("@take(createArray(9, 7, 5, 3), 2)") == [9, 7]
    assert ev("@take('meow', 10)") == "meow"
    assert ev("@take('meow', 0)") == ""
    assert ev("@skip(createArray(0, 1, 2, 3), 1)") == [1, 2, 3]
    assert ev("@skip(createArray(1, 2), 5)") == []
    fails("@take(createArray(1), -1)", "be a positive integer")
    fails("@take('meow', -1)", "be a positive integer")
    fails("@skip(createArray(1), -1)", "be a positive integer")
    fails("@take(parameters('v'), 1)", "be an array or a string", v=OBJ)
    fails("@take(-1, 3)", "an array or a string")
    fails("@skip('abc', 1)", "be an array")


def test_chunk():
    assert ev("@chunk('abcdefghijklmnopqrstuvwxyz', 10)") == ["abcdefghij", "klmnopqrst", "uvwxyz"]
    assert ev("@chunk(createArray(1, 2, 3), 2)") == [[1, 2], [3]]
    assert ev("@chunk('', 3)") == []
    fails("@chunk('abc', 0)", "positive integer")
    fails("@chunk(1, 1)", "an array or a string")


@pytest.mark.parametrize("expr, expected", [
    ("@intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2))", [1, 2]),
    ("@intersection(createArray(5,4,3,2,1), createArray('a','b',3,5,1))", [5, 3, 1]),
    ("@intersection(createArray('a','b',3,5,1), createArray(5,4,3,2,1))", [3, 5, 1]),
    ("@intersection(createArray(3,4,4,5), createArray(1,2,3,4,4,5))", [3, 4, 5]),
    ("@intersection(createArray(30,29,28,27,26,25,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1,0),"
     "createArray(0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30),createArray(0,3,6,9,12,15,18,21,24,27,30),"
     "createArray(0,5,10,15,20,25,30))", [30, 0]),
    ("@union(createArray(5,4,3,2,1), createArray('a','b',3,5,1))", [5, 4, 3, 2, 1, "a", "b"]),
    ("@union(createArray(3,4,4,5), createArray(1,2,3,4,5))", [3, 4, 5, 1, 2]),
    ("@union(createArray(4,4,4,4,5,4,5,5,5), createArray(5,4,5,5,4,5,4,4,5,4,5,5,4))", [4, 5]),
])
def test_set_operations_on_arrays(expr, expected):
    assert ev(expr) == expected


def test_set_operations_on_objects():
    a = {"spam": "eggs", "thing": 3}
    b = {"spam": 3, "food": "eggs"}
    assert list(ev("@union(parameters('a'), parameters('b'))", a=a, b=b).items()) == [
        ("spam", 3), ("thing", 3), ("food", "eggs")]
    assert ev("@intersection(parameters('a'), parameters('b'))", a=a, b=b) == {}
    c = {"spam": "eggs", "food": [5, 4, 1, -1]}
    d = {"spam": "eggs", "food": [1, 2, 3]}
    assert ev("@intersection(parameters('c'), parameters('d'))", c=c, d=d) == {"spam": "eggs"}
    assert ev("@intersection(parameters('c'), parameters('c'))", c=c) == c
    assert ev("@union(parameters('c'), parameters('d'))", c=c, d=d) == {"spam": "eggs", "food": [1, 2, 3]}
    assert a == {"spam": "eggs", "thing": 3}  # inputs untouched


def test_set_operations_type_errors():
    fails("@union(parameters('o'), createArray('spam'))", "expects parameters of same type", o=OBJ)
    fails("@intersection(createArray('spam'), parameters('o'))", "expects parameters of same type", o=OBJ)
    fails("@union('a', 'b')", "an array or an object")


def test_sort():
    assert ev("@sort(createArray(2, 1, 0, 3))") == [0, 1, 2, 3]
    assert ev("@reverse(sort(createArray(2, 1, 0, 3)))") == [3, 2, 1, 0]
    assert ev("@sort(createArray(3, 1.5, 2))") == [1.5, 2, 3]
    assert ev("@sort(createArray('b', 'a', 'B'))") == ["B", "a", "b"]  # ordinal
    people = [{"first": "Amalie", "last": "Rose"}, {"first": "Elise", "last": "Renee"}]
    assert ev("@sort(parameters('p'), 'last')", p=people) == [people[1], people[0]]
    assert ev("@sort(parameters('p'), 'first')", p=people) == people


def test_sort_is_stable():
    rows = [{"k": 1, "i": 0}, {"k": 0, "i": 1}, {"k": 1, "i": 2}, {"k": 0, "i": 3}]
    assert [r["i"] for r in ev("@sort(parameters('r'), 'k')", r=rows)] == [1, 3, 0, 2]


def test_sort_errors():
    fails("@sort(createArray(1, 'a'))", "different types")
    fails("@sort(createArray(createArray(1)))", "simple type")
    fails("@sort(parameters('p'), 'missing')", "'missing'", p=[{"a": 1}])
    fails("@sort('abc')", "be an array")


def test_set_operations_compare_numbers_by_value():
    from decimal import Decimal

    assert ev("@union(createArray(1, 2), createArray(1.0, 2.5))") == [1, 2, 2.5]
    assert ev("@union(parameters('a'), createArray(0.1))", a=[Decimal("0.1")]) == [Decimal("0.1")]
    assert ev("@intersection(createArray(createArray(1), null), createArray(createArray(1.0)))") == [[1]]
    assert ev("@union(createArray(null), createArray(''))") == [None, ""]


def test_set_operations_scale_linearly():
    a, b = list(range(20000)), list(range(10000, 30000))
    assert len(ev("@union(parameters('a'), parameters('b'))", a=a, b=b)) == 30000
    assert ev("@intersection(parameters('a'), parameters('b'))", a=a, b=b) == list(range(10000, 20000))
