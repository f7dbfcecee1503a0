"""Date and time functions: .NET DateTime parsing/formatting, cultures, Windows time zones, TimeSpans."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from emulator.cli.conformance import check_case
from emulator.expressions import EvalContext, ExpressionError, compile_template
from emulator.functions import timezones
from emulator.functions.dates.cultures import get_culture, ldml_to_net
from emulator.functions.dates.formatting import format_datetime
from emulator.functions.dates.parsing import parse_datetime
from emulator.functions.dates.values import MAX_TICKS, UNSPECIFIED, UTC, DateTimeValue
from tests.conftest import CONFORMANCE, needs_shared

FROZEN = datetime(2018, 3, 1, 12, 34, 56, 789012, tzinfo=timezone.utc)


def ev(text, now=FROZEN):
    return compile_template(text).evaluate(EvalContext(now=lambda: now))


def fails(text, fragment):
    with pytest.raises(ExpressionError) as info:
        ev(text)
    assert fragment in info.value.message, info.value.message
    return info.value.message


# -- conformance cases of the category -------------------------------------------------------------------


def _datetime_cases():
    if not CONFORMANCE.is_dir():
        return []
    out = []
    for path in sorted(CONFORMANCE.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            if case.get("category") == "datetime":
                out.append(pytest.param(case, id=case["id"]))
    return out


@needs_shared
@pytest.mark.parametrize("case", _datetime_cases())
def test_conformance_datetime(case):
    outcome = check_case(case)
    assert outcome.ok, f"{case['expression']!r}: got {outcome.got!r} ({outcome.detail})"


# -- input parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2018-03-15T13:27:36Z", "2018-03-15T13:27:36.0000000Z"),
    ("2018-03-15T13:27:36.1234567Z", "2018-03-15T13:27:36.1234567Z"),
    ("2018-03-15T13:27:36.123456789Z", "2018-03-15T13:27:36.1234568Z"),
    ("2018-03-15T13:27:36.5", "2018-03-15T13:27:36.5000000"),
    ("2018-03-15T13:27", "2018-03-15T13:27:00.0000000"),
    ("2018-03-15 13:27:36", "2018-03-15T13:27:36.0000000"),
    ("2018-03-15", "2018-03-15T00:00:00.0000000"),
    ("2018-3-5", "2018-03-05T00:00:00.0000000"),
    ("2018/03/15", "2018-03-15T00:00:00.0000000"),
    ("03/15/2018", "2018-03-15T00:00:00.0000000"),
    ("3/5/18", "2018-03-05T00:00:00.0000000"),
    ("3/5/50", "1950-03-05T00:00:00.0000000"),
    ("01/01/2018 00:00:00", "2018-01-01T00:00:00.0000000"),
    ("1/31/2016 3:04 PM", "2016-01-31T15:04:00.0000000"),
    ("1/31/2016 12:04:05 AM", "2016-01-31T00:04:05.0000000"),
    ("1/31/2016 3 PM", "2016-01-31T15:00:00.0000000"),
    ("March 15, 2018", "2018-03-15T00:00:00.0000000"),
    ("15 March 2018 13:00", "2018-03-15T13:00:00.0000000"),
    ("Thursday, March 15, 2018", "2018-03-15T00:00:00.0000000"),
    ("Mar 2018", "2018-03-01T00:00:00.0000000"),
    ("2018-03", "2018-03-01T00:00:00.0000000"),
    ("Thu, 15 Mar 2018 13:27:36 GMT", "2018-03-15T13:27:36.0000000Z"),
    ("  2018-03-15T13:27:36Z  ", "2018-03-15T13:27:36.0000000Z"),
    ("2018-03-15t13:27:36z", "2018-03-15T13:27:36.0000000Z"),
    ("0001-01-01T00:00:00", "0001-01-01T00:00:00.0000000"),
    ("9999-12-31T23:59:59.9999999", "9999-12-31T23:59:59.9999999"),
])
def test_input_forms(text, expected):
    assert ev(f"@formatDateTime('{text}')") == expected


@pytest.mark.parametrize("text, expected", [
    # an explicit offset is folded into UTC (DateTimeStyles.AdjustToUniversal)
    ("2018-03-15T13:27:36+02:00", "2018-03-15T11:27:36.0000000Z"),
    ("2018-03-15T13:27:36-05:00", "2018-03-15T18:27:36.0000000Z"),
    ("2018-03-15T13:27:36+0530", "2018-03-15T07:57:36.0000000Z"),
    ("2018-03-15T01:00:00+02", "2018-03-14T23:00:00.0000000Z"),
    ("2018-03-15T13:27:36.1234567+00:00", "2018-03-15T13:27:36.1234567Z"),
])
def test_offsets_convert_to_utc(text, expected):
    assert ev(f"@formatDateTime('{text}')") == expected


@pytest.mark.parametrize("text", [
    "abc", "", "2018-02-30", "2018-13-01", "13/01/2018", "20180315", "2018-03-15T25:00:00",
    "2018-03-15T10:60", "Monday, March 15, 2018", "1/31/2016 13:00 PM", "2018-03-15 nonsense",
    "10000-01-01", "0001-01-01T00:00:00+01:00",
])
def test_invalid_timestamps(text):
    message = fails(f"@formatDateTime('{text}')", "was not valid")
    assert message == (f"In function 'formatDateTime', the value provided for date time string '{text}' was not "
                       "valid. The datetime string must match ISO 8601 format.")


def test_time_only_uses_todays_date():
    value = parse_datetime("13:45", today=lambda: date(2020, 5, 6))
    assert format_datetime(value) == "2020-05-06T13:45:00.0000000"


def test_non_string_timestamp_is_type_error():
    fails("@formatDateTime(null)", "expects its first parameter to be of type string")
    fails("@addDays('2018-01-01', '1')", "expects its second parameter to be of type integer")
    fails("@addDays('2018-01-01', true)", "of type integer")


# -- formatting ---------------------------------------------------------------------------------------

TS = "2016-01-31T05:06:07.1200000Z"


@pytest.mark.parametrize("fmt, expected", [
    ("o", "2016-01-31T05:06:07.1200000Z"),
    ("O", "2016-01-31T05:06:07.1200000Z"),
    ("s", "2016-01-31T05:06:07"),
    ("u", "2016-01-31 05:06:07Z"),
    ("r", "Sun, 31 Jan 2016 05:06:07 GMT"),
    ("R", "Sun, 31 Jan 2016 05:06:07 GMT"),
    ("d", "1/31/2016"),
    ("D", "Sunday, January 31, 2016"),
    ("f", "Sunday, January 31, 2016 5:06 AM"),
    ("F", "Sunday, January 31, 2016 5:06:07 AM"),
    ("g", "1/31/2016 5:06 AM"),
    ("G", "1/31/2016 5:06:07 AM"),
    ("m", "January 31"),
    ("M", "January 31"),
    ("t", "5:06 AM"),
    ("T", "5:06:07 AM"),
    ("U", "Sunday, January 31, 2016 5:06:07 AM"),
    ("y", "January 2016"),
    ("Y", "January 2016"),
])
def test_standard_formats_en_us(fmt, expected):
    assert ev(f"@formatDateTime('{TS}', '{fmt}')") == expected


@pytest.mark.parametrize("fmt, expected", [
    ("yyyy-MM-ddTHH:mm:ss", "2016-01-31T05:06:07"),
    ("yyyy yyy yy y yyyyy", "2016 2016 16 16 02016"),
    ("M MM MMM MMMM", "1 01 Jan January"),
    ("d dd ddd dddd", "31 31 Sun Sunday"),
    ("h hh H HH", "5 05 5 05"),
    ("m mm s ss", "6 06 7 07"),
    ("f ff fff ffff fffffff", "1 12 120 1200 1200000"),
    ("F FF FFF FFFFFFF", "1 12 12 12"),
    ("ss.FFF", "07.12"),
    ("tt t", "AM A"),
    ("%K", "Z"),
    ("HH K", "05 Z"),
    ("z zz zzz", "+0 +00 +00:00"),
    ("%g", "A.D."),
    ("yyyy g", "2016 A.D."),
    ("%d", "31"),
    ("%M", "1"),
    ("MM/dd/yyyy HH\\h", "01/31/2016 05h"),
    ("'Day' d", "Day 31"),
    ('"Year" yyyy', "Year 2016"),
    ("'it''s' d", "its 31"),
    ("'a\\'b' d", "a'b 31"),
    ("\\d\\a\\y d", "day 31"),
    ("yyyy-MM-ddTHH:mm:ss.fffffffK", "2016-01-31T05:06:07.1200000Z"),
    ("dddd MMMM d", "Sunday January 31"),
    ("hh:mm tt", "05:06 AM"),
])
def test_custom_formats(fmt, expected):
    escaped = fmt.replace("'", "''")
    assert ev(f"@formatDateTime('{TS}', '{escaped}')") == expected


def test_F_removes_dot_when_fraction_is_zero():
    assert ev("@formatDateTime('2016-01-31T05:06:07Z', 'HH:mm:ss.FFF')") == "05:06:07"
    assert ev("@formatDateTime('2016-01-31T05:06:07Z', 'ss,FFF')") == "07,"


def test_k_is_empty_for_zone_less_input():
    assert ev("@formatDateTime('2016-01-31T05:06:07', 'HH:mmK')") == "05:06"


def test_pm_and_midnight_hours():
    assert ev("@formatDateTime('2016-01-31T00:30:00', 'h:mm tt')") == "12:30 AM"
    assert ev("@formatDateTime('2016-01-31T12:30:00', 'h:mm tt')") == "12:30 PM"
    assert ev("@formatDateTime('2016-01-31T23:30:00', 'h:mm t')") == "11:30 P"


@pytest.mark.parametrize("fmt", ["x", "q", "K", "fffffffff", "FFFFFFFF", "yyyy\\", "'abc", "%", "d%%", "\"x"])
def test_invalid_formats(fmt):
    escaped = fmt.replace("'", "''")
    message = fails(f"@formatDateTime('{TS}', '{escaped}')", "format string")
    assert message == f"In function 'formatDateTime', the value provided for format string '{fmt}' was not valid."


def test_empty_format_is_general():
    assert ev(f"@formatDateTime('{TS}', '')") == "1/31/2016 5:06:07 AM"


# -- cultures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, locale, expected", [
    ("dddd MMMM d", "fr-fr", "dimanche janvier 31"),
    ("dddd MMMM d", "es-es", "domingo enero 31"),
    ("dddd MMMM d", "de-DE", "Sonntag Januar 31"),
    ("ddd MMM", "fr-FR", "dim. janv."),
    ("D", "de-DE", "Sonntag, 31. Januar 2016"),
    ("D", "fr-FR", "dimanche 31 janvier 2016"),
    ("D", "es-ES", "domingo, 31 de enero de 2016"),
    ("d", "de-DE", "31.01.2016"),
    ("d", "fr-FR", "31/01/2016"),
    ("d", "en-GB", "31/01/2016"),
    ("T", "de-DE", "05:06:07"),
    ("Y", "fr-FR", "janvier 2016"),
    ("M", "de-DE", "31. Januar"),
    ("dd/MM/yyyy", "de-DE", "31.01.2016"),  # '/' is the culture's date separator
    ("dd'/'MM'/'yyyy", "de-DE", "31/01/2016"),
    ("d MMMM yyyy", "ru-RU", "31 января 2016"),  # genitive month next to a day number
    ("MMMM yyyy", "ru-RU", "январь 2016"),
    ("d MMMM", "pl-PL", "31 stycznia"),
    ("MMMM", "pl-PL", "styczeń"),
    ("o", "fr-FR", "2016-01-31T05:06:07.1200000Z"),
    ("dddd", "", "Sunday"),  # invariant
    ("D", "", "Sunday, 31 January 2016"),
])
def test_cultures(fmt, locale, expected):
    assert ev(f"@formatDateTime('{TS}', '{fmt.replace(chr(39), chr(39) * 2)}', '{locale}')") == expected


def test_unknown_locale_is_error():
    fails(f"@formatDateTime('{TS}', 'D', 'xx-yy')", "the value provided for locale 'xx-yy' was not valid")


def test_culture_metadata():
    de = get_culture("de-de")
    assert (de.date_sep, de.time_sep, de.date_order) == (".", ":", "DMY")
    assert get_culture("en-US").date_order == "MDY"
    assert get_culture("ja-JP").date_order == "YMD"
    assert get_culture("en-US").patterns["d"] == "M/d/yyyy"
    assert get_culture("en-US").patterns["T"] == "h:mm:ss tt"


# -- parseDateTime --------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@parseDateTime('20 octobre 2010', 'fr-FR')", "2010-10-20T00:00:00.0000000"),
    ("@parseDateTime('martes 20 octubre 2020', 'es-es')", "2020-10-20T00:00:00.0000000"),
    ("@parseDateTime('martes, 20 de octubre de 2020', 'es-es')", "2020-10-20T00:00:00.0000000"),
    ("@parseDateTime('21052019', 'fr-fr', 'ddMMyyyy')", "2019-05-21T00:00:00.0000000"),
    ("@parseDateTime('20.10.2010 13:14', 'de-DE')", "2010-10-20T13:14:00.0000000"),
    ("@parseDateTime('20/10/2010', 'fr-FR')", "2010-10-20T00:00:00.0000000"),
    ("@parseDateTime('10/20/2010')", "2010-10-20T00:00:00.0000000"),
    ("@parseDateTime('2010-10-20T10:00:00Z')", "2010-10-20T10:00:00.0000000Z"),
    ("@parseDateTime('31 января 2016', 'ru-RU')", "2016-01-31T00:00:00.0000000"),
    ("@parseDateTime('3:04:05 p. m. 31/01/2016', 'es-ES')", "2016-01-31T15:04:05.0000000"),
    ("@parseDateTime('2016-01-31 15:04', 'en-us', 'yyyy-MM-dd HH:mm')", "2016-01-31T15:04:00.0000000"),
    ("@parseDateTime('31 janvier 2016', 'fr-FR', 'd MMMM yyyy')", "2016-01-31T00:00:00.0000000"),
    ("@parseDateTime('Sunday, 31 Jan 16 3:04 PM', 'en-US', 'dddd, d MMM yy h:mm tt')",
     "2016-01-31T15:04:00.0000000"),
    ("@parseDateTime('2016-01-31T15:04:05.123+02:00', 'en-US', 'yyyy-MM-ddTHH:mm:ss.fffzzz')",
     "2016-01-31T13:04:05.1230000Z"),
    ("@parseDateTime('2016-01-31T15:04:05Z', 'en-US', 'yyyy-MM-ddTHH:mm:ssK')", "2016-01-31T15:04:05.0000000Z"),
    ("@parseDateTime('2016-01-31T15:04:05.1234567Z', 'en-US', 'o')", "2016-01-31T15:04:05.1234567Z"),
    ("@parseDateTime('31.01.2016', 'de-DE', 'd')", "2016-01-31T00:00:00.0000000"),
    ("@parseDateTime('1/31/2016', 'en-US', 'M/d/yyyy')", "2016-01-31T00:00:00.0000000"),
])
def test_parse_date_time(expr, expected):
    assert ev(expr) == expected


@pytest.mark.parametrize("expr", [
    "@parseDateTime('2019-05-21', 'fr-fr', 'ddMMyyyy')",
    "@parseDateTime('32052019', 'fr-fr', 'ddMMyyyy')",
    "@parseDateTime('lundi 20 octobre 2020', 'fr-FR')",  # 2020-10-20 was a Tuesday
    "@parseDateTime('Monday, 31 Jan 16', 'en-US', 'dddd, d MMM yy')",
    "@parseDateTime('20 octobre 2010', 'en-US')",
])
def test_parse_date_time_errors(expr):
    fails(expr, "was not valid")


# -- arithmetic -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@addDays('2018-03-15T00:00:00Z', 10)", "2018-03-25T00:00:00.0000000Z"),
    ("@addDays('2018-03-15T00:00:00Z', -5)", "2018-03-10T00:00:00.0000000Z"),
    ("@addDays('2018-03-15', 1, 'yyyy-MM-dd')", "2018-03-16"),
    ("@addHours('2018-03-15T23:00:00.1234567Z', 2)", "2018-03-16T01:00:00.1234567Z"),
    ("@addMinutes('2018-03-15T00:20:00Z', -25)", "2018-03-14T23:55:00.0000000Z"),
    ("@addSeconds('2018-03-15T00:00:00', 86400)", "2018-03-16T00:00:00.0000000"),
    ("@addToTime('2018-01-01T00:00:00Z', 1, 'Day', 'D')", "Tuesday, January 2, 2018"),
    ("@addToTime('2018-01-31T00:00:00Z', 1, 'Month')", "2018-02-28T00:00:00.0000000Z"),
    ("@addToTime('2016-01-31T10:00:00Z', 1, 'month')", "2016-02-29T10:00:00.0000000Z"),
    ("@addToTime('2016-02-29', 1, 'Year')", "2017-02-28T00:00:00.0000000"),
    ("@addToTime('2018-03-31', -1, 'Month')", "2018-02-28T00:00:00.0000000"),
    ("@addToTime('2018-01-01', 2, 'WEEK')", "2018-01-15T00:00:00.0000000"),
    ("@addToTime('2018-01-01', 90, 'Second')", "2018-01-01T00:01:30.0000000"),
    ("@addToTime('2018-01-01', 90, 'Minute')", "2018-01-01T01:30:00.0000000"),
    ("@addToTime('2018-01-01', 25, 'Hour')", "2018-01-02T01:00:00.0000000"),
    ("@subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day')", "2018-01-01T00:00:00.0000000Z"),
    ("@subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day', 'D')", "Monday, January 1, 2018"),
    ("@subtractFromTime('2018-03-31', 1, 'Month')", "2018-02-28T00:00:00.0000000"),
    ("@subtractFromTime('2020-02-29', 4, 'Year')", "2016-02-29T00:00:00.0000000"),
])
def test_add_and_subtract(expr, expected):
    assert ev(expr) == expected


def test_bad_time_unit():
    fails("@addToTime('2018-01-01', 1, 'Days')", "the value provided for time unit 'Days' was not valid")
    fails("@getFutureTime(1, 'Fortnight')", "time unit 'Fortnight'")


def test_out_of_range_results():
    fails("@subtractFromTime('0001-01-01T00:00:00', 1, 'Second')", "outside the supported date time range")
    fails("@addDays('9999-12-31', 1)", "outside the supported date time range")
    fails("@addToTime('9999-12-31', 1, 'Month')", "outside the supported date time range")


def test_start_of():
    assert ev("@startOfDay('2018-03-15T13:30:30.1234567Z')") == "2018-03-15T00:00:00.0000000Z"
    assert ev("@startOfDay('2018-03-15T13:30:30')") == "2018-03-15T00:00:00.0000000"
    assert ev("@startOfHour('2018-03-15T13:30:30.5Z')") == "2018-03-15T13:00:00.0000000Z"
    assert ev("@startOfMonth('2018-03-15T13:30:30Z')") == "2018-03-01T00:00:00.0000000Z"
    assert ev("@startOfMonth('2018-03-15T13:30:30Z', 'yyyy-MM-dd')") == "2018-03-01"
    assert ev("@startOfDay('2018-03-15T01:30:00+02:00')") == "2018-03-14T00:00:00.0000000Z"


def test_parts_and_ticks():
    assert ev("@dayOfMonth('2018-03-15T13:27:36Z')") == 15
    assert ev("@dayOfWeek('2018-03-15T13:27:36Z')") == 4
    assert ev("@dayOfWeek('2018-03-18')") == 0
    assert ev("@dayOfWeek('2018-03-17')") == 6
    assert ev("@dayOfYear('2018-03-15T13:27:36Z')") == 74
    assert ev("@dayOfYear('2016-12-31')") == 366
    assert ev("@ticks('2018-01-01T00:00:00Z')") == 636503616000000000
    assert ev("@ticks('2017-03-15T18:36:59Z')") == 636251998190000000
    assert ev("@ticks('0001-01-01T00:00:00.0000001')") == 1
    assert ev("@ticks('9999-12-31T23:59:59.9999999')") == MAX_TICKS


@pytest.mark.parametrize("start, end, expected", [
    ("2015-02-08", "2018-07-30", "1268.00:00:00"),
    ("2018-07-30", "2015-02-08", "-1268.00:00:00"),
    ("2018-01-01T00:00:00Z", "2018-01-02T01:30:00Z", "1.01:30:00"),
    ("2018-01-01T00:00:00Z", "2018-01-01T00:00:00.0000001Z", "00:00:00.0000001"),
    ("2018-01-01T00:00:00.5Z", "2018-01-01T00:00:00Z", "-00:00:00.5000000"),
    ("2018-01-01", "2018-01-01", "00:00:00"),
])
def test_date_difference(start, end, expected):
    assert ev(f"@dateDifference('{start}', '{end}')") == expected


# -- clock -------------------------------------------------------------------------------------------------


def test_clock_functions_use_context_now():
    assert ev("@utcNow()") == "2018-03-01T12:34:56.7890120Z"
    assert ev("@utcNow('yyyy-MM-dd')") == "2018-03-01"
    assert ev("@getFutureTime(5, 'Day', 'D')") == "Tuesday, March 6, 2018"
    assert ev("@getPastTime(1, 'Month')") == "2018-02-01T12:34:56.7890120Z"
    assert ev("@getFutureTime(1, 'Year', 'yyyy')") == "2019"
    assert ev("@getPastTime(2, 'Hour', 'HH:mm')") == "10:34"


def test_clock_functions_are_not_folded():
    template = compile_template("@utcNow('ss')")
    first = template.evaluate(EvalContext(now=lambda: datetime(2020, 1, 1, 0, 0, 1, tzinfo=timezone.utc)))
    second = template.evaluate(EvalContext(now=lambda: datetime(2020, 1, 1, 0, 0, 2, tzinfo=timezone.utc)))
    assert (first, second) == ("01", "02")


def test_utc_now_real_clock_shape():
    value = compile_template("@utcNow()").evaluate(EvalContext())
    assert len(value) == 28 and value.endswith("Z") and value[19] == "."


# -- time zones --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("@convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time')", "2018-01-01T00:00:00.0000000"),
    ("@convertFromUtc('2018-07-01T08:00:00Z', 'Pacific Standard Time')", "2018-07-01T01:00:00.0000000"),
    ("@convertFromUtc('2018-07-01T12:00:00Z', 'India Standard Time', 'HH:mm K')", "17:30 "),
    ("@convertFromUtc('2018-07-01T12:00:00Z', 'UTC')", "2018-07-01T12:00:00.0000000"),
    ("@convertFromUtc('2018-07-01T12:00:00', 'W. Europe Standard Time')", "2018-07-01T14:00:00.0000000"),
    ("@convertFromUtc('2018-07-01T12:00:00Z', 'pacific standard time')", "2018-07-01T05:00:00.0000000"),
    ("@convertFromUtc('2018-07-01T12:00:00.1234567Z', 'Nepal Standard Time')", "2018-07-01T17:45:00.1234567"),
    ("@convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time')", "2018-01-01T08:00:00.0000000Z"),
    ("@convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time', 'D')", "Monday, January 1, 2018"),
    ("@convertToUtc('2018-07-01T10:00:00', 'AUS Eastern Standard Time')", "2018-07-01T00:00:00.0000000Z"),
    ("@convertToUtc('2018-01-01T10:00:00', 'AUS Eastern Standard Time')", "2017-12-31T23:00:00.0000000Z"),
    ("@convertToUtc('2018-01-01T10:00:00Z', 'UTC')", "2018-01-01T10:00:00.0000000Z"),
    ("@convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time')",
     "2018-01-01T00:00:00.0000000"),
    ("@convertTimeZone('2018-01-01T08:00:00Z', 'UTC', 'Pacific Standard Time', 'D')", "Monday, January 1, 2018"),
    ("@convertTimeZone('2018-06-01T12:00:00', 'Eastern Standard Time', 'W. Europe Standard Time')",
     "2018-06-01T18:00:00.0000000"),
    ("@convertTimeZone('2018-06-01T12:00:00', 'Tokyo Standard Time', 'UTC')", "2018-06-01T03:00:00.0000000"),
])
def test_time_zone_conversions(expr, expected):
    assert ev(expr) == expected


def test_dst_transitions_europe():
    # spring forward 2018-03-25 01:00Z: 02:00-03:00 local does not exist
    assert ev("@convertFromUtc('2018-03-25T00:59:59Z', 'W. Europe Standard Time')") == "2018-03-25T01:59:59.0000000"
    assert ev("@convertFromUtc('2018-03-25T01:00:00Z', 'W. Europe Standard Time')") == "2018-03-25T03:00:00.0000000"
    fails("@convertToUtc('2018-03-25T02:30:00', 'W. Europe Standard Time')", "invalid time")
    # fall back 2018-10-28 01:00Z: 02:00-03:00 local happens twice; .NET reads it as standard time
    assert ev("@convertToUtc('2018-10-28T02:30:00', 'W. Europe Standard Time')") == "2018-10-28T01:30:00.0000000Z"
    assert ev("@convertFromUtc('2018-10-28T00:30:00Z', 'W. Europe Standard Time')") == "2018-10-28T02:30:00.0000000"
    assert ev("@convertFromUtc('2018-10-28T01:30:00Z', 'W. Europe Standard Time')") == "2018-10-28T02:30:00.0000000"


def test_dst_transitions_us():
    assert ev("@convertToUtc('2018-03-11T01:59:00', 'Eastern Standard Time')") == "2018-03-11T06:59:00.0000000Z"
    assert ev("@convertToUtc('2018-03-11T03:00:00', 'Eastern Standard Time')") == "2018-03-11T07:00:00.0000000Z"
    fails("@convertToUtc('2018-03-11T02:30:00', 'Eastern Standard Time')", "invalid time")
    assert ev("@convertToUtc('2018-11-04T01:30:00', 'Eastern Standard Time')") == "2018-11-04T06:30:00.0000000Z"


def test_utc_input_with_non_utc_source_zone_is_an_error():
    fails("@convertToUtc('2018-01-01T00:00:00Z', 'Pacific Standard Time')", "Kind property")
    fails("@convertTimeZone('2018-01-01T00:00:00+01:00', 'Pacific Standard Time', 'UTC')", "Kind property")


def test_unknown_time_zone():
    message = fails("@convertFromUtc('2018-01-01T00:00:00Z', 'Mars Standard Time')", "time zone")
    assert message == ("In function 'convertFromUtc', the value provided for time zone 'Mars Standard Time' "
                       "was not valid.")
    fails("@convertTimeZone('2018-01-01', 'UTC', 'Europe/Paris')", "time zone 'Europe/Paris'")


def test_zone_table():
    ids = timezones.windows_zone_ids()
    assert "Pacific Standard Time" in ids and "UTC" in ids and len(ids) > 130
    assert str(timezones.find_zone("W. Europe Standard Time")) == "Europe/Berlin"
    assert str(timezones.find_zone(" tokyo standard time ")) == "Asia/Tokyo"
    assert timezones.find_zone("Nowhere") is None
    assert timezones.is_utc_like(timezones.find_zone("UTC"))
    assert not timezones.is_utc_like(timezones.find_zone("GMT Standard Time"))


# -- formatTimeSpan ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("span, fmt, expected", [
    ("1.02:03:04", "c", "1.02:03:04"),
    ("1.02:03:04.5", "c", "1.02:03:04.5000000"),
    ("02:03", "c", "02:03:00"),
    ("-1.02:03:04", "c", "-1.02:03:04"),
    ("3", "c", "3.00:00:00"),
    ("1:02:03:04", "c", "1.02:03:04"),
    ("1.02:03:04.5", "g", "1:2:03:04.5"),
    ("02:03:04", "g", "2:03:04"),
    ("1.02:03:04.5", "G", "1:02:03:04.5000000"),
    ("1.02:03:04.5", "dd\\.hh\\:mm\\:ss", "01.02:03:04"),
    ("1.02:03:04.5", "d' days 'h' h'", "1 days 2 h"),
    ("1.02:03:04.25", "ss\\.FFF", "04.25"),
    ("1.02:03:04.25", "%h", "2"),
    ("-1.02:03:04", "hh\\:mm", "02:03"),
])
def test_format_time_span(span, fmt, expected):
    escaped = fmt.replace("'", "''")
    assert ev(f"@formatTimeSpan('{span}', '{escaped}')") == expected


def test_format_time_span_culture_and_errors():
    assert ev("@formatTimeSpan('1.02:03:04.5', 'g', 'fr-FR')") == "1:2:03:04,5"
    assert ev("@formatTimeSpan('1.02:03:04')") == "1.02:03:04"
    fails("@formatTimeSpan('1.02:03:04', 'hh:mm')", "format string 'hh:mm'")
    fails("@formatTimeSpan('1.02:03:04', 'x')", "format string")
    fails("@formatTimeSpan('25:00:00', 'c')", "time span string '25:00:00'")
    fails("@formatTimeSpan('abc', 'c')", "was not valid")


# -- the .NET layer directly ---------------------------------------------------------------------------------


def test_value_parts():
    value = DateTimeValue.from_parts(2018, 3, 15, 13, 27, 36, 1234567, UTC)
    assert (value.year, value.month, value.day, value.hour, value.minute, value.second, value.fraction) == (
        2018, 3, 15, 13, 27, 36, 1234567)
    assert value.day_of_week == 4 and value.day_of_year == 74
    assert format_datetime(value) == "2018-03-15T13:27:36.1234567Z"
    assert format_datetime(value.add_months(-1), "yyyy-MM-dd") == "2018-02-15"


def test_from_datetime_keeps_microseconds():
    value = DateTimeValue.from_datetime(datetime(2018, 3, 15, 1, 2, 3, 456789, tzinfo=timezone.utc))
    assert format_datetime(value) == "2018-03-15T01:02:03.4567890Z"
    naive = DateTimeValue.from_datetime(datetime(2018, 3, 15))
    assert naive.kind == UNSPECIFIED


@pytest.mark.parametrize("pattern, expected", [
    ("EEEE, MMMM d, y", "dddd, MMMM d, yyyy"),
    ("d 'de' MMMM 'de' y", "d 'de' MMMM 'de' yyyy"),
    ("h:mm\u202fa", "h:mm tt"),
    ("LLLL y", "MMMM yyyy"),
    ("d MMM y\u202f'г'.", "d MMM yyyy\u202f'г'."),
    ("HH 'o''clock'", "HH 'o\\'clock'"),
])
def test_ldml_conversion(pattern, expected):
    assert ldml_to_net(pattern, is_time="a" in pattern) == expected
