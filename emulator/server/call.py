"""The server's per-call pipeline in-process: no aiohttp request, no socket.

    from emulator.server.app import Server, ServerConfig
    from emulator.server.call import CallRequest, call

    server = Server(ServerConfig(paths=["flows"], state_dir=None, reload_interval=0))  # server.close() at the end
    answer = await call(server, CallRequest("POST", "/workflows/echo/triggers/manual/paths/invoke?api-version=...",
                                            headers={"Content-Type": "application/json"}, body=b'{"a": 1}'))
    answer.status, answer.headers, answer.body, answer.run_id, answer.invocation

Every check a socket call gets (api-version, SAS and access policies, workflow state, method and relative
path, body size and content, schema, throttling), the run, and the answer with its x-ms-* headers and error
JSON: the same code as the aiohttp handler (:func:`emulator.server.invoke.handle`), so the same bytes. The
HTTP layer adds only ``Content-Length``, ``Date`` and ``Server``. Trigger URLs (every shape, the legacy
``/run``) and an asynchronous Response's Location are answered; anything else is the router's 404.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from yarl import URL

from ..runtime.errors import HostError
from . import invoke, urls
from .app import Server, url_too_long
from .errors import HttpError
from .response import CallAnswer, error_answer

__all__ = ["CallAnswer", "CallRequest", "call"]

log = logging.getLogger("emulator.server")


@dataclass
class CallRequest:
    """One HTTP call given in parts.

    ``path``: the raw (percent-encoded) path, with or without ``?query`` (a whole callback URL works too: its
    scheme and host become ``base_url``); ``query``: the parsed query, when
    given it replaces the path's; ``headers``: a mapping or (name, value) pairs (repeats allowed);
    ``remote``: the caller's address (IP allow-lists, X-Forwarded-For from trusted proxies); ``base_url``:
    scheme and host for an asynchronous Response's Location (default: ``http://`` + the Host header).
    """

    method: str
    path: str
    query: Mapping | None = None
    headers: Mapping | list = field(default_factory=dict)
    body: bytes = b""
    remote: str | None = "127.0.0.1"
    base_url: str | None = None


class _Call:
    """A :class:`CallRequest` as :func:`invoke.handle` reads it (the same attributes as ``app.WebCall``)."""

    __slots__ = ("method", "headers", "query", "remote", "base_url", "body")

    def __init__(self, request: CallRequest, query_string: str, origin: str | None):
        self.method = request.method.upper()
        self.headers = CIMultiDictProxy(CIMultiDict(request.headers))
        if request.query is not None:
            self.query = MultiDictProxy(MultiDict(request.query))
        else:
            self.query = URL.build(query_string=query_string, encoded=True).query
        self.remote = request.remote
        self.base_url = request.base_url or origin or f"http://{self.headers.get('Host', '127.0.0.1')}"
        self.body = request.body or b""

    async def read_body(self, limit: int) -> bytes:
        if len(self.body) > limit:
            raise invoke.too_large(len(self.body), limit)
        return self.body


async def call(server: Server, request: CallRequest) -> CallAnswer:
    """Answer ``request`` as the server would over HTTP (errors as the host's JSON, never an exception)."""
    origin, path_qs = _split_origin(request.path)
    path, _, query_string = path_qs.partition("?")
    try:
        most = server.config.limits.url_chars
        if len(path_qs) > most:
            raise url_too_long(len(path_qs), most)
        view = _Call(request, query_string, origin)
        found = urls.match_trigger_path(path, escaped=True)
        if found is not None:
            return await invoke.handle(server, view, *found)
        operation = urls.match_operation_path(path)
        if operation is not None and view.method == "GET":
            return await invoke.poll_operation(server, view, *operation)
        status, code = (405, "MethodNotAllowed") if operation is not None else (404, "NotFound")
        raise HttpError(status, code, f"No route matches '{view.method} {unquote(path)}'.")
    except HostError as err:
        return error_answer(err)
    except Exception:
        log.exception("unhandled error for in-process %s %s", request.method, path)
        return error_answer(HttpError(500, "InternalServerError",
                                      "The server encountered an internal error (see the server log)."))


def _split_origin(url: str) -> tuple[str | None, str]:
    """``http://host:port/path?q`` -> (``http://host:port``, ``/path?q``); a bare path -> (None, path)."""
    if not url.startswith(("http://", "https://")):
        return None, url
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}", slash + path
