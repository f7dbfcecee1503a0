"""Number conversion and formatting: int, float, decimal, isInt, isFloat, formatNumber (.NET semantics)."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

import pytest

from emulator.cli.conformance import check_case
from emulator.expressions import EvalContext, ExpressionError, compile_template
from emulator.expressions.values import format_float, to_string
from emulator.functions.numbers.cultures import CultureNotFound, get_culture
from emulator.functions.numbers.errors import FormatError
from emulator.functions.numbers.formatting import format_number
from tests.conftest import CONFORMANCE, needs_shared

EN = get_culture("en-us")
INV = get_culture("")


def ev(text):
    return compile_template(text).evaluate(EvalContext())


def fails(text, fragment=""):
    with pytest.raises(ExpressionError) as info:
        ev(text)
    assert fragment in info.value.message, info.value.message
    return info.value.message


# -- conformance cases that exercise these functions ----------------------------------------------------

_MINE = re.compile(r"\b(int|float|decimal|isInt|isFloat|formatNumber)\(")
_MATH = re.compile(r"\b(add|sub|mul|div|mod|max|min)\(")


def _numeric_cases():
    if not CONFORMANCE.is_dir():
        return []
    out = []
    for path in sorted(CONFORMANCE.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            expr = case["expression"]
            if _MINE.search(expr) and not _MATH.search(expr) and not case.get("uncertain"):
                out.append(pytest.param(case, id=case["id"]))
    return out


@needs_shared
@pytest.mark.parametrize("case", _numeric_cases())
def test_conformance_numeric(case):
    outcome = check_case(case)
    assert outcome.ok, f"{case['expression']!r}: got {outcome.got!r} ({outcome.detail})"


# -- float() -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@{float(decimal('10000000000.00000000001234'))}", "10000000000"),
    ("@{float('  +1,000 ')}", "1000"),
    ("@{float('  200- ')}", "-200"),
    ("@{float('NaN')}", "NaN"),
    ("@{float('nan')}", "NaN"),
    ("@{float('Infinity','')}", "Infinity"),
    ("@{float('-infinity','')}", "-Infinity"),
    ("@{float(float('Infinity',''))}", "Infinity"),
    ("@{float('400,000','en-gb')}", "400000"),
    ("@{float('400.000','en-gb')}", "400"),
    ("@{float('400,000','de-de')}", "400"),
    ("@{float('400.000','de-de')}", "400000"),
    ("@{float('10.000,333','de-DE')}", "10000.333"),
    ("@{float('1.7e+308')}", "1.7E+308"),
    ("@{float('1.7e+350')}", "Infinity"),
    ("@{float('-1e400')}", "-Infinity"),
    ("@{float('5e-324')}", "5E-324"),
    ("@{float('5e-350')}", "0"),
    ("@{float('5.0')}", "5"),
    ("@string(float('5.0'))", "5"),
    ("@{float('1 000,5','fr-fr')}", "1000.5"),
    ("@{float('1e3')}", "1000"),
    ("@{float(7)}", "7"),
])
def test_float(expr, expected):
    assert ev(expr) == expected


def test_float_types():
    assert ev("@float('1')") == 1.0 and isinstance(ev("@float('1')"), float)
    assert ev("@float(2)") == 2.0 and isinstance(ev("@float(2)"), float)
    assert ev("@float(1.5)") == 1.5


@pytest.mark.parametrize("expr", [
    "@float('(200)')", "@float('Infinity')", "@float('inf')", "@float(string(float('Infinity','')))",
    "@float('')", "@float('abc')", "@float('1.2.3')", "@float('- 5')", "@float(true)", "@float(binary('123.0'))",
])
def test_float_fails(expr):
    fails(expr, "float")


def test_float_invalid_locale():
    fails("@float('1', 'xx-nope')", "xx-nope")


# -- isFloat() -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@{isFloat(json('{\"x\":\"Infinity\"}').x)}", "True"),
    ("@{isFloat('NaN')}", "True"), ("@{isFloat('NaN','')}", "True"), ("@{isFloat('NaN','en-gb')}", "True"),
    ("@{isFloat('NaN','en-us')}", "True"), ("@{isFloat('NaN','de-de')}", "True"),
    ("@{isFloat('Infinity')}", "True"), ("@{isFloat('Infinity','')}", "True"), ("@{isFloat('infINITY','')}", "True"),
    ("@{isFloat('Infinity','en-gb')}", "False"), ("@{isFloat('Infinity','en-us')}", "False"),
    ("@{isFloat('Infinity','de-de')}", "False"),
    ("@{isFloat('inf')}", "False"), ("@{isFloat('inf','')}", "False"), ("@{isFloat('inf','en-gb')}", "False"),
    ("@{isFloat('inf','en-us')}", "False"), ("@{isFloat('inf','de-de')}", "False"),
    ("@{isFloat('400,000','en-gb')}", "True"), ("@{isFloat('400.000','en-gb')}", "True"),
    ("@{isFloat('400,000','de-de')}", "True"), ("@{isFloat('400.000','de-de')}", "True"),
    ("@{isFloat('111.222.333')}", "False"), ("@{isFloat('111.222.333','')}", "False"),
    ("@{isFloat('111.222.333','en-gb')}", "False"), ("@{isFloat('111.222.333','de-de')}", "True"),
    ("@{isFloat('∞','en-us')}", "True"), ("@{isFloat('-∞','en-us')}", "True"),
    ("@{isFloat('10,000.00')}", "True"), ("@{isFloat('10.000,00','de-DE')}", "True"), ("@{isFloat('abc')}", "False"),
    ("@{isFloat('')}", "False"), ("@{isFloat('1e5')}", "True"), ("@{isFloat('(1)')}", "False"),
])
def test_is_float(expr, expected):
    assert ev(expr) == expected


def test_is_float_needs_a_string():
    fails("@isFloat(3.14)", "of type string")


# -- int() ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@int(1.0)", 1), ("@int('1.0')", 1), ("@int(float(1.0))", 1), ("@int(decimal('1.00000'))", 1),
    ("@int(string(decimal(100000.00000)))", 100000), ("@int('  +1,000 ')", 1000),
    ("@int('nan')", -9223372036854775808), ("@int('100000000000000010')", 100000000000000016),
    ("@int('-9223372036854775808')", -9223372036854775808), ("@int('-9223372036854775809')", -9223372036854775808),
    ("@int('-9223372036854775809.00')", -9223372036854775808),
    ("@int('-9223372036854775809.05')", -9223372036854775808),
    ("@int('10')", 10), ("@int('1e3')", 1000), ("@int(7)", 7), ("@int('-0')", 0), ("@int(' 42 ')", 42),
])
def test_int(expr, expected):
    result = ev(expr)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("expr", [
    "@int('  200- ')", "@int('(200)')", "@int('abc')", "@int('9223372036854775808')", "@int('9223372036854775807')",
    "@int('3e50')", "@int('3e-50')", "@int(1.5)", "@int('1.5')", "@int(2.5)", "@int(100000.000009)",
    "@int(binary('123.0'))", "@int('')", "@int(true)", "@int('Infinity')",
])
def test_int_fails(expr):
    fails(expr, "int")


# -- isInt() -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("10", True), ("10.5", False), ("-10", True), (" 10 ", True), ("1,000", True), ("1e3", True), ("15e-1", False),
    ("1000e-2", True), ("9223372036854775807", True), ("9223372036854775808", False), ("abc", False), ("", False),
    ("1.0", False), ("10-", False), ("NaN", False),
])
def test_is_int(text, expected):
    assert ev(f"@isInt('{text}')") is expected


def test_is_int_needs_a_string():
    fails("@isInt(10)", "of type string")


# -- decimal() -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@{decimal('  +1,000 ')}", "1000"), ("@{decimal('  200- ')}", "-200"), ("@{decimal('5.0')}", "5.0"),
    ("@{decimal('5')}", "5"), ("@{decimal('5.0000')}", "5.0000"), ("@{decimal(100000.000009)}", "100000.000009"),
    ("@{decimal('10000000000.00000000001234')}", "10000000000.00000000001234"),
    ("@{decimal('70000000000000000000000000000')}", "70000000000000000000000000000"),
    ("@string(decimal(float('0')))", "0"), ("@{decimal(0.1)}", "0.1"), ("@{decimal(12)}", "12"),
    ("@{decimal('1.2345678912312131')}", "1.2345678912312131"),
    ("@{decimal('0.00000000000000000000000000001')}", "0.0000000000000000000000000000"),
    ("@{decimal('1.00000000000000000000000000005')}", "1.0000000000000000000000000000"),
    ("@{decimal('1.00000000000000000000000000015')}", "1.0000000000000000000000000002"),
    ("@{decimal('-0.00')}", "0.00"), ("@{decimal('79228162514264337593543950335')}",
                                      "79228162514264337593543950335"),
    ("@{decimal(1e20)}", "100000000000000000000"),
])
def test_decimal(expr, expected):
    assert ev(expr) == expected


def test_decimal_type():
    value = ev("@decimal('5.0')")
    assert isinstance(value, Decimal) and to_string(value) == "5.0"


@pytest.mark.parametrize("expr", [
    "@decimal('(200)')", "@decimal('3e-1')", "@decimal('7e28')", "@decimal('3e-50')", "@decimal('3e50')",
    "@decimal(binary('123.0'))", "@decimal('79228162514264337593543950336')", "@decimal('abc')",
    "@decimal(float('Infinity',''))", "@decimal(1e30)",
])
def test_decimal_fails(expr):
    fails(expr, "decimal")


# -- formatNumber(): expressions -----------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@formatNumber(1234567890, '0,0.00', 'en-us')", "1,234,567,890.00"),
    ("@formatNumber(1234567890, '0,0.00', 'is-is')", "1.234.567.890,00"),
    ("@formatNumber(17.35, 'C2')", "$17.35"),
    ("@formatNumber(17.35, 'C2', 'is-is')", "17,35 kr"),
    ("@formatNumber(decimal('1234.5'), 'N2', 'de-DE')", "1.234,50"),
    ("@formatNumber(0.5, 'P0', '')", "50 %"),
    ("@formatNumber(255, 'X4')", "00FF"),
])
def test_format_number_expressions(expr, expected):
    assert ev(expr) == expected


def test_format_number_result_casts_back():
    assert ev("@float(formatNumber(1234.5, 'N2'))") == 1234.5
    assert ev("@int(formatNumber(1234, 'N0'))") == 1234


@pytest.mark.parametrize("expr, fragment", [
    ("@formatNumber(1, 'Q')", "format"),
    ("@formatNumber(1, 'R')", "format"),
    ("@formatNumber(1.5, 'D')", "format"),
    ("@formatNumber(1, 'N', 'no-such-culture')", "no-such-culture"),
    ("@formatNumber('1', 'N')", "first parameter"),
    ("@formatNumber(1, 2)", "second parameter"),
    ("@formatNumber(1, 'N', 5)", "third parameter"),
])
def test_format_number_errors(expr, fragment):
    fails(expr, fragment)


# -- formatNumber(): the .NET formatter ----------------------------------------------------------------

FORMAT_CASES = [
    # standard formats, en-US (.NET on ICU: NumberDecimalDigits 3, negative currency "-$n")
    (12345.6789, "C", EN, "$12,345.68"), (-12345.6789, "C", EN, "-$12,345.68"), (12345.6789, "C0", EN, "$12,346"),
    (12345, "D", EN, "12345"), (12345, "D8", EN, "00012345"), (-12345, "D8", EN, "-00012345"),
    (12345.6789, "E", EN, "1.234568E+004"), (12345.6789, "E10", EN, "1.2345678900E+004"),
    (12345.6789, "e4", EN, "1.2346e+004"), (-1052.0329112756, "E2", EN, "-1.05E+003"), (0.0, "E2", EN, "0.00E+000"),
    (12345.6789, "F", EN, "12345.679"), (12345.6789, "F", INV, "12345.68"), (12345.6789, "F0", EN, "12346"),
    (12345.6789, "F6", EN, "12345.678900"), (0.1, "F20", EN, "0.10000000000000000555"),
    (12345.6789, "G", EN, "12345.6789"), (12345.6789, "G7", EN, "12345.68"), (123456789, "G7", EN, "1.234568E+08"),
    (123456789.0, "g3", EN, "1.23e+08"), (0.0023, "G", EN, "0.0023"), (1e-5, "G", EN, "1E-05"),
    (123456789, "N4", EN, "123,456,789.0000"), (12345.6789, "N", INV, "12,345.68"), (-1234.5, "N1", EN, "-1,234.5"),
    (0.2468013, "P", EN, "24.680%"), (0.2468013, "P1", EN, "24.7%"), (-0.2468013, "P1", EN, "-24.7%"),
    (0.2468013, "P1", INV, "24.7 %"), (0.5, "P0", get_culture("de-de"), "50 %"),
    (0x2C45E, "x", EN, "2c45e"), (0x2C45E, "X8", EN, "0002C45E"), (-1, "X", EN, "FFFFFFFFFFFFFFFF"),
    (5, "B8", EN, "00000101"),
    (1.7e308, "R", EN, "1.7E+308"), (0.1 + 0.2, "R", EN, "0.30000000000000004"), (1e15, "R", EN, "1000000000000000"),
    (1e17, "R", EN, "1E+17"), (-60.0, "G", EN, "-60"), (-0.0, "G", EN, "-0"),
    # rounding: double standard formats round the exact binary value, ties to even
    (2.5, "F0", EN, "2"), (3.5, "F0", EN, "4"), (0.5, "F0", EN, "0"), (1.5, "F0", EN, "2"), (0.125, "F2", EN, "0.12"),
    (1.005, "F2", EN, "1.00"), (1234.5, "G4", EN, "1234"), (12.345, "C", EN, "$12.35"), (0.006, "F2", EN, "0.01"),
    (-0.001, "F2", EN, "-0.00"), (-0.0, "F2", EN, "-0.00"),
    # decimal and integer digits round half away from zero; decimal G keeps the scale
    (Decimal("2.5"), "F0", EN, "3"), (Decimal("0.125"), "F2", EN, "0.13"), (Decimal("1234.5"), "G4", EN, "1235"),
    (Decimal("5.0"), "G", EN, "5.0"), (Decimal("0.00"), "G", EN, "0.00"), (Decimal("-0.001"), "F2", EN, "0.00"),
    (Decimal("1.2300"), "N", INV, "1.23"), (Decimal("123.4567"), "P1", INV, "12,345.7 %"),
    (Decimal("123456.7"), "G5", EN, "1.2346E+05"), (125, "G2", EN, "1.3E+02"),
    # custom formats
    (1234.5678, "#,##0.00", EN, "1,234.57"), (0.5, "0.###", EN, "0.5"), (1234567890, "0,0.00", EN, "1,234,567,890.00"),
    (1234567890, "#,#", EN, "1,234,567,890"), (1234567890, "0,,", EN, "1235"), (1234567890, "#,##0,,", EN, "1,235"),
    (0.3697, "#0.##%", EN, "36.97%"), (0.0125, "0.0‰", EN, "12.5‰"),
    (86000, "0.###E+0", EN, "8.6E+4"), (86000, "0.###E+000", EN, "8.6E+004"), (86000, "0.###E-000", EN, "8.6E004"),
    (0.001234, "0.00E+00", EN, "1.23E-03"), (1234.5, "0.0e0", EN, "1.2e3"), (5, "E0", EN, "5E+000"),
    (123456, "[##-##-##]", EN, "[12-34-56]"), (1234567890, "(###) ###-####", EN, "(123) 456-7890"),
    (-1234, "##;(##)", EN, "(1234)"), (0, "#,##0.00;(#,##0.00);Zero", EN, "Zero"),
    (0.001, "0.00;(0.00);Zero", EN, "Zero"), (-1, "#;#", EN, "1"), (-0.001, "0.00", EN, "-0.00"),
    (123, "00000", EN, "00123"), (0, "#####", EN, ""), (0, "0.##", EN, "0"), (1234, "#.##", EN, "1234"),
    (0.45, "#.##", EN, ".45"), (1.5, "0", EN, "2"), (2.5, "0", EN, "3"), (0.125, "0.00", EN, "0.13"),
    (1.005, "0.00", EN, "1.01"), (99.995, "0.00", EN, "100.00"), (-1, "0.00", EN, "-1.00"),
    (123, r"\#\#\# ##0 dollars and \0\0 cents \#\#\#", EN, "### 123 dollars and 00 cents ###"),
    (1, "'#'0", EN, "#1"), (42, '"x";"y"', EN, "x"), (1234567.891, "#,##0.00", get_culture("de-de"), "1.234.567,89"),
    (1234567, "#,##0", get_culture("hi-in"), "12,34,567"), (1234567.891, "N2", get_culture("hi-in"), "12,34,567.89"),
    (1234.5678, "N2", get_culture("de-de"), "1.234,57"), (-1234.5678, "C", get_culture("de-de"), "-1.234,57 €"),
    (1234.5, "C", get_culture("ja-jp"), "￥1,234"), (1234.6, "C", get_culture("ja-jp"), "￥1,235"),
    (-1234.5, "C", get_culture("de-ch"), "CHF-1" + get_culture("de-ch").currency_group_separator + "234.50"),
    # NaN and infinities print the culture's symbols whatever the format
    (math.nan, "Z", EN, "NaN"), (math.inf, "N", EN, "∞"), (-math.inf, "N", EN, "-∞"), (-math.inf, "0.0", INV, "-Infinity"),
]

@pytest.mark.parametrize("value, fmt, culture, expected", FORMAT_CASES)
def test_format(value, fmt, culture, expected):
    assert format_number(value, fmt, culture) == expected


@pytest.mark.parametrize("value, fmt", [(123, "R"), (1, "Q"), (1.5, "D"), (1.5, "X"), (Decimal(1), "X"),
                                        (Decimal(1), "R"), (1, "F1000000")])
def test_format_errors(value, fmt):
    with pytest.raises(FormatError):
        format_number(value, fmt, EN)


# -- cultures and the default float text -----------------------------------------------------------------


def test_cultures():
    assert get_culture("") is get_culture("")
    assert get_culture("EN-us") == get_culture("en_US")
    iceland = get_culture("is-IS")
    assert (iceland.number_decimal_separator, iceland.number_group_separator) == (",", ".")
    assert iceland.currency_positive_pattern == 3 and iceland.currency_negative_pattern == 8
    assert get_culture("en-gb").positive_infinity_symbol == "∞"
    assert get_culture("sv-se").negative_sign == "\u2212" and get_culture("sv-se").allow_hyphen_during_parsing
    assert get_culture("de-US").currency_symbol == "$"
    for bad in ("xx", "xx-yy", "en--us", "-", "en-us-nonsense", "no-such-culture"):
        with pytest.raises(CultureNotFound):
            get_culture(bad)


@pytest.mark.parametrize("value, text", [
    (1e15, "1000000000000000"), (1e16, "10000000000000000"), (1e17, "1E+17"), (1.7e308, "1.7E+308"),
    (1e-5, "1E-05"), (1e-4, "0.0001"), (1.5e-5, "1.5E-05"), (9223372036854775809.5, "9.223372036854776E+18"),
    (5e-324, "5E-324"), (-60.0, "-60"), (100.0, "100"), (0.1, "0.1"), (-0.0, "-0"),
])
def test_format_float(value, text):
    assert format_float(value) == text
    assert format_number(value, "R", INV) == text
