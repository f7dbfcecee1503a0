"""Diagnostics: ``trace`` writes its message to the gateway's log (logger ``emulator.gateway.trace``) instead of
APIM's test-console trace and Application Insights; the call goes on unchanged."""

from __future__ import annotations

import logging

from ..policy import Policy, policy

log = logging.getLogger("emulator.gateway.trace")
_LEVELS = {"verbose": logging.DEBUG, "information": logging.INFO, "error": logging.ERROR}


@policy("trace")
class Trace(Policy):
    attributes = frozenset({"source", "severity"})
    children = frozenset({"message", "metadata"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        if "source" not in node.attrs:
            raise node.error("the attribute 'source' is required")
        if node.child("message") is None:
            raise node.error("the element <message> is required")
        self.source = node.attrs["source"]
        self.level = _LEVELS[loader.choice(node, "severity", tuple(_LEVELS), "verbose")]
        self.message = loader.text(node.child("message"))
        self.metadata = []
        for item in node.elements("metadata"):
            loader.check(item, {"name", "value"}, ())
            if "name" not in item.attrs or "value" not in item.attrs:
                raise item.error("<metadata> needs 'name' and 'value'")
            self.metadata.append((item.attrs["name"], loader.value(item, "value")))

    async def run(self, ex) -> None:
        if log.isEnabledFor(self.level):
            extra = "".join(f" {name}={value.text(ex)}" for name, value in self.metadata)
            log.log(self.level, "trace %s: %s%s", self.source, self.message.text(ex), extra)
