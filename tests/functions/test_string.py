"""String functions: .NET semantics (UTF-16 lengths, invariant casing, case-insensitive search)."""

from __future__ import annotations

import re
import uuid

import pytest

from emulator.expressions import EvalContext, compile_template
from tests.functions.helpers import ev, fails


def test_concat_stringifies():
    assert ev("@concat('a', 1, true, null, 1.5)") == "a1True1.5"


@pytest.mark.parametrize("expr, expected", [
    ("@startsWith('hello world', 'HELLO')", True),
    ("@startsWith('hello', '')", True),
    ("@endsWith('hello world', 'WORLD')", True),
    ("@endsWith('hello world', 'hello')", False),
    ("@indexOf('hello world', 'WORLD')", 6),
    ("@indexOf('hello', 'z')", -1),
    ("@indexOf('hello', '')", 0),
    ("@lastIndexOf('hello world hello world', 'World')", 18),
    ("@lastIndexOf('hello world hello world', '')", 22),
    ("@lastIndexOf('', '')", 0),
    ("@lastIndexOf('', 'x')", -1),
    ("@nthIndexOf('123456789123465789', '1', 2)", 9),
    ("@nthIndexOf('123456789123465789', '1', 3)", -1),
    ("@nthIndexOf('123456789123465789', '1', -1)", 9),
    ("@nthIndexOf('123456789123465789', '1', -2)", 0),
    ("@nthIndexOf('aAaA', 'AA', 2)", 1),
    ("@nthIndexOf('abc', 'b', 0)", -1),
])
def test_search_functions(expr, expected):
    assert ev(expr) == expected


def test_search_type_errors():
    msg = fails("@startsWith(null, 'a')", "expects its first parameter to be of type string")
    assert "of type 'Null'" in msg
    fails("@indexOf('a', 1)", "expects its second parameter to be of type string")
    fails("@nthIndexOf('a', 'a', '1')", "expects its third parameter to be an integer")


def test_replace_is_ordinal_and_replaces_all():
    assert ev("@replace('xxxxx', 'x', 'y')") == "yyyyy"
    assert ev("@replace('abcdef', '.', 'z')") == "abcdef"
    assert ev("@replace('the old string', 'OLD', 'new')") == "the old string"
    assert ev("@replace('xxxxx', 'x', '')") == ""
    fails("@replace('xxxxx', '', 'y')", "String cannot be of zero length. (Parameter 'oldValue')")
    fails("@replace('abc', 'b', null)", "third parameter to be of type string")


@pytest.mark.parametrize("expr, expected", [
    ("@split('a_b_c', '_')", ["a", "b", "c"]),
    ("@split(',abc,,def,', ',')", ["", "abc", "", "def", ""]),
    ("@split('abcSPdefSPghi', 'SP')", ["abc", "def", "ghi"]),
    ("@split('abc,def', '')", ["abc,def"]),
    ("@split('', ',')", [""]),
    ("@split('a.b', '.')", ["a", "b"]),
])
def test_split(expr, expected):
    assert ev(expr) == expected


def test_split_type_error():
    fails("@split('a1b', 1)", "be of type string")


@pytest.mark.parametrize("expr, expected", [
    ("@substring('hello world', 6, 5)", "world"),
    ("@substring('hello world', 6)", "world"),
    ("@substring('hello', 5, 0)", ""),
    ("@substring('hello', 5)", ""),
])
def test_substring(expr, expected):
    assert ev(expr) == expected


@pytest.mark.parametrize("expr", [
    "@substring('abcdef', 0, 99)", "@substring('abcdef', 39, -10)", "@substring('abcdef', -3)",
    "@substring('abcdef', -1, 2)", "@substring('hello world', 6, 10)",
])
def test_substring_out_of_range(expr):
    fails(expr, "out of range: 'start index' and 'length' must be non-negative integers and their sum must be "
                "no larger than the length of the string")


@pytest.mark.parametrize("expr, expected", [
    ("@slice('abcdef', 0, 99)", "abcdef"),
    ("@slice('abcdef', 3, 4)", "d"),
    ("@slice('abcdef', 39, 99)", ""),
    ("@slice('abcdef', -3)", "def"),
    ("@slice('abcdef', -3, 1)", ""),
    ("@slice('abcdef', -3, -1)", "de"),
    ("@slice('abcdef', -33)", "abcdef"),
    ("@slice('Hello World', 3, -1)", "lo Worl"),
    ("@slice('Hello World', 3, 3)", ""),
])
def test_slice(expr, expected):
    assert ev(expr) == expected


def test_slice_type_error():
    fails("@slice(createArray(1), 0)", "first parameter to be of type string")


def test_case_mapping_is_invariant_and_one_to_one():
    assert ev("@toLower('ıIiİçÇğĞ')") == "ıiiİççğğ"
    assert ev("@toUpper('ıIiİçÇğĞ')") == "ıIIİÇÇĞĞ"
    assert ev("@toUpper('Ｚｅｎｋａｋｕ　Ｔｅｘｔ')") == "ＺＥＮＫＡＫＵ　ＴＥＸＴ"
    assert ev("@toUpper('straße')") == "STRAßE"
    assert ev("@toLower('ΟΔΟΣ')") == "οδοσ"  # no final-sigma rule: char by char
    assert ev("@toLower('')") == ""


def test_case_mapping_type_error():
    msg = fails("@toLower(null)", "expects its parameter to be a string")
    assert "'Null'" in msg
    fails("@toUpper(1)", "to be a string")


def test_trim_uses_dotnet_whitespace():
    assert ev("@trim(' Hello World  ')") == "Hello World"
    assert ev("@trim('\u3000\u3000testing\u3000')") == "testing"
    assert ev("@trim('\r\n\r  \t\rtesting\r \n\t\r')") == "testing"
    assert ev("@trim('test     ing')") == "test     ing"
    assert ev("@trim('\x1fx\x1f')") == "\x1fx\x1f"  # not white space to .NET
    fails("@trim(1)", "are not valid")


def test_utf16_code_units():
    assert ev("@length('😀a')") == 3
    assert ev("@substring('😀abc', 2)") == "abc"
    assert ev("@slice('a😀b', 1, 3)") == "😀"
    assert ev("@indexOf('😀x', 'x')") == 2
    assert ev("@first('😀')") == "\ufffd"  # half a surrogate pair, as written out by the host


def test_byte_lengths():
    assert ev("@utf8Length('héllo')") == 6
    assert ev("@utf8Length('😀')") == 4
    assert ev("@utf16Length('hello')") == 10
    assert ev("@utf16Length('😀')") == 4
    fails("@utf8Length(null)", "expects its parameter to be a string")


@pytest.mark.parametrize("fmt, pattern", [
    (None, r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    ("'N'", r"[0-9a-f]{32}"),
    ("'n'", r"[0-9a-f]{32}"),
    ("'B'", r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}"),
    ("'P'", r"\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)"),
    ("'X'", r"\{0x[0-9a-f]{8},0x[0-9a-f]{4},0x[0-9a-f]{4},\{(0x[0-9a-f]{2},){7}0x[0-9a-f]{2}\}\}"),
])
def test_guid_formats(fmt, pattern):
    value = ev(f"@guid({fmt or ''})")
    assert re.fullmatch(pattern, value), value


def test_guid_is_random_and_not_folded():
    tpl = compile_template("@guid()")
    values = {tpl.evaluate(EvalContext()) for _ in range(5)}
    assert len(values) == 5
    assert uuid.UUID(values.pop()).version == 4


def test_guid_bad_format():
    fails("@guid('Z')", "format")
    fails("@guid(1)", "of type string")
