"""The one place the testing API calls into the emulator: :func:`call_trigger`.

It builds the server's own objects (``Server``: registry, SAS keys, history, run options) and answers a
trigger call with the server's own code path (``app.guarded`` around ``invoke.handle``: checks, run, answer,
x-ms-* headers, error JSON). The request object comes from aiohttp's public test utility
(``make_mocked_request``) with a real ``StreamReader`` body: no socket, no router.

The server is a :class:`TestServer`: the server with the test's one MockSet for every workflow, and a
record of the runs it starts and the calls it skips, so a caller learns which run its call started (or that
the trigger conditions were false) without reading the answer's headers.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from types import SimpleNamespace

from aiohttp import StreamReader
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict, CIMultiDictProxy

from ..server import invoke
from ..server.app import Server, ServerConfig, guarded
from ..server.engine import real_runtime

SKIPPED = "skipped"
# What the current call started: its invocation, or SKIPPED (a list per call; unset for calls from a socket)
_STARTED: contextvars.ContextVar[list | None] = contextvars.ContextVar("emulator_testing_call", default=None)


@dataclass
class Answer:
    """An HTTP answer: status, headers (case-insensitive), body bytes; ``invocation`` when a run started (the
    runtime's :class:`~emulator.runtime.Invocation`), ``skipped`` when the trigger conditions were false."""

    status: int
    headers: CIMultiDictProxy
    body: bytes
    invocation: object = None
    skipped: bool = False


class TestServer(Server):
    """The server, private to one test: one MockSet (``test_mocks``) answers every workflow (sidecar mock
    files are not read), ``started`` lists (workflow entry, invocation) of every run, ``skipped`` counts the
    calls whose trigger conditions were false."""

    __test__ = False  # not a pytest test class

    def __init__(self, config: ServerConfig, mocks):
        super().__init__(config, real_runtime())
        self.test_mocks = mocks
        self.started: list[tuple] = []
        self.skipped = 0

    def mocks_for(self, entry):
        return self.test_mocks

    def record_run(self, entry, trig, invocation) -> None:
        super().record_run(entry, trig, invocation)
        self.started.append((entry, invocation))
        mine = _STARTED.get()
        if mine is not None:
            mine.append(invocation)

    def record_skipped(self, entry, trig) -> None:
        super().record_skipped(entry, trig)
        self.skipped += 1
        mine = _STARTED.get()
        if mine is not None:
            mine.append(SKIPPED)


def new_server(mocks, run_options: dict, state_dir: str, **config) -> TestServer:
    """The server's own object graph, private to one test: its own state dir (keys), history in memory, no
    reload task, no workflows yet."""
    cfg = ServerConfig(paths=[], state_dir=state_dir, reload_interval=0, run_options=run_options, **config)
    return TestServer(cfg, mocks)


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
    token = _STARTED.set(mine)
    try:
        response = await guarded(request, invoke.handle(server, request, workflow, trigger, relative))
    finally:
        _STARTED.reset(token)
    data = response.body if isinstance(response.body, (bytes, bytearray)) else b""
    out = CIMultiDict(response.headers)
    out.setdefault("Content-Length", str(len(data)))  # as the server sends it, 0 included
    started = mine[0] if mine else None
    return Answer(response.status, CIMultiDictProxy(out), bytes(data), None if started == SKIPPED else started,
                  started == SKIPPED)


_APP = SimpleNamespace()  # the request's app: never read on the trigger path (the server is passed along)
