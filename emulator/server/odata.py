"""``$filter``, ``$top`` and ``nextLink`` paging of management lists, as Azure pages them.

A filter is comparisons joined by ``and``: ``status eq 'Failed'``, ``startTime ge 2024-01-01T00:00:00Z``,
``clientTrackingId eq 'order-7'`` (field names case-insensitive; ``eq ne gt ge lt le``; values are quoted
strings, with ``''`` for a quote, or bare date-times and numbers). Each list names the fields it knows; any
other field, operator or shape is a 400 ``InvalidQueryFilter``, never ignored.

Lists are newest first; a page holds ``$top`` items (or :data:`DEFAULT_PAGE`, Azure's 30), and ``nextLink``
repeats the request with ``$skiptoken`` naming the last item given, so items added meanwhile do not shift the
pages. (Azure's next links write ``%24top``, which azure-mgmt-logic 10.0 then sends twice and Azure refuses
as ``'10,10'``; the emulator writes ``$top`` so that the SDK's pagers work.)
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from urllib.parse import quote

from .errors import HttpError
from .sas import parse_expiry

DEFAULT_PAGE = 30
MAX_PAGE = 250

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<word>[^\s()']+)|(?P<paren>[()]))")
_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


@dataclass(frozen=True)
class Field:
    """A filterable field: how to read it from an item, and whether it compares as a date-time."""

    read: Callable[[dict], object]
    time: bool = False


def invalid_filter(text: str) -> HttpError:
    return HttpError(400, "InvalidQueryFilter", f"The provided query filter '{text}' is not valid or not supported.")


def parse_filter(text: str | None, fields: dict[str, Field]) -> Callable[[dict], bool] | None:
    """``$filter`` -> a predicate over items (None for no filter); raises :func:`invalid_filter`."""
    if text is None or not text.strip():
        return None
    tokens = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            if text[pos:].strip():
                raise invalid_filter(text)
            break
        tokens.append(found.group("str") or found.group("word") or found.group("paren"))
        pos = found.end()
    tests = []
    i = 0
    while True:
        if i + 3 > len(tokens):
            raise invalid_filter(text)
        name, op, raw = tokens[i:i + 3]
        field = fields.get(name.lower())
        if field is None or op.lower() not in _OPS or raw in "()":
            raise invalid_filter(text)
        tests.append(_comparison(field, op.lower(), _value(raw, field, text)))
        i += 3
        if i == len(tokens):
            break
        if tokens[i].lower() != "and":
            raise invalid_filter(text)
        i += 1
    return lambda item: all(test(item) for test in tests)


def _value(raw: str, field: Field, text: str):
    if raw.startswith("'"):
        value = raw[1:-1].replace("''", "'")
    else:
        value = raw
    if field.time:
        parsed = _time(value)
        if parsed is None:
            raise invalid_filter(text)
        return parsed
    return value.lower()


def _time(value) -> datetime | None:
    return parse_expiry(value) if isinstance(value, str) and value else None


def _comparison(field: Field, op: str, wanted) -> Callable[[dict], bool]:
    def test(item: dict) -> bool:
        have = field.read(item)
        if have is None:
            return op == "ne"
        have = _time(have) if field.time else str(have).lower()
        if have is None:
            return False
        if op == "eq":
            return have == wanted
        if op == "ne":
            return have != wanted
        if op == "gt":
            return have > wanted
        if op == "ge":
            return have >= wanted
        if op == "lt":
            return have < wanted
        return have <= wanted
    return test


def parse_top(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_PAGE
    try:
        top = int(value)
    except ValueError:
        top = 0
    if top <= 0:
        raise HttpError(400, "InvalidTopInQueryString", f"The value for top of '{value}' is not an integer; the "
                        "value must be an integer value greater than zero.")
    return min(top, MAX_PAGE)


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("utf-8")).rstrip(b"=").decode("ascii")


def _untoken(token: str) -> str | None:
    try:
        return base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def page(request, items: list, name_of: Callable[[object], str], fields: dict[str, Field] | None = None,
         shape: Callable[[object], dict] | None = None) -> dict:
    """One page of ``items`` (already newest first) for ``request``: ``{"value": [...], "nextLink"?}``.

    ``fields`` are the filterable fields (None: any ``$filter`` is refused); ``shape`` turns an item into
    the resource the answer shows.
    """
    query = request.query
    size = parse_top(query.get("$top"))
    keep = parse_filter(query.get("$filter"), fields or {})  # a list without filterable fields refuses any
    if keep is not None:
        items = [item for item in items if keep(item)]
    start = 0
    token = query.get("$skiptoken")
    if token:
        last = _untoken(token)
        if last is None:
            raise HttpError(400, "InvalidQueryParameterValue",
                            f"The value '{token}' of query parameter '$skiptoken' is not valid.")
        start = next((i + 1 for i, item in enumerate(items) if name_of(item) == last), len(items))
    chosen = items[start:start + size]
    answer = {"value": [shape(item) if shape else item for item in chosen]}
    if start + size < len(items) and chosen:
        answer["nextLink"] = next_link(request, name_of(chosen[-1]))
    return answer


def next_link(request, last_name: str) -> str:
    """The request's URL with ``$skiptoken`` after ``last_name``. OData keys stay literal (``$top``, not
    ``%24top``): the SDKs merge the link's query with their own by key."""
    params = [(k, v) for k, v in request.query.items() if k != "$skiptoken"]
    params.append(("$skiptoken", _token(last_name)))
    query = "&".join(f"{quote(k, safe='$-')}={quote(v, safe='-._~:')}" for k, v in params)
    return f"{request.scheme}://{request.host}{request.raw_path.partition('?')[0]}?{query}"
