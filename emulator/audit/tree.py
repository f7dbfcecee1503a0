"""Expressions as small immutable trees, built from the Lark parse tree of :mod:`emulator.expressions.parser`.

The audit reads what an expression *compares* and *returns*, not what it evaluates to, so it works on
the parse tree: ``Call(name, args, derefs)`` for a function call with its ``.x`` / ``[...]`` dereferences,
``Lit(value)`` for a string, number or keyword. :func:`expressions_in` gives every expression of one JSON
string value (``@expr``, each ``@{...}`` of an interpolation); a plain string is one ``Lit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lark import Token, Tree

from ..expressions.errors import ExpressionError
from ..expressions.parser import parse
from ..expressions.template import split_interpolation


@dataclass(frozen=True)
class Lit:
    value: object


@dataclass(frozen=True)
class Deref:
    key: object        # a node (``[expr]``) or a Lit of the property name (``.name``)
    safe: bool = False


@dataclass(frozen=True)
class Call:
    name: str          # lower case: function names are case-insensitive
    args: tuple = ()
    derefs: tuple = ()
    column: int = 0

    def arg_text(self, index: int):
        """The string literal at ``args[index]``, or None."""
        if index < len(self.args) and isinstance(self.args[index], Lit) and isinstance(self.args[index].value, str):
            return self.args[index].value
        return None

    def bare(self) -> Call:
        """The call without its dereferences."""
        return Call(self.name, self.args, (), self.column)


def from_lark(tree) -> object:
    """Lark tree of one expression body -> ``Call`` / ``Lit``."""
    if isinstance(tree, Token):
        return Lit(tree.value)
    kind = tree.data if isinstance(tree.data, str) else tree.data.value
    if kind == "string":
        return Lit(tree.children[0].value[1:-1].replace("''", "'"))
    if kind == "number":
        text = tree.children[0].value
        try:
            return Lit(float(text) if any(c in text for c in ".eE") else int(text))
        except ValueError:  # pragma: no cover - the grammar only lets numbers through
            return Lit(text)
    if kind == "keyword":
        return Lit({"null": None, "true": True, "false": False}.get(tree.children[0].value.lower(),
                                                                    tree.children[0].value))
    name_token = tree.children[0]
    args, derefs = [], []
    for child in tree.children[1:]:
        child_kind = child.data if isinstance(child, Tree) and isinstance(child.data, str) else \
            (child.data.value if isinstance(child, Tree) else None)
        if child_kind in ("prop", "index"):
            safe = any(isinstance(c, Token) and c.type == "SAFE" for c in child.children)
            last = child.children[-1]
            key = Lit(last.value) if child_kind == "prop" else from_lark(last)
            derefs.append(Deref(key, safe))
        else:
            args.append(from_lark(child))
    return Call(name_token.value.lower(), tuple(args), tuple(derefs), name_token.start_pos or 0)


def parse_body(body: str):
    """One expression body -> node, or None when it does not parse (the loader reports that)."""
    try:
        return from_lark(parse(body))
    except ExpressionError:
        return None


def expressions_in(value: str) -> list:
    """Every expression of one JSON string value; a string without expressions is one ``Lit``."""
    if len(value) >= 2 and value[0] == "@" and value[1] != "{":
        if value[1] == "@":
            return [Lit(value[1:])]
        node = parse_body(value[1:])
        return [node] if node is not None else []
    if "@{" in value:
        try:
            segments = split_interpolation(value)
        except ExpressionError:
            return []
        nodes = [parse_body(text) for kind, text, _ in segments if kind == "expr"]
        return [n for n in nodes if n is not None]
    return [Lit(value)]


def as_node(value):
    """A JSON operand (a designer condition's argument) -> one node: an expression, a literal, or a
    ``concat`` of the pieces of an interpolation."""
    if not isinstance(value, str):
        return Lit(value)
    if len(value) >= 2 and value[0] == "@" and value[1] not in "{@":
        return parse_body(value[1:])
    if "@{" not in value:
        return Lit(value[1:] if value.startswith("@@") else value)
    try:
        segments = split_interpolation(value)
    except ExpressionError:
        return None
    pieces = [Lit(text) if kind == "text" else parse_body(text) for kind, text, _ in segments]
    pieces = [p for p in pieces if p is not None]
    if len(pieces) == 1 and segments[0][0] == "expr":
        return pieces[0]
    return Call("concat", tuple(pieces))


def walk(node):
    """Every node below and including ``node``, calls before their arguments."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Call):
            stack.extend(reversed([d.key for d in current.derefs]))
            stack.extend(reversed(current.args))


def strings(value, path: str):
    """``(json_path, text)`` for every string in a JSON value; keys follow the loader's path spelling."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, key_path(path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{path}[{i}]")


def key_path(base: str, key: str) -> str:
    """``base.key``, or ``base['key']`` for a key that is not an identifier (the loader's spelling)."""
    key = str(key)
    if key.isidentifier():
        return f"{base}.{key}" if base else key
    return f"{base}['{key}']"
