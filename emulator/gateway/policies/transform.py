"""Transformation policies: ``set-header``, ``set-query-parameter``, ``rewrite-uri``, ``set-backend-service``,
``set-method``, ``set-body``, ``set-status``.

``set-header`` and ``set-body`` change the request in ``inbound``/``backend`` and the response in ``outbound``/
``on-error`` (and inside ``return-response``), as in APIM.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

from ..context import split_base
from ..csharp import to_string
from ..errors import PolicyError
from ..policy import Policy, policy

EXISTS_ACTIONS = ("override", "skip", "append", "delete")


def targets_response(ex) -> bool:
    return getattr(ex, "building_response", False) or ex.section in ("outbound", "on-error")


class _SetNamed(Policy):
    attributes = frozenset({"name", "exists-action"})
    children = frozenset({"value"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.name = loader.value(node, "name", required=True)
        self.action = loader.choice(node, "exists-action", EXISTS_ACTIONS, "override")
        self.values = [loader.text(v) for v in node.elements("value")]

    def apply(self, multi, ex) -> None:
        name = self.name.text(ex)
        if self.action == "delete":
            multi.popall(name, None)
            return
        if self.action == "skip" and name in multi:
            return
        values = [v.text(ex) for v in self.values]
        if self.action == "override":
            multi.popall(name, None)
        for value in values:
            multi.add(name, value)


@policy("set-header")
class SetHeader(_SetNamed):
    async def run(self, ex) -> None:
        self.apply(ex.response.headers if targets_response(ex) else ex.request.headers, ex)


@policy("set-query-parameter", sections=("inbound", "backend"))
class SetQueryParameter(_SetNamed):
    async def run(self, ex) -> None:
        self.apply(ex.request.query, ex)


_PLACEHOLDER = re.compile(r"\{\*?([^{}]+)\}")


@policy("rewrite-uri", sections=("inbound",))
class RewriteUri(Policy):
    attributes = frozenset({"template", "copy-unmatched-params"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.template = loader.value(node, "template", required=True)
        self.copy = loader.flag(node, "copy-unmatched-params", True)

    async def run(self, ex) -> None:
        state = ex.request
        matched = {k.lower(): v for k, v in state.matched.items()}
        text = _PLACEHOLDER.sub(lambda m: str(matched.get(m.group(1).lower(), "")), self.template.text(ex))
        parts = urlsplit(text)
        path = parts.path if parts.path.startswith("/") or not parts.path else "/" + parts.path
        new_query = parse_qsl(parts.query, keep_blank_values=True)
        named = {k for k, _ in new_query}
        kept = [(k, v) for k, v in state.query.items() if k not in named and k.lower() not in _template_params(ex)] \
            if self.copy else []
        state.path = path
        state.query.clear()
        for key, value in new_query + kept:
            state.query.add(key, value)


def _template_params(ex) -> set:
    op = ex.route.operation if ex.route is not None else None
    return {p.lower() for p in getattr(op, "query_params", ())}


@policy("set-backend-service", sections=("inbound", "backend"))
class SetBackendService(Policy):
    attributes = frozenset({"base-url", "backend-id"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if ("base-url" in node.attrs) == ("backend-id" in node.attrs):
            raise node.error("exactly one of 'base-url' or 'backend-id' is required")
        self.base = loader.value(node, "base-url")
        self.backend_id = loader.value(node, "backend-id")

    async def run(self, ex) -> None:
        state = ex.request
        if self.base is not None:
            (state.backend_base, state.backend_query), state.backend_id = split_base(self.base.text(ex)), None
            return
        name = self.backend_id.text(ex)
        resolved = ex.gateway.resolve_backend(name)
        if resolved is None:
            raise PolicyError(self.element, "BackendNotFound", 500, "Internal server error")
        state.backend_base, state.backend_query = resolved
        state.backend_id = name


@policy("set-method", sections=("inbound", "on-error"))
class SetMethod(Policy):
    attributes = frozenset()
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if not node.text:
            raise node.error("the HTTP method is missing")
        self.method = loader.text(node)

    async def run(self, ex) -> None:
        ex.request.method = self.method.text(ex).strip().upper()


@policy("set-body")
class SetBody(Policy):
    attributes = frozenset({"template", "xsi-nil", "parse-date"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if node.attrs.get("template", "none").lower() != "none":
            raise node.error(f"the body template '{node.attrs['template']}' (Liquid) is not supported")
        loader.choice(node, "xsi-nil", ("blank", "null"))
        self.body = loader.text(node)

    async def run(self, ex) -> None:
        value = self.body.evaluate(ex)
        if isinstance(value, dict | list):
            data = json.dumps(value).encode("utf-8")
        else:
            data = (value if isinstance(value, str) else to_string(value)).encode("utf-8")
        (ex.response if targets_response(ex) else ex.request).body = data


@policy("set-status")
class SetStatus(Policy):
    attributes = frozenset({"code", "reason"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.code = loader.value(node, "code", required=True)
        self.reason = loader.value(node, "reason")

    async def run(self, ex) -> None:
        try:
            ex.response.status = int(self.code.text(ex))
        except ValueError:
            raise PolicyError(self.element, "ExpressionValueEvaluationFailure", 500,
                              "Internal server error") from None
        ex.response.reason = self.reason.text(ex) if self.reason is not None else ""
