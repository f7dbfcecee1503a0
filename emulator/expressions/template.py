"""The template level of a JSON string value: ``@expr`` (typed), ``@{...}`` (interpolation), ``@@`` (escape).

:func:`compile_template` turns one string into a :class:`Template` whose ``evaluate(context)``
gives the value. :func:`compile_value` does the same for a whole JSON value (action inputs).
"""

from __future__ import annotations

from .. import limits
from .compiler import compile_expression
from .context import EvalContext, as_context
from .errors import ExpressionError, ExpressionSyntaxError
from .values import to_string


class Template:
    """A compiled JSON string value.

    ``kind`` is ``"literal"``, ``"expression"`` or ``"interpolation"``. ``problems`` lists
    deferred errors (unknown functions, wrong arity) with columns in the string value.
    ``evaluate(context=None)`` gives the value under ``context`` (an :class:`EvalContext`, a
    conformance-style mapping, or None); it is the compiled function itself, with no wrapper.
    """

    __slots__ = ("source", "kind", "problems", "evaluate")

    def __init__(self, source: str, kind: str, fn, problems):
        self.source = source
        self.kind = kind
        self.problems = problems
        self.evaluate = fn

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    def __repr__(self) -> str:  # pragma: no cover
        return f"Template({self.source!r}, kind={self.kind})"


def _compile_body(body: str, offset: int, source: str):
    most = limits.active().expression_chars
    if len(body) > most:
        raise ExpressionSyntaxError(
            f"The template language expression is {len(body)} characters long, which exceeds the limit of "
            f"{most} characters.", column=offset + 1, expression=body, code="InvalidTemplate")
    if not body.strip():
        raise ExpressionSyntaxError(
            f"The template language expression '{body}' is not valid: the expression is empty.",
            column=offset + 1, expression=body)
    try:
        compiled = compile_expression(body, offset + 1)
    except ExpressionSyntaxError as exc:
        raise ExpressionSyntaxError(exc.message, column=offset + (exc.column or 0) + 1,
                                    expression=body) from None
    return compiled, compiled.problems


def split_interpolation(value: str) -> list[tuple[str, str, int]]:
    """Split a string into ``("text", s, offset)`` and ``("expr", body, offset)`` segments.

    ``@@{`` keeps one ``@`` and the ``{`` literally; a segment ends at the first ``}`` outside
    single-quoted text.
    """
    parts: list[tuple[str, str, int]] = []
    buf: list[str] = []
    buf_start = 0
    i = 0
    n = len(value)
    while i < n:
        j = value.find("@{", i)
        if j < 0:
            buf.append(value[i:])
            break
        if j > 0 and value[j - 1] == "@":
            # "@@{" escape: drop one '@' and keep "{"
            buf.append(value[i:j])
            buf.append("{")
            i = j + 2
            continue
        buf.append(value[i:j])
        k = j + 2
        in_quote = False
        while k < n:
            ch = value[k]
            if ch == "'":
                in_quote = not in_quote
            elif ch == "}" and not in_quote:
                break
            k += 1
        if k >= n:
            raise ExpressionSyntaxError(
                f"The template language expression '{value[j:]}' is not valid: the string literal or segment "
                f"starting at position '{j}' is not terminated.", column=j + 1, expression=value,
                code="InvalidTemplate")
        if buf:
            parts.append(("text", "".join(buf), buf_start))
            buf = []
        parts.append(("expr", value[j + 2:k], j + 2))
        i = k + 1
        buf_start = i
    if buf and "".join(buf):
        parts.append(("text", "".join(buf), buf_start))
    return parts


