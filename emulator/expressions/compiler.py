"""Turns a parsed expression tree into one Python function ``fn(ctx) -> value``.

Each distinct expression text is compiled once per process (see :func:`compile_expression`'s
cache): the tree is translated into the source of a small Python function, which is compiled
with :func:`compile` and run as often as needed. Run time does no parsing, no tree walking and
no name lookups: function implementations, constants and property names are bound as globals of
the generated function.

* Arguments are evaluated left to right, each into a temporary.
* ``if``, ``and``, ``or`` and ``coalesce`` are control forms: only the arguments they need are
  evaluated (host-verified: ``and(false, nope())`` is ``false``).
* Other lazy functions get zero-argument thunks.
* A registered function may give an ``inline`` template (a fast path written as a Python
  expression over its argument temporaries, e.g. ``equals`` on two strings).
* Pure calls on constants that yield immutable values are folded at compile time.
* Unknown functions and wrong arity compile to a ``raise`` at the call, so they fail only when
  reached, as on the host; they are also listed in ``Compiled.problems`` for the loader.
* The column of the call being evaluated is tracked in a local so errors carry it.
"""

from __future__ import annotations

import copy
import warnings
from decimal import Decimal
from functools import lru_cache

from lark import Token, Tree

from .context import EvalContext, as_context
from .errors import ExpressionError, ExpressionSyntaxError, type_error
from .parser import parse
from .registry import lookup
from .values import INT64_MAX, INT64_MIN, select

KEYWORDS = {"null": None, "true": True, "false": False}
IMMUTABLE = (str, int, float, bool, Decimal, type(None))
_NF = object()  # "not found" marker for the inline property fast path


class Compiled:
    """One compiled expression body: ``fn(ctx)`` plus the problems found while compiling.

    ``fn`` accepts an :class:`EvalContext`, a conformance-style mapping or None.

    ``problems`` holds unknown-function and arity errors. The host raises them only when the
    call is reached, so evaluation defers them; the workflow loader reports them at load time.
    ``source`` is the generated Python source (for the curious and for debugging).
    """

    __slots__ = ("fn", "problems", "is_const", "const", "text", "source")

    def __init__(self, fn, problems, is_const=False, const=None, text="", source=""):
        self.fn = fn
        self.problems = problems
        self.is_const = is_const
        self.const = const
        self.text = text
        self.source = source


def _want_bool(function: str, index: int, value) -> bool:
    if value is True or value is False:
        return value
    raise type_error(function, index, "of type boolean", value)


def _raise_copy(err: ExpressionError):
    raise ExpressionError(err.message, code=err.code, column=err.column, expression=err.expression)


