"""HTTP answers in the host's error shape: ``{"error": {"code": "...", "message": "..."}}``."""

from __future__ import annotations


class HttpError(Exception):
    """An error the server answers with ``status`` and the host's JSON error body."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}
