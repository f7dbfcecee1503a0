"""The $filter parser and the $top check of management lists (emulator/server/odata.py)."""

from __future__ import annotations

import pytest

from emulator.server import odata
from emulator.server.errors import HttpError

FIELDS = {"status": odata.Field(lambda r: r.get("status")),
          "starttime": odata.Field(lambda r: r.get("startTime"), time=True),
          "clienttrackingid": odata.Field(lambda r: r.get("id"))}
RUNS = [{"status": "Failed", "startTime": "2024-01-02T00:00:00.0000000Z", "id": "o'brien"},
        {"status": "Succeeded", "startTime": "2024-01-01T00:00:00.1234567Z", "id": "b"},
        {"status": "Succeeded", "startTime": "2023-12-31T23:59:59Z", "id": "c"}]


def chosen(text):
    keep = odata.parse_filter(text, FIELDS)
    return [r["id"] for r in RUNS if keep(r)]


@pytest.mark.parametrize("text, ids", [
    ("status eq 'Succeeded'", ["b", "c"]),
    ("Status eq 'succeeded'", ["b", "c"]),
    ("status ne 'Succeeded'", ["o'brien"]),
    ("startTime ge 2024-01-01T00:00:00Z", ["o'brien", "b"]),
    ("startTime gt 2024-01-01T00:00:00.1234567Z", ["o'brien"]),
    ("startTime lt '2024-01-01T00:00:00Z' and status eq 'Succeeded'", ["c"]),
    ("StartTime le 2024-01-02T00:00:00Z and startTime ge 2024-01-01T00:00:00Z and status eq 'Failed'", ["o'brien"]),
    ("clientTrackingId eq 'o''brien'", ["o'brien"]),
])
def test_filters(text, ids):
    assert chosen(text) == ids


@pytest.mark.parametrize("text", ["status", "status eq", "status eq 'x' and", "status eq 'x' or status eq 'y'",
                                  "colour eq 'red'", "status contains 'x'", "startTime ge soon",
                                  "(status eq 'x')", "status eq 'unterminated"])
def test_refused_filters(text):
    with pytest.raises(HttpError) as err:
        odata.parse_filter(text, FIELDS)
    assert (err.value.status, err.value.code) == (400, "InvalidQueryFilter")
    assert err.value.message == f"The provided query filter '{text}' is not valid or not supported."


def test_no_filter_and_top():
    assert odata.parse_filter(None, FIELDS) is None and odata.parse_filter("  ", FIELDS) is None
    assert odata.parse_top(None) == odata.DEFAULT_PAGE and odata.parse_top("7") == 7
    assert odata.parse_top("100000") == odata.MAX_PAGE
    for bad in ("0", "-1", "x", "1.5"):
        with pytest.raises(HttpError):
            odata.parse_top(bad)
