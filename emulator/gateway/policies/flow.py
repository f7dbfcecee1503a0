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
        self.timeout = loader.number(node, "timeout", default=300)
        timeout_ms = loader.number(node, "timeout-ms")
        if timeout_ms is not None:
            self.timeout = timeout_ms / 1000
        self.follow = loader.flag(node, "follow-redirects", False)
        self.fail_on_error = loader.flag(node, "fail-on-error-status-code", False)
        loader.flag(node, "buffer-request-body", False)
        loader.flag(node, "buffer-response", True)

    async def run(self, ex) -> None:
        await ex.gateway.forward(ex, self.timeout, self.follow, self.fail_on_error)
