"""Policy expressions ``@(...)`` and ``@{...}``: parsed with ``grammar/apim.lark`` when a policy loads and
compiled to Python closures; nothing is parsed per call.

A name, member, method or static type outside the supported C# subset (:mod:`.csharp`, :mod:`.context`) is a
load error naming the file, line and element. At run time a failure (null reference, bad cast...) raises
:class:`~.csharp.EvalError`, which the pipeline answers as APIM does (500, ``context.LastError``).
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from . import csharp
from .context import Named, known_members, known_methods
from .csharp import STATIC_ALIASES, STATIC_MEMBERS, STATIC_METHODS, STATIC_TYPES, EvalError, to_string, truthy


class ExpressionLoadError(Exception):
    """A policy expression that cannot be compiled; the policy loader adds file, line and element."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    text = resources.files("emulator.grammar").joinpath("apim.lark").read_text(encoding="utf-8")
    return Lark(text, parser="lalr", start=["expr", "block"], maybe_placeholders=True)


@lru_cache(maxsize=1)
def _names() -> tuple:
    return frozenset(known_members()), frozenset(known_methods())


class Expression:
    """A compiled value: a constant, or an expression evaluated against one call's :class:`Exchange`."""

    def __init__(self, source: str, fn=None, constant=None):
        self.source, self._fn, self.constant = source, fn, constant

    @property
    def is_constant(self) -> bool:
        return self._fn is None

    def evaluate(self, ex):
        if self._fn is None:
            return self.constant
        try:
            return self._fn({"context": ex.view})
        except EvalError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError,
                RecursionError) as exc:
            raise EvalError(f"{type(exc).__name__}: {exc}") from None

    def text(self, ex) -> str:
        value = self.evaluate(ex)
        return value if isinstance(value, str) else to_string(value)


def compile_value(text: str | None) -> Expression | None:
    """``@(expr)`` / ``@{block}`` compiled, anything else a constant string; None stays None."""
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("@(") and stripped.endswith(")"):
        return Expression(text, _compile(stripped[2:-1], "expr"))
    if stripped.startswith("@{") and stripped.endswith("}"):
        return Expression(text, _compile(stripped[2:-1], "block"))
    return Expression(text, constant=text)


def _compile(body: str, start: str):
    try:
        tree = _parser().parse(body, start=start)
    except UnexpectedInput as exc:
        snippet = body[max(0, exc.pos_in_stream - 10): exc.pos_in_stream + 10] if exc.pos_in_stream else body[:20]
        raise ExpressionLoadError(f"the expression cannot be parsed at column {exc.column}: "
                                  f"unexpected input near '{snippet}'") from None
    compiler = _Compiler()
    try:
        if start == "expr":
            return compiler.expr(tree, frozenset())
        run = compiler.block(tree.children, set())
    except RecursionError:
        raise ExpressionLoadError("the expression is nested too deeply") from None

    def block(env):
        done, value = run(env)
        if not done:
            raise EvalError("the multi-statement expression ended without a return")
        return value

    return block


# ---------------------------------------------------------------------------------------------- compiler
_UNESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}


def _unescape(text: str) -> str:
    def one(m):
        code = m.group(1)
        if code.startswith("u") and len(code) == 5:
            return chr(int(code[1:], 16))
        if code not in _ESCAPES:
            raise ExpressionLoadError(f"unrecognized escape sequence '\\{code}'")
        return _ESCAPES[code]

    return _UNESCAPE.sub(one, text)


