"""Collection functions: strings, arrays and (for some) objects.

Membership (``contains``, ``union``, ``intersection``) uses deep JSON equality with numbers
compared by value and no null/"" coercion (:func:`values_equal` with ``loose=False``).
"""

from __future__ import annotations

import math
from decimal import Decimal

from .. import limits
from ..expressions.errors import ExpressionError, type_error, usage
from ..expressions.registry import function
from ..expressions.values import (
    Blob,
    float_to_decimal,
    is_integer,
    is_number,
    to_string,
    type_name,
    values_equal,
)
from .args import single_param_error, want_array, want_int, want_str
from .string import from_utf16_view, utf16_len, utf16_view


def _same_type_error(fn: str) -> ExpressionError:
    return ExpressionError(
        f"The template language function '{fn}' expects parameters of same type: all arrays or all objects. "
        + usage(fn))


def _count(fn: str, value) -> int:
    if not is_integer(value) or value < 0:
        shown = to_string(value) if not isinstance(value, (dict, list)) else type_name(value)
        raise ExpressionError(
            f"The template language function '{fn}' expects its second parameter to be a positive integer "
            f"(zero or more). The provided value is '{shown}'. " + usage(fn))
    return value


@function("contains", min_args=2, category="collection")
def contains(collection, value):
    if isinstance(collection, str):
        return want_str("contains", 1, value) in collection
    if isinstance(collection, list):
        return any(values_equal(item, value, loose=False) for item in collection)
    if isinstance(collection, dict):
        return isinstance(value, str) and value in collection
    raise type_error("contains", 0, "a dictionary (object), an array or a string", collection)


@function("empty", min_args=1, category="collection")
def empty(collection):
    if collection is None:
        return True
    if isinstance(collection, (str, list, dict)):
        return len(collection) == 0
    raise single_param_error("empty", "an object, an array or a string", collection)


@function("length", min_args=1, category="collection")
def length(collection):
    if isinstance(collection, str):
        return utf16_len(collection)
    if isinstance(collection, list):
        return len(collection)
    raise single_param_error("length", "an array or a string", collection)


@function("first", min_args=1, category="collection")
def first(collection):
    if isinstance(collection, list):
        return collection[0] if collection else None
    if isinstance(collection, str):
        return from_utf16_view(utf16_view(collection)[:1])
    raise single_param_error("first", "an array or a string", collection)


@function("last", min_args=1, category="collection")
def last(collection):
    if isinstance(collection, list):
        return collection[-1] if collection else None
    if isinstance(collection, str):
        return from_utf16_view(utf16_view(collection)[-1:])
    raise single_param_error("last", "an array or a string", collection)


@function("reverse", min_args=1, category="collection")
def reverse(collection):
    if not isinstance(collection, list):
        raise single_param_error("reverse", "of type array", collection)
    return collection[::-1]


@function("take", min_args=2, category="collection")
def take(collection, count):
    if not isinstance(collection, (str, list)):
        raise type_error("take", 0, "an array or a string", collection)
    n = _count("take", count)
    if isinstance(collection, str):
        return from_utf16_view(utf16_view(collection)[:n])
    return collection[:n]


@function("skip", min_args=2, category="collection")
def skip(collection, count):
    return want_array("skip", 0, collection)[_count("skip", count):]


@function("chunk", min_args=2, category="collection")
def chunk(collection, size):
    if not isinstance(collection, (str, list)):
        raise type_error("chunk", 0, "an array or a string", collection)
    size = want_int("chunk", 1, size)
    if size < 1:
        raise ExpressionError(
            f"The template language function 'chunk' expects its second parameter to be a positive integer "
            f"(the chunk size must be at least 1). The provided value is '{size}'. "
            f"Please see https://aka.ms/logicexpressions#chunk for usage details.")
    if isinstance(collection, str):
        units = utf16_view(collection)
        return [from_utf16_view(units[i:i + size]) for i in range(0, len(units), size)]
    return [collection[i:i + size] for i in range(0, len(collection), size)]


