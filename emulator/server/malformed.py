"""Requests aiohttp cannot parse (a header name with a space, a control character in a value, a broken request
line): a JSON 400 in the host's envelope and one log line, never aiohttp's text answer with a traceback.

aiohttp answers such a request from its protocol handler, before any handler or middleware of ours runs; the
handler's public ``handle_error`` builds that answer. :func:`install` makes the runner's server hand out
handlers whose ``handle_error`` answers as the host does. aiohttp's handler class declares ``__slots__``, so
the subclass declares none of its own and each handler is re-classed, not wrapped (public API only).
"""

from __future__ import annotations

import json
import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger("emulator.server")
CODE = "BadRequest"


def error_body(detail: str) -> bytes:
    message = f"The request is not a valid HTTP request: {detail}."
    return json.dumps({"error": {"code": CODE, "message": message}}).encode("utf-8")


class _HostErrorHandler(web.RequestHandler):
    __slots__ = ()

    def handle_error(self, request, status: int = 500, exc=None, message=None):
        if status >= 500:  # an emulator fault, not the caller's: aiohttp's answer and its log
            return super().handle_error(request, status, exc, message)
        # aiohttp's first line says what is wrong ("Invalid header token:"); the lines after it quote the raw
        # header, which may hold a secret: neither the answer nor the log repeats them.
        text = str(getattr(exc, "message", None) or message or "") or "malformed request"
        detail = _unquoted(text.strip().splitlines()[0]) or "malformed request"
        log.warning("refused a malformed request from %s: %s", request.remote, detail)
        resp = web.Response(status=status, body=error_body(detail), content_type="application/json",
                            charset="utf-8")
        resp.force_close()
        return resp

    def log_exception(self, *args, **kw):
        # After an early answer (a refusal sent before the body was read), aiohttp drains the body; a body
        # it cannot read (a wrong Content-Encoding, broken chunks) is the caller's fault: one line, no traceback.
        exc = kw.get("exc_info")
        if isinstance(exc, (web.RequestPayloadError, HttpProcessingError)):
            text = str(getattr(exc, "message", None) or exc).strip()
            log.warning("dropped the unreadable rest of a request body: %s",
                        text.splitlines()[0].rstrip(":.") if text else "unreadable")
            return
        super().log_exception(*args, **kw)


def _unquoted(line: str) -> str:
    """aiohttp's first line without the request bytes it may quote ("Got more than 8190 bytes when reading:
    b'...'" quotes the start of a URL or a header value, where a ``sig`` or a token can be)."""
    cut = min((at for at in (line.find("b'"), line.find('b"'), line.find("bytearray(")) if at >= 0),
              default=len(line))
    return line[:cut].strip().rstrip(":.").strip()


class _HostErrorServer(web.Server):
    def __call__(self):
        handler = super().__call__()
        try:
            handler.__class__ = _HostErrorHandler
        except TypeError:  # an aiohttp whose handler layout changed: its own answer, never a broken connection
            pass
        return handler


def install(server: web.Server) -> None:
    """Make ``server`` (a runner's low-level server, before it accepts connections) answer malformed
    requests with the host's JSON envelope."""
    if type(server) is web.Server:
        server.__class__ = _HostErrorServer
