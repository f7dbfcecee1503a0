"""Queued writes of the Redis state, sent in order by a group commit (:class:`WriteQueue`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .redis_connection import UNREACHABLE, Redis

log = logging.getLogger("emulator.server.state")

MAX_QUEUED = 200_000  # writes kept while Redis is down; beyond, the oldest are dropped (and logged)
BACKGROUND_DELAY = 0.05  # seconds a queued write may wait for a flush before it is sent anyway


def wake(waiters: list[asyncio.Future], error: BaseException | None = None) -> None:
    """Answer the callers waiting for a batch: done, or the error (a caller that went away is skipped)."""
    for waiter in waiters:
        if not waiter.done():
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)


# ---------------------------------------------------------------------- queued writes
class WriteQueue:
    """Writes waiting for the next pipeline, and the group commit that sends them in order.

    Each queued write is a function ``(pipe) -> None`` adding its commands to a pipeline (JSON is made when the
    batch is sent, so a live record is stored as it is then). :meth:`flush` returns once every write queued
    before it was answered by Redis; when Redis is unreachable it raises :class:`StateUnavailable` and the
    writes stay queued, retried in the background until they go through.
    """

    def __init__(self, conn: Redis):
        self.conn = conn
        self.pending: list[Callable] = []
        self._waiters: list[asyncio.Future] = []
        self._task: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._failures = 0

    def add(self, write: Callable) -> None:
        self.pending.append(write)
        if len(self.pending) > MAX_QUEUED:
            del self.pending[: len(self.pending) - MAX_QUEUED]
            log.error("Redis unreachable: more than %d writes queued, the oldest were dropped", MAX_QUEUED)
        if self._timer is None:
            # Sent by the next flush, or at the latest after BACKGROUND_DELAY (a run that ends after its caller
            # was answered is still stored). Not at once: a short run's record, its final update and its
            # trigger history then go to Redis in one pipeline with its caller's flush.
            try:
                self._timer = asyncio.get_running_loop().call_later(BACKGROUND_DELAY, self._kick)
            except RuntimeError:  # no loop (a store used synchronously): the next flush sends it
                pass

    def _kick(self) -> None:
        self._timer = None
        if self.pending and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self) -> None:
        if not self.pending and (self._task is None or self._task.done()):
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())
        await waiter

    async def _drain(self) -> None:
        while self.pending or self._waiters:
            batch, self.pending = self.pending, []
            waiters, self._waiters = self._waiters, []
            try:
                if batch:
                    await self._send(batch)
            except UNREACHABLE as exc:
                self.pending[:0] = batch  # kept, in order, for the next try
                wake(waiters, self.conn.unavailable(exc))
                self._failures += 1
                if self._failures == 1:
                    log.error("Redis at %s unreachable (%s): %d writes queued", self.conn.where, exc,
                              len(self.pending))
                await asyncio.sleep(min(1.0, 0.05 * 2 ** min(self._failures, 5)))
                continue
            except Exception as exc:  # noqa: BLE001 - not an outage: logged, never retried, no caller left waiting
                log.exception("Redis state: %d writes failed and were dropped", len(batch))
                wake(waiters, self.conn.unavailable(exc))
                continue
            if self._failures:
                log.warning("Redis at %s reachable again: queued writes sent", self.conn.where)
                self._failures = 0
            wake(waiters)

    async def _send(self, batch: list[Callable]) -> None:
        async with self.conn.aio.pipeline(transaction=False) as pipe:
            for write in batch:
                try:
                    write(pipe)
                except Exception:  # noqa: BLE001 - one record that cannot be written never costs the others
                    log.exception("a state write could not be encoded; skipped")
            results = await pipe.execute(raise_on_error=False)
        for result in results:
            if isinstance(result, UNREACHABLE):
                raise result
            if isinstance(result, Exception):  # a command Redis refused: never retried, but never silent
                log.error("Redis refused a state write: %s", result)

    async def close(self) -> None:
        if self.pending:
            try:
                await self._send(self.pending)
                self.pending = []
            except UNREACHABLE as exc:
                log.error("Redis at %s unreachable at shutdown: %d writes lost (%s)", self.conn.where,
                          len(self.pending), exc)
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._timer is not None:
            self._timer.cancel()