def _num(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(a, b) -> bool:
    if _num(a) and _num(b) or isinstance(a, str) and isinstance(b, str):
        return a == b
    return type(a) is type(b) and a == b if a is not None and b is not None else a is b


def _compare(op):
    def check(a, b):
        if not ((_num(a) and _num(b)) or type(a) is type(b)) or a is None:
            raise EvalError(f"operator cannot compare '{csharp.type_name_of(a)}' and '{csharp.type_name_of(b)}'")
        return op(a, b)
    return check


def _add(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return to_string(a) + to_string(b)
    if a is None or b is None:
        return None
    return a + b


def _div(a, b):
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise EvalError("Attempted to divide by zero.")
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    return a / b


def _mod(a, b):
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise EvalError("Attempted to divide by zero.")
        return a - b * _div(a, b)
    return a % b


_BINARY = {"==": _equal, "!=": lambda a, b: not _equal(a, b), "<": _compare(operator.lt),
           ">": _compare(operator.gt), "<=": _compare(operator.le), ">=": _compare(operator.ge), "+": _add,
           "-": operator.sub, "*": operator.mul, "/": _div, "%": _mod}


_CALLS = ("call", "safe_call", "generic_call", "safe_generic_call")


class _Static:
    def __init__(self, name):
        self.name = name


class _Compiler:
    def __init__(self):
        self.members, self.methods = _names()

    # -- statements ------------------------------------------------------------------------------
    def block(self, statements, scope: set):
        steps = [self.statement(s, scope) for s in statements]

        def run(env):
            for step in steps:
                done, value = step(env)
                if done:
                    return True, value
            return False, None

        return run

    def statement(self, node: Tree, scope: set):
        kind = node.data
        if kind in ("var_decl", "typed_decl"):
            name_tok, value = node.children[-2], node.children[-1]
            fn = self.expr(value, frozenset(scope))
            cast = str(node.children[0]) if kind == "typed_decl" else None
            name = str(name_tok)
            scope.add(name)

            def declare(env):
                value = fn(env)
                env[name] = csharp.convert(value, cast) if cast and cast != "var" else value
                return False, None

            return declare
        if kind == "typed_decl_only":
            name = str(node.children[1])
            scope.add(name)

            def declare_only(env):
                env[name] = None
                return False, None

            return declare_only
        if kind == "assign":
            return self._assign(node.children[0], self.expr(node.children[1], frozenset(scope)), scope)
        if kind in ("compound_assign", "increment"):
            target = node.children[0]
            op = str(node.children[1])
            current = self.expr(target, frozenset(scope))
            operand = self.expr(node.children[2], frozenset(scope)) if kind == "compound_assign" else (lambda env: 1)
            binary = _BINARY[op[0]]
            return self._assign(target, lambda env: binary(current(env), operand(env)), scope)
        if kind == "expr_stmt":
            target = node.children[0]
            if not isinstance(target, Tree) or target.data not in _CALLS:
                raise ExpressionLoadError("only a method call can be used as a statement")
            fn = self.expr(target, frozenset(scope))

            def call(env):
                fn(env)
                return False, None

            return call
        if kind == "foreach":
            name = str(node.children[1])
            items = self.expr(node.children[2], frozenset(scope))
            body = self.statement(node.children[3], set(scope) | {name})

            def loop(env):
                for item in csharp.iterate(items(env)):
                    env[name] = item
                    done, value = body(env)
                    if done:
                        return True, value
                return False, None

            return loop
        if kind == "return_stmt":
            fn = self.expr(node.children[0], frozenset(scope))
            return lambda env: (True, fn(env))
        if kind == "if_stmt":
            cond = self.expr(node.children[0], frozenset(scope))
            then = self.statement(node.children[1], set(scope))
            other = self.statement(node.children[2], set(scope)) if node.children[2] is not None else None

            def branch(env):
                if truthy(cond(env)):
                    return then(env)
                return other(env) if other is not None else (False, None)

            return branch
        if kind == "compound":
            return self.block(node.children, set(scope))
        raise ExpressionLoadError(f"the statement '{kind}' is not supported")

    def _assign(self, target, fn, scope):
        """``name = value;`` (a declared local) or ``target[key] = value;`` (a JObject property, an array item)."""
        if isinstance(target, Tree) and target.data == "name":
            name = str(target.children[0])
            if name not in scope:
                raise ExpressionLoadError(f"the name '{name}' does not exist in the current context")

            def assign(env):
                env[name] = fn(env)
                return False, None

            return assign
        if isinstance(target, Tree) and target.data == "index":
            receiver, key = self.expr(target.children[0], frozenset(scope)), self.expr(target.children[1], scope)

            def store(env):
                csharp.set_index(receiver(env), key(env), fn(env))
                return False, None

            return store
        raise ExpressionLoadError("the left-hand side of an assignment must be a variable or an indexer")

    # -- expressions -----------------------------------------------------------------------------
    def expr(self, node, scope: frozenset):
        fn = self._expr(node, scope)
        if isinstance(fn, _Static):
            raise ExpressionLoadError(f"the type '{fn.name}' cannot be used as a value")
        return fn

    def _expr(self, node, scope):
        if isinstance(node, Token):
            raise ExpressionLoadError(f"unexpected token '{node}'")
        method = getattr(self, "e_" + node.data.rstrip("_"), None)
        if method is None:
            raise ExpressionLoadError(f"the expression form '{node.data}' is not supported")
        return method(node.children, scope)

    def e_string(self, c, scope):
        value = _unescape(str(c[0])[1:-1])
        return lambda env: value

    def e_verbatim(self, c, scope):
        value = str(c[0])[2:-1].replace('""', '"')
        return lambda env: value

    def e_char(self, c, scope):
        value = _unescape(str(c[0])[1:-1])
        return lambda env: value

    def e_number(self, c, scope):
        text = str(c[0]).rstrip("LlDdFfMm")
        value = float(text) if any(ch in text for ch in ".eE") or str(c[0])[-1:] in "DdFfMm" else int(text)
        return lambda env: value

    def e_true(self, c, scope):
        return lambda env: True

    def e_false(self, c, scope):
        return lambda env: False

    def e_null(self, c, scope):
        return lambda env: None

    def e_interpolated(self, c, scope):
        raw = str(c[0])[2:-1]
        parts, i, literal = [], 0, []
        while i < len(raw):
            ch = raw[i]
            if ch in "{}" and raw[i:i + 2] in ("{{", "}}"):
                literal.append(ch)
                i += 2
            elif ch == "{":
                end = raw.find("}", i)
                if end < 0:
                    raise ExpressionLoadError("an interpolated string has an unclosed '{'")
                if literal:
                    text = _unescape("".join(literal))
                    parts.append(lambda env, t=text: t)
                    literal = []
                try:
                    inner = _parser().parse(raw[i + 1:end], start="expr")
                except UnexpectedInput:
                    raise ExpressionLoadError(f"cannot parse '{raw[i + 1:end]}' in an interpolated string") from None
                fn = self.expr(inner, scope)
                parts.append(lambda env, f=fn: to_string(f(env)))
                i = end + 1
            else:
                literal.append(ch)
                i += 1
        if literal:
            text = _unescape("".join(literal))
            parts.append(lambda env, t=text: t)
        return lambda env: "".join(p(env) for p in parts)

    def e_name(self, c, scope):
        name = str(c[0])
        if name in scope or name == "context":
            return lambda env: env[name]
        static = STATIC_ALIASES.get(name, name)
        if static in STATIC_TYPES:
            return _Static(static)
        raise ExpressionLoadError(f"the name '{name}' does not exist in the current context")

    def e_member(self, c, scope, safe=False):
        target = self._expr(c[0], scope)
        name = str(c[1])
        if isinstance(target, _Static):
            getter = STATIC_MEMBERS.get((target.name, name))
            if getter is None:
                raise ExpressionLoadError(f"'{target.name}' does not contain a definition for '{name}'")
            return lambda env: getter()
        if name not in self.members:
            raise ExpressionLoadError(f"the member '{name}' is not supported")
        get = csharp.get_member
        if safe:
            return lambda env: None if (v := target(env)) is None else get(v, name)
        return lambda env: get(target(env), name)

    def e_safe_member(self, c, scope):
        return self.e_member(c, scope, safe=True)

    def _args(self, node, scope):
        if node is None:
            return []
        out = []
        for arg in node.children:
            if isinstance(arg, Tree) and arg.data == "named_arg":
                fn = self.expr(arg.children[1], scope)
                out.append(lambda env, n=str(arg.children[0]), f=fn: Named(n, f(env)))
            elif isinstance(arg, Tree) and arg.data == "lambda_":
                param = str(arg.children[0])
                body = self.expr(arg.children[1], scope | {param})
                out.append(lambda env, p=param, b=body: (lambda x: b({**env, p: x})))
            else:
                out.append(self.expr(arg, scope))
        return out

    def e_call(self, c, scope, safe=False, generic=None):
        target = self._expr(c[0], scope)
        name = str(c[1])
        if generic is None and "<" in name:
            name, _, rest = name.partition("<")
            generic = rest[:-1]
        args = self._args(c[2], scope)
        if isinstance(target, _Static):
            fn = STATIC_METHODS.get((target.name, name))
            if fn is None:
                raise ExpressionLoadError(f"'{target.name}' does not contain a method '{name}'")
            return lambda env: fn([a(env) for a in args])
        if name not in self.methods:
            raise ExpressionLoadError(f"the method '{name}' is not supported")
        call = csharp.call_method
        has_named = any(isinstance(a, Tree) and a.data == "named_arg" for a in (c[2].children if c[2] else []))

        def invoke(env):
            receiver = target(env)
            if receiver is None and safe:
                return None
            values = [a(env) for a in args]
            if has_named and not isinstance(receiver, csharp.CsObject):
                values = [v.value if isinstance(v, Named) else v for v in values]
            return call(receiver, name, values, generic)

        return invoke

    def e_safe_call(self, c, scope):
        return self.e_call(c, scope, safe=True)

    def e_generic_call(self, c, scope):
        return self.e_call(c, scope)

    def e_safe_generic_call(self, c, scope):
        return self.e_call(c, scope, safe=True)

    def e_new_array(self, c, scope):
        items = self._args(c[1], scope)
        return lambda env: [a(env) for a in items]

    def e_new_object(self, c, scope):
        kind = str(c[0])
        make = csharp.CONSTRUCTORS.get(kind)
        if make is None:
            raise ExpressionLoadError(f"the type '{kind}' cannot be created in an expression")
        args = self._args(c[1], scope)
        return lambda env: make([a(env) for a in args])

    def e_index(self, c, scope):
        target, key = self.expr(c[0], scope), self.expr(c[1], scope)
        return lambda env: csharp.index(target(env), key(env))

    def e_not(self, c, scope):
        fn = self.expr(c[0], scope)
        return lambda env: not truthy(fn(env))

    def e_neg(self, c, scope):
        fn = self.expr(c[0], scope)
        return lambda env: -fn(env)

    def e_cast(self, c, scope):
        kind, fn = str(c[0])[1:-1], self.expr(c[1], scope)
        return lambda env: csharp.convert(fn(env), kind)

    def e_and(self, c, scope):
        a, b = self.expr(c[0], scope), self.expr(c[1], scope)
        return lambda env: truthy(a(env)) and truthy(b(env))

    def e_or(self, c, scope):
        a, b = self.expr(c[0], scope), self.expr(c[1], scope)
        return lambda env: truthy(a(env)) or truthy(b(env))

    def e_compare(self, c, scope):
        a, op, b = self.expr(c[0], scope), _BINARY[str(c[1])], self.expr(c[2], scope)
        return lambda env: op(a(env), b(env))

    e_arith = e_compare

    def e_coalesce(self, c, scope):
        a, b = self.expr(c[0], scope), self.expr(c[1], scope)
        return lambda env: v if (v := a(env)) is not None else b(env)

    def e_ternary(self, c, scope):
        cond, a, b = (self.expr(x, scope) for x in c)
        return lambda env: a(env) if truthy(cond(env)) else b(env)
