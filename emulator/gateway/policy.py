"""Policy documents: ``<policies>`` with ``inbound``, ``backend``, ``outbound`` and ``on-error`` sections, each a
list of registered policy objects built when the configuration loads, and ``<base/>`` composition across the
global, product, API and operation scopes.

A policy family module registers its classes with :func:`policy`; adding a policy touches that module only.
"""

from __future__ import annotations

from .errors import Answer, PolicyError, internal_error
from .expressions import Expression, ExpressionLoadError, compile_value
from .xml import Node

SECTIONS = ("inbound", "backend", "outbound", "on-error")
ALL = frozenset(SECTIONS)
REGISTRY: dict[str, type] = {}


def policy(element: str, sections=ALL):
    """Register a policy class under its APIM element name, allowed in ``sections``."""

    def register(cls):
        cls.element = element
        cls.sections = frozenset(sections)
        REGISTRY[element] = cls
        return cls

    return register


class Policy:
    """One policy element. ``attributes`` lists the attribute names APIM documents for it (others are load
    errors); ``children`` the child element names (None: the class checks them itself)."""

    element = ""
    sections = ALL
    attributes: frozenset = frozenset()
    children: frozenset | None = frozenset()

    def __init__(self, node: Node, loader: Loader):
        self.node = node

    async def run(self, ex) -> None:  # pragma: no cover - every policy overrides it
        raise NotImplementedError

    async def execute(self, ex) -> None:
        from .csharp import EvalError

        try:
            await self.run(ex)
        except EvalError as exc:
            raise internal_error(self.element, "ExpressionValueEvaluationFailure",
                                 f"Expression evaluation failed. {exc}") from None


class IntValue:
    """An integer known at load, or an expression whose text must be an integer when the call runs."""

    def __init__(self, node: Node, expression: Expression | None = None, constant: int | None = None):
        self.node, self.expression, self.constant = node, expression, constant

    def get(self, ex) -> int:
        if self.expression is None:
            return self.constant
        from .csharp import EvalError

        value = self.expression.evaluate(ex)
        try:
            return int(value) if not isinstance(value, bool) else int("x")
        except (TypeError, ValueError):
            raise EvalError(f"'{value}' is not an integer") from None


BASE = object()  # the <base/> placeholder inside a section


class Loader:
    """What a policy's constructor may use: compile attribute values and text, read child statements."""

    def __init__(self, section: str):
        self.section = section

    def check(self, node: Node, attributes, children) -> None:
        for name in node.attrs:
            if name not in attributes:
                raise node.error(f"the attribute '{name}' is not supported on <{node.tag}>")
        if children is not None:
            for child in node.children:
                if child.tag not in children:
                    raise child.error(f"the element <{child.tag}> is not allowed inside <{node.tag}>")

    def value(self, node: Node, attr: str, required: bool = False, default=None) -> Expression | None:
        text = node.attrs.get(attr)
        if text is None:
            if required:
                raise node.error(f"the attribute '{attr}' is required")
            return None if default is None else Expression(str(default), constant=default)
        return self.compile(node, text)

    def text(self, node: Node) -> Expression:
        return self.compile(node, node.text)

    def compile(self, node: Node, text: str) -> Expression:
        try:
            return compile_value(text)
        except ExpressionLoadError as exc:
            raise node.error(f"unsupported expression '{text.strip()[:80]}': {exc}") from None

    def number(self, node: Node, attr: str, required: bool = False, default=None):
        text = node.attrs.get(attr)
        if text is None:
            if required:
                raise node.error(f"the attribute '{attr}' is required")
            return default
        try:
            return int(text)
        except ValueError:
            raise node.error(f"the attribute '{attr}' must be an integer, not '{text}'") from None

    def integer(self, node: Node, attr: str, required: bool = False, default=None):
        """An integer attribute where APIM allows a policy expression: an :class:`IntValue` (None if absent)."""
        text = node.attrs.get(attr)
        if text is None or not text.strip().startswith("@"):
            number = self.number(node, attr, required, default)
            return None if number is None else IntValue(node, constant=number)
        return IntValue(node, self.compile(node, text))

    def flag(self, node: Node, attr: str, default: bool) -> bool:
        text = node.attrs.get(attr)
        if text is None:
            return default
        if text.strip().lower() not in ("true", "false"):
            raise node.error(f"the attribute '{attr}' must be 'true' or 'false', not '{text}'")
        return text.strip().lower() == "true"

    def choice(self, node: Node, attr: str, choices, default=None) -> str | None:
        text = node.attrs.get(attr)
        if text is None:
            return default
        if text not in choices:
            raise node.error(f"the attribute '{attr}' must be one of {', '.join(choices)}, not '{text}'")
        return text

    def statements(self, nodes, allow_base: bool = False) -> list:
        out = []
        for node in nodes:
            if node.tag == "base":
                if not allow_base:
                    raise node.error("<base/> is only allowed directly inside a section")
                if node.attrs or node.children:
                    raise node.error("<base/> takes no attributes or children")
                out.append(BASE)
                continue
            cls = REGISTRY.get(node.tag)
            if cls is None:
                raise node.error(f"the policy <{node.tag}> is not supported")
            if self.section not in cls.sections:
                raise node.error(f"the policy <{node.tag}> is not allowed in the '{self.section}' section")
            self.check(node, cls.attributes, cls.children)
            out.append(cls(node, self))
        return out