class _Gen:
    """Emits the statements of one generated function."""

    def __init__(self, text: str, base: int = 0):
        self.text = text
        self.base = base  # added to positions in ``text`` to give columns in the JSON string value
        self.lines: list[str] = []
        self.ns: dict = {"_NF": _NF, "_sel": select, "_wb": _want_bool, "_raise": _raise_copy,
                         "ExpressionError": ExpressionError, "_TEXT": text, "_EC": EvalContext,
                         "_as_ctx": as_context}
        self.n = 0
        self.problems: list[ExpressionError] = []
        self.consts: dict[str, object] = {}  # atom -> value, for atoms that are compile-time constants

    # ------------------------------------------------------------------ helpers
    def tmp(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def bind(self, value, prefix: str = "_g") -> str:
        self.n += 1
        name = f"{prefix}{self.n}"
        self.ns[name] = value
        return name

    def const(self, value) -> str:
        if value is None or value is True or value is False:
            atom = repr(value)
        elif value.__class__ is int and -(2**31) <= value < 2**31:
            atom = f"({value!r})"
        else:
            atom = self.bind(value, "_k")
        self.consts[atom] = value
        return atom

    def named(self, atom: str, indent: int) -> str:
        """A variable holding ``atom`` (literal atoms are copied to a temporary, for ``is`` tests)."""
        if atom in self.consts:
            out = self.tmp()
            self.emit(indent, f"{out} = {atom}")
            return out
        return atom

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    # ------------------------------------------------------------------ nodes
    def expr(self, node, indent: int) -> str:
        """Emit statements computing ``node``; return a Python atom holding its value."""
        if isinstance(node, Token):
            kind = {"STRING": "string", "NUMBER": "number", "NAME": "keyword"}[node.type]
            node = Tree(kind, [node])
        kind = node.data
        if kind == "string":
            return self.const(node.children[0][1:-1].replace("''", "'"))
        if kind == "number":
            tok = node.children[0]
            text = str(tok)
            if any(c in text for c in ".eE"):
                return self.const(float(text))
            value = int(text)
            if not INT64_MIN <= value <= INT64_MAX:
                raise ExpressionSyntaxError(
                    f"Unable to parse template language expression '{self.text}': the integer literal '{text}' "
                    f"at position '{tok.start_pos}' is outside the range of a 64-bit integer.",
                    column=tok.start_pos, expression=self.text)
            return self.const(value)
        if kind == "keyword":
            return self.keyword(node.children[0])
        if kind == "call":
            return self.call(node, indent)
        raise ExpressionSyntaxError(f"Unexpected expression node {kind}", expression=self.text)  # pragma: no cover

    def keyword(self, tok: Token) -> str:
        low = str(tok).lower()
        if low in KEYWORDS:
            return self.const(KEYWORDS[low])
        if len(tok) >= 2 and tok.startswith('"') and tok.endswith('"'):
            raise ExpressionSyntaxError(
                f"Unable to parse template language expression '{self.text}': string literals must be "
                f"enclosed in single quotes; found {tok} at position '{tok.start_pos}'.",
                column=tok.start_pos, expression=self.text)
        raise ExpressionSyntaxError(
            f"Unable to parse template language expression '{self.text}': expected token "
            f"'LeftParenthesis' and actual 'EndOfData' after '{tok}'.",
            column=tok.start_pos, expression=self.text)

    def call(self, node: Tree, indent: int) -> str:
        name_tok: Token = node.children[0]
        rest = node.children[1:]
        args = [c for c in rest if not (isinstance(c, Tree) and c.data in ("prop", "index"))]
        derefs = [c for c in rest if isinstance(c, Tree) and c.data in ("prop", "index")]
        column = name_tok.start_pos + self.base
        spec = lookup(str(name_tok))
        err = None
        if spec is None:
            err = ExpressionError(f"The template function '{name_tok}' is not defined or not valid.",
                                  column=column, expression=self.text)
        else:
            err = spec.arity_error(len(args))
            if err is not None:
                err.column, err.expression = column, self.text
        if err is not None:
            self.problems.append(err)
            # arguments are still checked for problems of their own, but never evaluated
            for a in args:
                _Gen.expr(self._shadow(), a, 0)
            self.emit(indent, f"_raise({self.bind(err, '_e')})")
            atom = "None"
        else:
            control = _CONTROL.get(spec.name.lower()) if spec.lazy else None
            if control is not None:
                atom = control(self, spec, args, column, indent)
            elif spec.lazy:
                atom = self.lazy_call(spec, args, column, indent)
            else:
                atom = self.plain_call(spec, args, column, indent)
        if derefs:
            self.emit(indent, f"_col = {column}")
        for d in derefs:
            atom = self.deref(atom, d, indent)
        return atom

    def _shadow(self) -> _Gen:
        """A throw-away generator that shares the problem list (for arguments of a failed call)."""
        g = _Gen(self.text, self.base)
        g.problems = self.problems
        return g

    def plain_call(self, spec, args, column, indent) -> str:
        atoms = [self.expr(a, indent) for a in args]
        if spec.pure and all(a in self.consts for a in atoms):
            try:
                value = spec.impl(*[self.consts[a] for a in atoms])
            except ExpressionError:
                pass  # raised at evaluation time, where the host raises it
            else:
                if isinstance(value, IMMUTABLE):
                    return self.const(value)
        fn = self.bind(spec.impl, "_f")
        call_args = (["ctx"] if spec.context else []) + atoms
        out = self.tmp()
        self.emit(indent, f"_col = {column}")
        if spec.inline_try:
            self.emit(indent, "try:")
            self.emit(indent + 1, f"{out} = " + spec.inline_try.format(*atoms, fn=fn, ctx="ctx"))
            self.emit(indent, "except (KeyError, TypeError):")
            self.emit(indent + 1, f"{out} = {fn}({', '.join(call_args)})")
        elif spec.inline:
            self.emit(indent, f"{out} = " + spec.inline.format(*atoms, fn=fn, ctx="ctx"))
        else:
            self.emit(indent, f"{out} = {fn}({', '.join(call_args)})")
        return out

    def lazy_call(self, spec, args, column, indent) -> str:
        thunks = []
        for a in args:
            name = f"_th{self.n + 1}"
            self.n += 1
            self.emit(indent, f"def {name}():")
            atom = self.expr(a, indent + 1)
            self.emit(indent + 1, f"return {atom}")
            thunks.append(name)
        fn = self.bind(spec.impl, "_f")
        out = self.tmp()
        self.emit(indent, f"_col = {column}")
        self.emit(indent, f"{out} = {fn}(ctx, {', '.join(thunks)})")
        return out

    def deref(self, base: str, d: Tree, indent: int) -> str:
        base = self.named(base, indent)  # a literal (folded) base would be subscripted in the source itself
        safe = any(isinstance(c, Token) and c.type == "SAFE" for c in d.children)
        rest = [c for c in d.children if not (isinstance(c, Token) and c.type == "SAFE")]
        if d.data == "prop":
            key = self.const(str(rest[0]))
        else:
            key = self.expr(rest[0], indent)
        out = self.tmp()
        if key in self.consts and isinstance(self.consts[key], str):
            # fast path: the exact key of an object; everything else (case-insensitive match, '?',
            # null, arrays, errors) goes through select(). A str key never indexes a list or string.
            self.emit(indent, "try:")
            self.emit(indent + 1, f"{out} = {base}[{key}]")
            self.emit(indent, "except (KeyError, TypeError):")
            self.emit(indent + 1, f"{out} = _sel({base}, {key}, {safe}, _TEXT)")
        else:
            self.emit(indent, f"{out} = _sel({base}, {key}, {safe}, _TEXT)")
        return out


# ---------------------------------------------------------------------- control forms

def _gen_if(g: _Gen, spec, args, column, indent) -> str:
    cond = g.named(g.expr(args[0], indent), indent)
    out = g.tmp()
    g.emit(indent, f"_col = {column}")
    g.emit(indent, f"if {cond} is True or ({cond} is not False and _wb('{spec.name}', 0, {cond})):")
    g.emit(indent + 1, f"{out} = {g.expr(args[1], indent + 1)}")
    g.emit(indent, "else:")
    g.emit(indent + 1, f"{out} = {g.expr(args[2], indent + 1)}")
    return out


def _short_circuit(stop_on: bool):
    """``and`` stops at the first false argument, ``or`` at the first true one."""

    def gen(g: _Gen, spec, args, column, indent) -> str:
        out = g.tmp()
        going = g.tmp()
        g.emit(indent, f"{out} = {not stop_on}")
        g.emit(indent, f"{going} = True")
        for i, a in enumerate(args):
            inner = indent
            if i:
                g.emit(indent, f"if {going}:")
                inner = indent + 1
            atom = g.named(g.expr(a, inner), inner)
            g.emit(inner, f"if {atom} is not {not stop_on}:")
            g.emit(inner + 1, f"_col = {column}")
            g.emit(inner + 1, f"_wb('{spec.name}', {i}, {atom})")  # raises unless a boolean
            g.emit(inner + 1, f"{out} = {stop_on}")
            g.emit(inner + 1, f"{going} = False")
        return out

    return gen


def _gen_coalesce(g: _Gen, spec, args, column, indent) -> str:
    out = g.tmp()
    g.emit(indent, f"{out} = None")
    for a in args:
        g.emit(indent, f"if {out} is None:")
        g.emit(indent + 1, f"{out} = {g.expr(a, indent + 1)}")
    return out


_CONTROL = {"if": _gen_if, "and": _short_circuit(False), "or": _short_circuit(True), "coalesce": _gen_coalesce}


# ---------------------------------------------------------------------- entry point

@lru_cache(maxsize=65536)
def compile_expression(text: str, base: int = 0) -> Compiled:
    """Compile one expression body (no leading ``@``). Raises :class:`ExpressionSyntaxError`.

    ``base`` is added to positions in ``text`` to give the columns that evaluation errors and
    ``problems`` carry (1-based columns in the JSON string value: ``2`` for ``"@expr"``). Syntax
    errors keep 0-based positions in ``text``.
    """
    tree = parse(text)
    gen = _Gen(text, base)
    try:
        atom = gen.expr(tree, 2)
    except RecursionError:
        raise ExpressionSyntaxError(f"The template language expression '{text[:80]}...' is nested too deeply.",
                                    column=0, expression=text) from None
    if atom in gen.consts and not gen.lines:
        value = gen.consts[atom]
        return Compiled(_constant(value), tuple(gen.problems), True, value, text)
    body = "\n".join(gen.lines)
    source = (
        "def _expr(ctx=None):\n"
        "    if ctx.__class__ is not _EC:\n"
        "        ctx = _as_ctx(ctx)\n"
        "    _col = None\n"
        "    try:\n"
        f"{body}\n"
        f"        return {atom}\n"
        "    except ExpressionError as exc:\n"
        "        if exc.column is None:\n"
        "            exc.column = _col\n"
        "        raise\n"
    )
    try:
        with warnings.catch_warnings():
            # Python warns about code it can prove fails (``None['a']`` after a constant call): such code
            # raises the host's error when evaluated; the user never sees a SyntaxWarning.
            warnings.simplefilter("ignore", SyntaxWarning)
            code = compile(source, f"<expression {text[:60]!r}>", "exec")
    except (RecursionError, MemoryError):
        raise ExpressionSyntaxError(f"The template language expression '{text[:80]}' is nested too deeply.",
                                    column=0, expression=text) from None
    except SyntaxError as exc:  # Python's limits (e.g. indentation depth), or a compiler bug: never a crash
        raise ExpressionSyntaxError(f"The template language expression '{text[:80]}' could not be compiled "
                                    f"({exc.msg}).", column=0, expression=text) from None
    namespace = dict(gen.ns)
    exec(code, namespace)  # noqa: S102 - source generated above from a parsed tree; no user text is code
    return Compiled(namespace["_expr"], tuple(gen.problems), False, None, text, source)


def _constant(value):
    if isinstance(value, IMMUTABLE):
        return lambda ctx=None: value
    return lambda ctx=None: copy.deepcopy(value)
