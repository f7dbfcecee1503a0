"""Control flow and the backend call: ``choose``/``when``/``otherwise``, ``set-variable``, ``forward-request``."""

from __future__ import annotations

from ..csharp import truthy
from ..policy import Loader, Policy, policy, run_statements


@policy("choose")
class Choose(Policy):
    attributes = frozenset()
    children = frozenset({"when", "otherwise"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.branches = []
        self.otherwise = ()
        inner = Loader(loader.section)
        for child in node.children:
            if child.tag == "when":
                loader.check(child, {"condition"}, None)
                if "condition" not in child.attrs:
                    raise child.error("the attribute 'condition' is required")
                if self.otherwise:
                    raise child.error("<when> must come before <otherwise>")
                self.branches.append((loader.value(child, "condition"), inner.statements(child.children)))
            else:
                loader.check(child, (), None)
                self.otherwise = tuple(inner.statements(child.children))
        if not self.branches:
            raise node.error("<choose> needs at least one <when>")

    async def run(self, ex) -> None:
        for condition, statements in self.branches:
            if truthy(condition.evaluate(ex)):
                await run_statements(statements, ex)
                return
        await run_statements(self.otherwise, ex)


@policy("set-variable")
class SetVariable(Policy):
    attributes = frozenset({"name", "value"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if "name" not in node.attrs:
            raise node.error("the attribute 'name' is required")
        self.name = node.attrs["name"]
        self.value = loader.value(node, "value", required=True)

    async def run(self, ex) -> None:
        ex.variables[self.name] = self.value.evaluate(ex)


@policy("forward-request", sections=("backend",))
class ForwardRequest(Policy):
    attributes = frozenset({"timeout", "timeout-ms", "follow-redirects", "buffer-request-body", "buffer-response",
                            "fail-on-error-status-code", "http-version", "continue-timeout"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if "timeout" in node.attrs and "timeout-ms" in node.attrs:
            raise node.error("give 'timeout' or 'timeout-ms', not both")
        self.timeout = loader.integer(node, "timeout", default=300)
        self.timeout_ms = loader.integer(node, "timeout-ms")
        self.follow = loader.value(node, "follow-redirects", default="false")
        self.fail_on_error = loader.flag(node, "fail-on-error-status-code", False)
        loader.flag(node, "buffer-request-body", False)
        loader.flag(node, "buffer-response", True)

    async def run(self, ex) -> None:
        timeout = self.timeout_ms.get(ex) / 1000 if self.timeout_ms is not None else self.timeout.get(ex)
        follow = self.follow.text(ex).strip().lower() == "true"
        await ex.gateway.forward(ex, timeout, follow, self.fail_on_error)
