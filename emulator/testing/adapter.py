"""The one place the testing API calls into the emulator: :func:`call_trigger`.

It builds the server's own objects (``Server``: registry, SAS keys, history, run options) and answers a
trigger call with the server's own code path (``app.guarded`` around ``invoke.handle``: checks, run, answer,
x-ms-* headers, error JSON). The request object comes from aiohttp's public test utility
(``make_mocked_request``) with a real ``StreamReader`` body: no socket, no router.

Every invocation the server starts goes through :class:`CapturingRuntime`, so a caller learns which run its
call started (or that the trigger was skipped) without reading the answer's headers.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from types import SimpleNamespace

from aiohttp import StreamReader
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict, CIMultiDictProxy

from ..server import invoke
from ..server.app import Server, ServerConfig, guarded
from ..server.engine import real_runtime

# The invocations started by the current call (a list per call; unset for calls from outside, e.g. a socket)
_CALL_INVOCATIONS: contextvars.ContextVar[list | None] = contextvars.ContextVar("emulator_testing_call",
                                                                               default=None)


@dataclass
class Answer:
    """An HTTP answer: status, headers (case-insensitive), body bytes; ``invocation`` when a run started or a
    trigger was skipped (the runtime's :class:`~emulator.runtime.Invocation`)."""

    status: int
    headers: CIMultiDictProxy
    body: bytes
    invocation: object = None


class CapturingRuntime(SimpleNamespace):
    """The real runtime (``load_path``, ``invoke``, ``RunOptions``, ``MockSet``) with two changes: every
    invocation is recorded, and every workflow gets the one MockSet of the test (``mocks``)."""

    def __init__(self, mocks):
        real = real_runtime()
        super().__init__(load_path=real.load_path, RunOptions=real.RunOptions,
                         MockSet=SimpleNamespace(load=lambda _source: mocks))
        self._invoke = real.invoke
        self.invocations: list = []  # every invocation the server started, in order

    async def invoke(self, workflow, trigger_name, outputs, options):
        inv = await self._invoke(workflow, trigger_name, outputs, options)
        self.invocations.append(inv)
        mine = _CALL_INVOCATIONS.get()
        if mine is not None:
            mine.append(inv)
        return inv


def new_server(paths, mocks, run_options: dict, state_dir: str, **config) -> Server:
    """The server's own object graph, private to one test: its own state dir (keys), history in memory, no
    reload task."""
    cfg = ServerConfig(paths=list(paths), state_dir=state_dir, reload_interval=0, run_options=run_options,
                       **config)
    return Server(cfg, CapturingRuntime(mocks))


class _Transport:
    """What a request reads from its connection: the peer address (a local caller), no TLS."""

    _INFO = {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 80), "sslcontext": None}

    def get_extra_info(self, name, default=None):
        return self._INFO.get(name, default)

    def is_closing(self) -> bool:
        return False


class _Protocol:
    transport = _Transport()
    writer = None
    peername = _Transport._INFO["peername"]
    sockname = _Transport._INFO["sockname"]
    ssl_context = None
    max_field_size = 32_768
    max_line_length = 32_768
    max_headers = 128

    def pause_reading(self, *args, **kwargs) -> None:  # the body is in memory already: flow control is moot
        pass

    resume_reading = pause_reading


_PROTOCOL = _Protocol()


async def call_trigger(server: Server, workflow: str, trigger: str, method: str, path_qs: str, relative: str,
                       headers: dict, body: bytes | None) -> Answer:
    """Answer one trigger call exactly as the server does, in-process.

    ``path_qs`` is the URL path and query as a client sends it (the callback URL's shape), ``relative`` the
    raw relative path after ``/invoke``.
    """
    import asyncio

    if body:
        payload = StreamReader(_PROTOCOL, 2**16, loop=asyncio.get_running_loop())
        payload.feed_data(body)
        payload.feed_eof()
    send = CIMultiDict(headers)
    send.setdefault("Host", "localhost")
    if body is not None:
        send["Content-Length"] = str(len(body))
    extra = {"payload": payload} if body else {}
    request = make_mocked_request(method, path_qs, send, app=_APP, writer=None, protocol=_PROTOCOL,
                                  transport=_PROTOCOL.transport, client_max_size=server.config.body_limit + 1,
                                  **extra)
    mine: list = []
    token = _CALL_INVOCATIONS.set(mine)
    try:
        response = await guarded(request, invoke.handle(server, request, workflow, trigger, relative))
    finally:
        _CALL_INVOCATIONS.reset(token)
    data = response.body if isinstance(response.body, (bytes, bytearray)) else b""
    out = CIMultiDict(response.headers)
    out.setdefault("Content-Length", str(len(data)))  # as the server sends it, 0 included
    return Answer(response.status, CIMultiDictProxy(out), bytes(data), mine[0] if mine else None)


_APP = SimpleNamespace()  # the request's app: never read on the trigger path (the server is passed along)
