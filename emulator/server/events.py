"""The live feed of trigger calls the dashboard shows: every call, accepted or refused, and every run's end.

One hook feeds it (:func:`emulator.server.invoke.handle` calls :meth:`CallFeed.call_finished` when it has
answered); gateway refusals and other callers may :meth:`CallFeed.publish` events of their own.
:meth:`publish` never blocks and never awaits: each subscriber (one browser tab on ``GET /events``) has a
bounded queue, and a subscriber that falls behind loses its oldest events, not the server its speed. The
last :data:`RECENT` events are kept, so a page opened later (or an ``EventSource`` reconnecting with
``Last-Event-ID``) starts with what happened just before.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from datetime import datetime, timezone
from functools import partial

RECENT = 200  # events kept for pages opened later
QUEUE_SIZE = 256  # events one subscriber may hold before its oldest are dropped


def _stamp(at: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if at is None else at, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_CODE_BODY_LIMIT = 4096


def error_code(status: int, body: bytes) -> str | None:
    """The ``error.code`` of a refusal's JSON body (read only for errors, and only small bodies)."""
    if status < 400 or not body or len(body) > _CODE_BODY_LIMIT:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


class Subscription:
    """One listener's bounded queue of ``(id, event)`` pairs."""

    def __init__(self, size: int = QUEUE_SIZE):
        self.queue: asyncio.Queue = asyncio.Queue(size)
        self.dropped = 0

    def offer(self, item) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # a slow reader: lose its oldest event, keep the newest
            self.queue.get_nowait()
            self.dropped += 1
            self.queue.put_nowait(item)

    async def next(self):
        return await self.queue.get()


class TriggerCall:
    """One answered trigger call as kept in the feed (cheap to make on every call; JSON only when sent).

    It keeps the run's record (the dict the run fills in, which the history keeps too), not the run's
    Invocation: the Invocation and its futures then die with the call, while their memory is still warm,
    instead of when the call leaves the feed 200 calls later."""

    __slots__ = ("at", "workflow", "trigger", "method", "status", "seconds", "run_id", "_code", "body", "run")

    def __init__(self, at: float, workflow: str, trigger: str | None, method: str, status: int, seconds: float,
                 run_id: str | None, code: str | None, run: dict | None, body: bytes = b""):
        self.at, self.workflow, self.trigger, self.method, self.status = at, workflow, trigger, method, status
        self.seconds, self.run_id, self._code, self.run = seconds, run_id, code, run
        self.body = body  # an answer's body, read for its error code only when the event is sent

    @property
    def code(self) -> str | None:
        return self._code if self._code is not None else error_code(self.status, self.body)

    def as_event(self) -> dict:
        status = self.status
        event = {"type": "call", "time": _stamp(self.at), "source": "trigger", "workflow": self.workflow,
                 "trigger": self.trigger, "method": self.method, "status": status,
                 "durationMs": round(self.seconds * 1000, 1), "runId": self.run_id, "code": self.code,
                 "outcome": "run" if self.run_id else ("refused" if status >= 400 else "skipped")}
        if self.run is not None:
            event["runStatus"] = self.run.get("status")
        return event


def as_event(item) -> dict:
    """A kept item as the JSON event sent to pages."""
    return item.as_event() if isinstance(item, TriggerCall) else item


class CallFeed:
    def __init__(self, recent: int = RECENT):
        self.recent: deque = deque(maxlen=recent)
        self.subscribers: set[Subscription] = set()
        self.last_id = 0

    # ------------------------------------------------------------------ publishing
    def publish(self, event) -> int:
        """Send ``event`` (a JSON-able dict with a ``type``, or a :class:`TriggerCall`) to every subscriber;
        returns its id."""
        self.last_id += 1
        item = (self.last_id, event)
        self.recent.append(item)
        for sub in self.subscribers:
            sub.offer(item)
        return self.last_id

    def call_finished(self, *, workflow: str, trigger: str | None, method: str, status: int, started: float,
                      run_id: str | None = None, invocation=None, code: str | None = None,
                      body: bytes = b"") -> None:
        """One trigger call answered (``started``: its ``time.perf_counter()`` at arrival). Kept as a small
        :class:`TriggerCall`, made JSON only when sent (``code`` read from ``body`` then, when not given); a
        run still going is reported again when it ends (``type: run``), to the pages open then."""
        if status < 400 or len(body) > _CODE_BODY_LIMIT:
            body = b""  # no error code to read in it: not kept
        call = TriggerCall(time.time(), workflow, trigger, method, status, time.perf_counter() - started, run_id,
                           code, invocation.record if invocation is not None else None, body)
        self.publish(call)
        if invocation is not None and not invocation.done.done():
            invocation.done.add_done_callback(partial(self._run_ended, call))

    def gateway_call(self, *, method: str, path: str, status: int, started: float, api: str | None,
                     operation: str | None, subscription: str | None, answered_by: str | None,
                     workflow: str | None) -> None:
        """One call answered by the API Management gateway: forwarded to its backend (whose own trigger call
        is reported too), or refused by the policy named in ``answered_by``."""
        self.publish({"type": "call", "time": _stamp(), "source": "gateway", "workflow": workflow, "trigger": None,
                      "method": method, "path": path, "status": status,
                      "durationMs": round((time.perf_counter() - started) * 1000, 1), "runId": None,
                      "code": None, "api": api, "operation": operation, "subscription": subscription,
                      "answeredBy": answered_by,
                      "outcome": "forwarded" if answered_by == "forwarded" else (
                          "refused" if status >= 400 else "answered")})

    def _run_ended(self, call: TriggerCall, fut) -> None:
        if self.subscribers:  # a page opened later reads the final status in the call event itself
            record = call.run or {}  # the final record: the run is over
            self.publish({"type": "run", "time": _stamp(), "workflow": call.workflow, "runId": call.run_id,
                          "status": record.get("status"), "startTime": record.get("startTime"),
                          "endTime": record.get("endTime")})

    # ------------------------------------------------------------------ listening
    def subscribe(self, after: int | None = None, size: int = QUEUE_SIZE) -> Subscription:
        """A new subscription (a queue of ``size``), first given the kept events after id ``after`` (all kept
        ones when None)."""
        sub = Subscription(size)
        if after is not None and after > self.last_id:  # an id from before a restart: start afresh
            after = None
        for item in self.recent:
            if after is None or item[0] > after:
                sub.offer(item)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.subscribers.discard(sub)
