"""Turns a parsed expression tree into a Python closure ``fn(ctx) -> value``.

Compiled once per distinct expression text (see :func:`compile_expression`'s cache); the
closures do no parsing or name lookup at run time. Pure calls on constant arguments that
yield immutable values are folded at compile time.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from lark import Token, Tree

from .errors import ExpressionError, ExpressionSyntaxError
from .parser import parse
from .values import select

KEYWORDS = {"null": None, "true": True, "false": False}
IMMUTABLE = (str, int, float, bool, Decimal, type(None))


class Compiled:
    """One compiled expression body: ``fn(ctx)`` plus the problems found while compiling.

    ``problems`` holds unknown-function and arity errors. The host raises them only when the
    call is reached (``and(false, nope())`` is ``false``), so evaluation defers them; the
    workflow loader reports them at load time.
    """

    __slots__ = ("fn", "problems", "is_const", "const", "text")

    def __init__(self, fn, problems, is_const=False, const=None, text=""):
        self.fn = fn
        self.problems = problems
        self.is_const = is_const
        self.const = const
        self.text = text


def _raise(err: ExpressionError):
    def fn(ctx):
        raise err

    return fn


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.problems: list[ExpressionError] = []

    # each build_* returns (fn, is_const, const_value)
    def build(self, node):
        if isinstance(node, Token):  # a bare token can only be the start symbol's single child
            return self.build(Tree({"STRING": "string", "NUMBER": "number", "NAME": "keyword"}[node.type], [node]))
        kind = node.data
        if kind == "string":
            tok = node.children[0]
            value = tok[1:-1].replace("''", "'")
            return _const(value)
        if kind == "number":
            return _const(_number(node.children[0]))
        if kind == "keyword":
            tok = node.children[0]
            low = str(tok).lower()
            if low in KEYWORDS:
                return _const(KEYWORDS[low])
            if len(tok) >= 2 and tok.startswith('"') and tok.endswith('"'):
                raise ExpressionSyntaxError(
                    f"Unable to parse template language expression '{self.text}': string literals must be "
                    f"enclosed in single quotes; found {tok} at position '{tok.start_pos}'.",
                    column=tok.start_pos, expression=self.text)
            raise ExpressionSyntaxError(
                f"Unable to parse template language expression '{self.text}': expected token "
                f"'LeftParenthesis' and actual 'EndOfData' after '{tok}'.",
                column=tok.start_pos, expression=self.text)
        if kind == "call":
            return self.build_call(node)
        raise ExpressionSyntaxError(f"Unexpected expression node {kind}", expression=self.text)  # pragma: no cover

    def build_call(self, node: Tree):
        from ..functions.registry import lookup

        name_tok: Token = node.children[0]
        args = [c for c in node.children[1:] if isinstance(c, (Tree, Token)) and
                not (isinstance(c, Tree) and c.data in ("prop", "index"))]
        derefs = [c for c in node.children[1:] if isinstance(c, Tree) and c.data in ("prop", "index")]
        built = [self.build(a) for a in args]
        column = name_tok.start_pos
        spec = lookup(str(name_tok))
        if spec is None:
            err = ExpressionError(f"The template function '{name_tok}' is not defined or not valid.",
                                  column=column, expression=self.text)
            self.problems.append(err)
            fn, is_const, value = _raise(err), False, None
        else:
            err = spec.arity_error(len(built))
            if err is not None:
                err.column = column
                err.expression = self.text
                self.problems.append(err)
                fn, is_const, value = _raise(err), False, None
            else:
                fn, is_const, value = _call(spec, built, column)
        if derefs:
            steps = []
            for d in derefs:
                safe = any(isinstance(c, Token) and c.type == "SAFE" for c in d.children)
                rest = [c for c in d.children if not (isinstance(c, Token) and c.type == "SAFE")]
                if d.data == "prop":
                    steps.append((True, str(rest[0]), safe))
                else:
                    kfn, kconst, kval = self.build(rest[0])
                    steps.append((kconst, kval if kconst else kfn, safe))
            fn = _deref(fn, steps, self.text)
            is_const, value = False, None
        return fn, is_const, value


def _number(tok: Token):
    text = str(tok)
    if any(c in text for c in ".eE"):
        return float(text)
    return int(text)


def _const(value):
    return (lambda ctx: value), True, value


def _call(spec, built, column):
    impl = spec.impl
    fns = [b[0] for b in built]

    if spec.lazy:
        def fn(ctx):
            try:
                return impl(ctx, *[(lambda f=f: f(ctx)) for f in fns])
            except ExpressionError as e:
                if e.column is None:
                    e.column = column
                raise
        return fn, False, None

    if spec.pure and all(b[1] for b in built):
        try:
            value = impl(*[b[2] for b in built])
        except ExpressionError:
            pass  # raise at evaluation time, where the host raises it
        else:
            if isinstance(value, IMMUTABLE):
                return _const(value)

    n = len(fns)
    if spec.context:
        if n == 0:
            fn = impl  # no arguments: nothing to wrap (errors get the template's column)
        elif n == 1:
            a0 = fns[0]

            def fn(ctx):
                try:
                    return impl(ctx, a0(ctx))
                except ExpressionError as e:
                    if e.column is None:
                        e.column = column
                    raise
        else:
            def fn(ctx):
                try:
                    return impl(ctx, *[f(ctx) for f in fns])
                except ExpressionError as e:
                    if e.column is None:
                        e.column = column
                    raise
        return fn, False, None

    if n == 1:
        a0 = fns[0]

        def fn(ctx):
            try:
                return impl(a0(ctx))
            except ExpressionError as e:
                if e.column is None:
                    e.column = column
                raise
    elif n == 2 and built[1][1]:
        a0, c1 = fns[0], built[1][2]

        def fn(ctx):
            try:
                return impl(a0(ctx), c1)
            except ExpressionError as e:
                if e.column is None:
                    e.column = column
                raise
    elif n == 2:
        a0, a1 = fns

        def fn(ctx):
            try:
                return impl(a0(ctx), a1(ctx))
            except ExpressionError as e:
                if e.column is None:
                    e.column = column
                raise
    else:
        def fn(ctx):
            try:
                return impl(*[f(ctx) for f in fns])
            except ExpressionError as e:
                if e.column is None:
                    e.column = column
                raise
    return fn, False, None


_NF = object()


def _deref(base_fn, steps, text):
    if all(is_const and isinstance(key, str) for is_const, key, _ in steps):
        keys = tuple((key, safe) for _, key, safe in steps)

        def props(ctx):
            value = base_fn(ctx)
            for key, safe in keys:
                if value.__class__ is dict:  # fast path: exact key of a plain object
                    found = value.get(key, _NF)
                    if found is not _NF:
                        value = found
                        continue
                value = select(value, key, safe, text)
            return value

        return props

    def chain(ctx):
        value = base_fn(ctx)
        for is_const, key, safe in steps:
            value = select(value, key if is_const else key(ctx), safe, text)
        return value

    return chain


@lru_cache(maxsize=65536)
def compile_expression(text: str) -> Compiled:
    """Compile one expression body (no leading ``@``). Raises :class:`ExpressionSyntaxError`."""
    tree = parse(text)
    builder = _Builder(text)
    fn, is_const, value = builder.build(tree)
    return Compiled(fn, tuple(builder.problems), is_const, value, text)