@function("join", min_args=2, category="collection")
def join(collection, delimiter):
    collection = want_array("join", 0, collection)
    delimiter = want_str("join", 1, delimiter)
    result = delimiter.join(to_string(item) for item in collection)
    most = limits.active().string_result_chars
    if len(result) > most:
        raise ExpressionError(
            f"The template language function 'join' produced a string longer than the limit of "
            f"{most} characters. "
            f"Please see https://aka.ms/logicexpressions#join for usage details.")
    return result


def _bucket(value):
    """A hashable key that is equal for any two values :func:`values_equal` (strict) calls equal.

    Values with the same key may still differ; :class:`_Members` confirms with values_equal.
    """
    if value is None:
        return ("z",)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("n", Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            return ("f", repr(value))
        if value.is_integer():
            return ("n", Decimal(int(value)))
        return ("n", float_to_decimal(value))
    if isinstance(value, Decimal):
        return ("n", value) if value.is_finite() else ("f", str(value))
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(_bucket(v) for v in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, _bucket(v)) for k, v in value.items()))
    return ("?", id(value))


class _Members:
    """A set of values under strict deep equality, in linear time for the common cases."""

    def __init__(self, values=()):
        self._buckets: dict = {}
        for value in values:
            self.add(value)

    def __contains__(self, value) -> bool:
        return any(values_equal(value, seen, loose=False) for seen in self._buckets.get(_bucket(value), ()))

    def add(self, value) -> None:
        self._buckets.setdefault(_bucket(value), []).append(value)


def _dedupe(items: list) -> list:
    seen = _Members()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _set_operation(fn: str, collections: tuple, union: bool):
    head = collections[0]
    if isinstance(head, list):
        if not all(isinstance(c, list) for c in collections[1:]):
            raise _same_type_error(fn)
        result = _dedupe(head)
        members = _Members(result)
        for other in collections[1:]:
            if union:
                for item in other:
                    if item not in members:
                        members.add(item)
                        result.append(item)
            else:
                present = _Members(other)
                result = [item for item in result if item in present]
        return result
    if isinstance(head, dict):
        if not all(isinstance(c, dict) for c in collections[1:]):
            raise _same_type_error(fn)
        if union:
            merged: dict = {}
            for obj in collections:
                merged.update(obj)  # first position kept, last value wins
            return merged
        return {k: v for k, v in head.items()
                if all(k in other and values_equal(v, other[k], loose=False) for other in collections[1:])}
    raise type_error(fn, 0, "an array or an object", head)


@function("intersection", min_args=2, max_args=None, category="collection")
def intersection(*collections):
    return _set_operation("intersection", collections, union=False)


@function("union", min_args=2, max_args=None, category="collection")
def union(*collections):
    return _set_operation("union", collections, union=True)


# --------------------------------------------------------------------------- sort

def _sort_rank(fn: str, value):
    """A key that orders values of one kind; mixing kinds is an error (raised by the caller)."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if is_number(value):
        return (2, value)
    if isinstance(value, str):
        return (3, value.encode("utf-16-be", "surrogatepass"))  # ordinal, by UTF-16 code unit
    raise ExpressionError(
        f"The template language function '{fn}' can only sort values of a simple type (integer, float, string, "
        f"boolean or null). The provided array holds a value of type '{type_name(value)}'. "
        f"Please see https://aka.ms/logicexpressions#sort for usage details.")


@function("sort", min_args=1, max_args=2, category="collection")
def sort(collection, sort_by=None):
    collection = want_array("sort", 0, collection)
    if sort_by is None:
        keys = [_sort_rank("sort", item) for item in collection]
    else:
        sort_by = want_str("sort", 1, sort_by)
        keys = []
        for item in collection:
            if not isinstance(item, dict) or isinstance(item, Blob) or sort_by not in item:
                raise ExpressionError(
                    f"The template language function 'sort' expects every item of its first parameter to be an "
                    f"object with the property '{sort_by}'. "
                    f"Please see https://aka.ms/logicexpressions#sort for usage details.")
            keys.append(_sort_rank("sort", item[sort_by]))
    kinds = {k[0] for k in keys if k[0] != 0}
    if len(kinds) > 1:
        raise ExpressionError(
            "The template language function 'sort' cannot compare values of different types. "
            "Please see https://aka.ms/logicexpressions#sort for usage details.")
    order = sorted(range(len(collection)), key=lambda i: keys[i])  # stable
    return [collection[i] for i in order]
