"""Answers made by the gateway itself: ``return-response`` and ``mock-response`` (the pipeline stops)."""

from __future__ import annotations

from ..context import ResponseState
from ..errors import Answer
from ..policy import Loader, Policy, policy


@policy("return-response")
class ReturnResponse(Policy):
    attributes = frozenset({"response-variable-name"})
    children = frozenset({"set-status", "set-header", "set-body"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if "response-variable-name" in node.attrs:
            raise node.error("response-variable-name needs send-request, which is not supported")
        self.steps = Loader(loader.section).statements(node.children)

    async def run(self, ex) -> None:
        ex.response = ResponseState()
        ex.response.body = b""
        ex.building_response = True
        try:
            for step in self.steps:
                await step.execute(ex)
        finally:
            ex.building_response = False
        raise Answer(self.element)


@policy("mock-response", sections=("inbound", "outbound", "on-error"))
class MockResponse(Policy):
    attributes = frozenset({"status-code", "content-type", "index"})
    children = frozenset()

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.status = loader.number(node, "status-code", default=200)
        self.content_type = node.attrs.get("content-type", "application/json")

    async def run(self, ex) -> None:
        response = ex.response = ResponseState()
        response.status = self.status
        example = ex.route.operation.example(self.status, self.content_type) \
            if ex.route is not None and ex.route.operation is not None else None
        response.body = example or b""
        if example is not None:
            response.headers["Content-Type"] = self.content_type
        raise Answer(self.element)
