"""JSON manipulation functions (``xpath`` lives with the XML functions).

Property names are matched the host's way: the exact name first, else the first name that
matches case-insensitively. Results are new objects; inputs are never changed. Binary and XML
values are objects too (their ``$content-type``/``$content`` envelope), and come back as plain
objects with the extra properties.
"""

from __future__ import annotations

from ..expressions.errors import ExpressionError, type_error
from ..expressions.registry import function
from ..expressions.values import find_key, to_json_text


def _want_object(fn: str, index: int, value) -> dict:
    if isinstance(value, dict):
        return value
    raise type_error(fn, index, "of type object", value)


def _want_name(fn: str, value) -> str:
    if isinstance(value, str):
        return value
    raise type_error(fn, 1, "of type string", value)


@function("addProperty", min_args=3, category="manipulation")
def add_property(obj, name, value):
    obj = _want_object("addProperty", 0, obj)
    name = _want_name("addProperty", name)
    if find_key(obj, name) is not None:
        raise ExpressionError(
            f"The template language function 'addProperty' expects the property to not exist in the object: "
            f"property '{name}' already exists in '{to_json_text(obj)}'. Use setProperty to change it. "
            f"Please see https://aka.ms/logicexpressions#addproperty for usage details.")
    result = dict(obj)
    result[name] = value
    return result


@function("setProperty", min_args=3, category="manipulation")
def set_property(obj, name, value):
    obj = _want_object("setProperty", 0, obj)
    name = _want_name("setProperty", name)
    key = find_key(obj, name)
    result = dict(obj)
    if key is not None:
        del result[key]  # the host re-adds the property at the end, under its existing name
        name = key
    result[name] = value
    return result


@function("removeProperty", min_args=2, category="manipulation")
def remove_property(obj, name):
    obj = _want_object("removeProperty", 0, obj)
    name = _want_name("removeProperty", name)
    result = dict(obj)
    key = find_key(obj, name)
    if key is not None:
        del result[key]
    return result


@function("coalesce", min_args=1, max_args=None, category="manipulation", lazy=True)
def coalesce(ctx, *thunks):
    for thunk in thunks:
        value = thunk()
        if value is not None:
            return value
    return None


@function("mergeObjects", min_args=2, category="manipulation")
def merge_objects(first, second):
    first = _want_object("mergeObjects", 0, first)
    second = _want_object("mergeObjects", 1, second)
    result = dict(first)
    for key, value in second.items():
        existing = find_key(result, key)
        if existing is not None and existing != key:
            del result[existing]
        result[key] = value
    return result
