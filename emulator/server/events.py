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

RECENT = 200  # events kept for pages opened later
QUEUE_SIZE = 256  # events one subscriber may hold before its oldest are dropped


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_code(status: int, body: bytes) -> str | None:
    """The ``error.code`` of a refusal's JSON body (read only for errors, and only small bodies)."""
    if status < 400 or not body or len(body) > 4096:
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


class CallFeed:
    def __init__(self, recent: int = RECENT):
        self.recent: deque = deque(maxlen=recent)
        self.subscribers: set[Subscription] = set()
        self.last_id = 0

    # ------------------------------------------------------------------ publishing
    def publish(self, event: dict) -> int:
        """Send ``event`` (a JSON-able dict with a ``type``) to every subscriber; returns its id."""
        self.last_id += 1
        item = (self.last_id, event)
        self.recent.append(item)
        for sub in self.subscribers:
            sub.offer(item)
        return self.last_id

    def call_finished(self, *, workflow: str, trigger: str | None, method: str, status: int, started: float,
                      run_id: str | None = None, invocation=None, code: str | None = None,
                      source: str = "trigger") -> None:
        """One trigger call answered (``started``: its ``time.perf_counter()`` at arrival). A run it started
        is reported again when it ends (``type: run``) with its final status."""
        event = {"type": "call", "time": _stamp(), "source": source, "workflow": workflow, "trigger": trigger,
                 "method": method, "status": status,
                 "durationMs": round((time.perf_counter() - started) * 1000, 1), "runId": run_id, "code": code,
                 "outcome": "run" if run_id else ("refused" if status >= 400 else "skipped")}
        if invocation is not None:
            event["runStatus"] = (invocation.record or {}).get("status")
        self.publish(event)
        done = getattr(invocation, "done", None)
        if done is None:
            return
        if done.done():
            self._run_ended(workflow, run_id, invocation, done)
        else:
            done.add_done_callback(lambda fut: self._run_ended(workflow, run_id, invocation, fut))

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

    def _run_ended(self, workflow: str, run_id: str | None, invocation, fut) -> None:
        record = invocation.record
        if not fut.cancelled() and fut.exception() is None and isinstance(fut.result(), dict):
            record = fut.result()
        record = record or {}
        self.publish({"type": "run", "time": _stamp(), "workflow": workflow, "runId": run_id,
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