def compile_template(value: str, *, strict: bool = False) -> Template:
    """Compile one JSON string value.

    Syntax errors always raise :class:`ExpressionSyntaxError` (with a 1-based ``column`` in the string
    value). Unknown functions and wrong arity raise at evaluation, as on the host, unless ``strict``
    is true; either way they are listed in ``Template.problems``.
    """
    if not isinstance(value, str):
        raise TypeError("compile_template expects a string")
    if len(value) >= 2 and value[0] == "@" and value[1] != "{":
        if value[1] == "@":
            lit = value[1:]
            return Template(value, "literal", lambda ctx=None: lit, ())
        compiled, problems = _compile_body(value[1:], 1, value)
        if strict and problems:
            raise problems[0]
        if compiled.is_const:
            return Template(value, "expression", compiled.fn, problems)
        return Template(value, "expression", compiled.fn, problems)
    if "@{" in value:
        segments = split_interpolation(value)
        pieces = []
        problems: list[ExpressionError] = []
        for kind, text, offset in segments:
            if kind == "text":
                pieces.append(text)
            else:
                compiled, probs = _compile_body(text, offset, value)
                problems.extend(probs)
                pieces.append(to_string(compiled.const) if compiled.is_const else compiled.fn)
        if strict and problems:
            raise problems[0]
        if all(isinstance(p, str) for p in pieces):
            joined = "".join(pieces)
            kind = "interpolation" if any(k == "expr" for k, _, _ in segments) else "literal"
            return Template(value, kind, lambda ctx=None: joined, tuple(problems))
        parts = tuple(pieces)

        def interpolate(ctx=None):
            if ctx.__class__ is not EvalContext:
                ctx = as_context(ctx)
            return "".join(p if p.__class__ is str else to_string(p(ctx)) for p in parts)

        return Template(value, "interpolation", interpolate, tuple(problems))
    return Template(value, "literal", lambda ctx=None: value, ())


# --------------------------------------------------------------------------- whole JSON values

class CompiledValue:
    """A JSON value (action inputs, a Response body...) with every string compiled.

    ``templates`` lists ``(json_path, Template)`` for every expression inside, so a loader can
    report problems with their paths. ``fn(ctx)`` is the function behind :meth:`evaluate`, for callers
    that already hold an :class:`EvalContext` (the designer conditions compose these).
    """

    __slots__ = ("source", "fn", "templates", "is_static")

    def __init__(self, source, fn, templates, is_static):
        self.source = source
        self.fn = fn
        self.templates = templates
        self.is_static = is_static

    def evaluate(self, context=None):
        if context.__class__ is not EvalContext:
            context = as_context(context)
        return self.fn(context)


def compile_value(value, path: str = "$", *, strict: bool = False) -> CompiledValue:
    """Compile every string in a JSON value. Object keys are not expressions."""
    templates: list[tuple[str, Template]] = []
    fn, static = _compile_node(value, path, templates, strict)
    return CompiledValue(value, fn, templates, static)


def _compile_node(value, path, templates, strict):
    """(fn(ctx), is_static). A static value is evaluated once (``@@`` escapes applied) and copied per call."""
    if isinstance(value, str):
        tpl = compile_template(value, strict=strict)
        if tpl.kind == "literal":
            lit = tpl.evaluate(EvalContext())
            return (lambda ctx: lit), True
        templates.append((path, tpl))
        return tpl.evaluate, False
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            sub = f"{path}.{k}" if _simple_key(k) else f"{path}['{k}']"
            items.append((k, *_compile_node(v, sub, templates, strict)))
        if all(s for _, _, s in items):
            copy = _copier({k: f(None) for k, f, _ in items})
            return (lambda ctx: copy()), True
        pairs = tuple((k, f) for k, f, _ in items)
        return (lambda ctx: {k: f(ctx) for k, f in pairs}), False
    if isinstance(value, list):
        items = [_compile_node(v, f"{path}[{i}]", templates, strict) for i, v in enumerate(value)]
        if all(s for _, s in items):
            copy = _copier([f(None) for f, _ in items])
            return (lambda ctx: copy()), True
        fns = tuple(f for f, _ in items)
        return (lambda ctx: [f(ctx) for f in fns]), False
    return (lambda ctx: value), True


def _copier(frozen):
    """A function giving a fresh copy of the plain JSON data ``frozen`` (a dict or a list) on every call.

    Only dicts and lists are mutable: each is copied with its own ``copy()`` (in C), and only the children that
    are dicts or lists are copied again, by copiers made here once (a static Response body is copied per run).
    """
    mutable = (dict, list)
    if frozen.__class__ is dict:
        inner = tuple((key, _copier(v)) for key, v in frozen.items() if v.__class__ in mutable)
    else:
        inner = tuple((i, _copier(v)) for i, v in enumerate(frozen) if v.__class__ in mutable)
    if not inner:
        return frozen.copy

    def copy():
        fresh = frozen.copy()
        for where, copy_child in inner:
            fresh[where] = copy_child()
        return fresh
    return copy


def _simple_key(key: str) -> bool:
    return key.isidentifier()