class PolicyDocument:
    """One scope's ``<policies>``: per section a statement list, or None when the section is absent."""

    def __init__(self, root: Node, scope: str):
        self.file, self.scope = root.file, scope
        if root.tag != "policies":
            raise root.error("the root element of a policy must be <policies>")
        self.sections: dict[str, list | None] = dict.fromkeys(SECTIONS)
        for node in root.children:
            if node.tag not in SECTIONS:
                raise node.error(f"<{node.tag}> is not a policy section (inbound, backend, outbound, on-error)")
            if node.attrs:
                raise node.error(f"<{node.tag}> takes no attributes")
            if self.sections[node.tag] is not None:
                raise node.error(f"the section <{node.tag}> appears twice")
            statements = Loader(node.tag).statements(node.children, allow_base=True)
            if statements.count(BASE) > 1:
                raise node.error("<base/> may appear only once per section")
            self.sections[node.tag] = statements


DEFAULT_GLOBAL = "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>"


def compose(documents, section: str) -> tuple:
    """The statements one section runs: the innermost scope's list with ``<base/>`` replaced by the enclosing
    scope's, recursively (``documents`` from global to operation; a missing document or section is
    ``<base/>``)."""
    result: list = []
    for doc in documents:
        own = doc.sections.get(section) if doc is not None else None
        if own is None:
            continue  # nothing of its own: the enclosing scopes' statements stand
        merged: list = []
        for statement in own:
            merged.extend(result) if statement is BASE else merged.append(statement)
        result = merged
    return tuple(result)


async def run_statements(statements, ex) -> None:
    for statement in statements:
        await statement.execute(ex)


class Pipeline:
    """The four composed sections of one (operation, product) pair, built once and cached by the gateway."""

    def __init__(self, documents):
        self.inbound, self.backend, self.outbound, self.on_error = (compose(documents, s) for s in SECTIONS)

    async def run(self, ex) -> None:
        """Run the sections; the answer is left in ``ex.response`` and ``ex.answered_by``."""
        try:
            for name, statements in (("inbound", self.inbound), ("backend", self.backend),
                                     ("outbound", self.outbound)):
                ex.section = name
                await run_statements(statements, ex)
        except Answer as answer:
            ex.answered_by = answer.source
        except PolicyError as error:
            await self.failed(ex, error)

    async def failed(self, ex, error: PolicyError) -> None:
        error.section = ex.section
        apply_error(ex, error)
        ex.section = "on-error"
        try:
            await run_statements(self.on_error, ex)
        except Answer as answer:
            ex.answered_by = answer.source
        except PolicyError as second:  # an error inside on-error: answered as is
            apply_error(ex, second)


def apply_error(ex, error: PolicyError) -> None:
    ex.last_error = error
    ex.answered_by = error.source
    response = ex.response
    response.status, response.reason = error.status, _REASONS.get(error.status, "")
    response.headers.clear()
    response.headers["Content-Type"] = "application/json"
    response.headers.update(error.headers)
    response.body = error.body


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}

