"""HTTP answers in the host's error shape: ``{"error": {"code": "...", "message": "..."}}``."""

from __future__ import annotations

from ..runtime.errors import HostError


class HttpError(HostError):
    """An error of the HTTP layer (SAS, access policies, routing, limits); a trigger call's own refusals are
    :class:`~emulator.runtime.errors.HostError` (this is one too, so the server catches both as HostError)."""
