"""JSON manipulation functions (``xpath`` lives with the XML functions).

Property names are matched the host's way: the exact name first, else the first name that
matches case-insensitively. Results are new objects; inputs are never changed. Binary and XML
values are objects too (their ``$content-type``/``$content`` envelope), and come back as plain
objects with the extra properties.
"""

from __future__ import annotations

from ..expressions.errors import ExpressionError
from ..expressions.registry import function
from ..expressions.values import find_key, to_json_text
from .args import want_object, want_str


@function("addProperty", min_args=3, category="manipulation")
def add_property(obj, name, value):
    obj = want_object("addProperty", 0, obj)
    name = want_str("addProperty", 1, name)
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
    obj = want_object("setProperty", 0, obj)
    name = want_str("setProperty", 1, name)
    key = find_key(obj, name)
    result = dict(obj)
    if key is not None:
        del result[key]  # the host re-adds the property at the end, under its existing name
        name = key
    result[name] = value
    return result


@function("removeProperty", min_args=2, category="manipulation")
def remove_property(obj, name):
    obj = want_object("removeProperty", 0, obj)
    name = want_str("removeProperty", 1, name)
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
    first = want_object("mergeObjects", 0, first)
    second = want_object("mergeObjects", 1, second)
    result = dict(first)
    for key, value in second.items():
        existing = find_key(result, key)
        if existing is not None and existing != key:
            del result[existing]
        result[key] = value
    return result
