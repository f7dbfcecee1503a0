"""The one place the testing API calls into the emulator: :func:`call_trigger`.

It builds the server's own objects (``Server``: registry, SAS keys, history, run options) and answers a
trigger call with the server's in-process pipeline (:func:`emulator.server.call.call`: the checks, the run,
the answer with its x-ms-* headers or the host's error JSON, the same code as over a socket). No socket.

The server is a :class:`TestServer`: the server with the test's one MockSet for every workflow, and a
record of the runs it starts and the calls it skips, so a caller learns which run its call started (or that
the trigger conditions were false) without reading the answer's headers.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from email.utils import formatdate

from multidict import CIMultiDict, CIMultiDictProxy

from ..server.app import Server, ServerConfig
from ..server.call import CallRequest, call

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
        super().__init__(config)
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

    def record_skipped(self, entry, trig, error: dict | None = None) -> None:
        super().record_skipped(entry, trig, error)
        if error is not None:  # a condition that threw: a 400 and a Failed history entry, not a skip
            return
        self.skipped += 1
        mine = _STARTED.get()
        if mine is not None:
            mine.append(SKIPPED)


def new_server(mocks, run_options: dict, state_dir: str, **config) -> TestServer:
    """The server's own object graph, private to one test: its own state dir (keys), history in memory, no
    reload task, no workflows yet."""
    cfg = ServerConfig(paths=[], state_dir=state_dir, reload_interval=0, run_options=run_options, **config)
    return TestServer(cfg, mocks)


async def call_trigger(server: Server, method: str, path_qs: str, headers: dict, body: bytes | None) -> Answer:
    """Answer one trigger call exactly as the server does, in-process. ``path_qs`` is the URL path and query
    as a client sends it (the callback URL's shape)."""
    send = CIMultiDict(headers)
    send.setdefault("Host", "localhost")
    if body is not None:
        send["Content-Length"] = str(len(body))
    mine: list = []
    token = _STARTED.set(mine)
    try:
        answer = await call(server, CallRequest(method, path_qs, headers=send, body=body or b""))
    finally:
        _STARTED.reset(token)
    out = CIMultiDict(answer.headers)
    out.setdefault("Content-Length", str(len(answer.body)))  # as the server sends it, 0 included
    out.setdefault("Date", formatdate(usegmt=True))  # as every HTTP answer has it (the socket's, in real time)
    return Answer(answer.status, CIMultiDictProxy(out), answer.body, answer.invocation, SKIPPED in mine)
