"""Errors of the gateway: a configuration that does not load, and a call a policy refuses (APIM's answers)."""

from __future__ import annotations

import json


class GatewayLoadError(Exception):
    """A configuration that cannot be served: names the file, the line and the element (spec: load errors)."""

    def __init__(self, message: str, file=None, line: int | None = None, element: str | None = None):
        self.message, self.file, self.line, self.element = message, file, line, element
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.file) if self.file else "gateway"
        if self.line:
            where += f", line {self.line}"
        if self.element:
            where += f", element <{self.element}>"
        return f"{where}: {self.message}"


def apim_body(status: int, message: str) -> bytes:
    """APIM's error envelope ``{"statusCode": N, "message": "..."}`` (spec §11)."""
    return json.dumps({"statusCode": status, "message": message}, indent=2).encode("utf-8")


class PolicyError(Exception):
    """A call refused by the gateway: ``context.LastError`` (source, reason, message) and APIM's answer.

    The on-error section runs with the response preset to ``status`` and the APIM error body; ``source`` is the
    element that answered (``ip-filter``, ``rate-limit-by-key``, ``subscription``...), written to the log line.
    """

    def __init__(self, source: str, reason: str, status: int, message: str, headers: dict | None = None,
                 body: bytes | None = None):
        super().__init__(message)
        self.source, self.reason, self.status, self.message = source, reason, status, message
        self.headers = dict(headers or {})
        self.body = apim_body(status, message) if body is None else body


class Answer(Exception):
    """``return-response`` / ``mock-response``: the pipeline stops and the context's response is sent as is."""

    def __init__(self, source: str):
        super().__init__(source)
        self.source = source


def internal_error(source: str, reason: str, message: str) -> PolicyError:
    """An evaluation failure: APIM answers 500 "Internal server error" and keeps the detail in LastError."""
    error = PolicyError(source, reason, 500, "Internal server error")
    error.detail = message
    return error
