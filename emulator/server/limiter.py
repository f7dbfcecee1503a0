"""Trigger concurrency (``runtimeConfiguration.concurrency``): running slots, a waiting queue, then 429."""

from __future__ import annotations

import asyncio
from collections import deque

from .errors import HttpError


class Limiter:
    """``runs`` = None means unlimited. Waiting callers hold their connection until a slot frees."""

    def __init__(self, runs: int | None = None, max_waiting: int | None = None):
        self.runs = runs if isinstance(runs, int) and runs > 0 else None
        if self.runs is not None and not (isinstance(max_waiting, int) and max_waiting >= 0):
            max_waiting = min(100, self.runs + 10)
        self.max_waiting = max_waiting or 0
        self.active = 0
        self._queue: deque[asyncio.Future] = deque()

    def throttled(self, workflow: str, trigger: str) -> HttpError:
        return HttpError(429, "WorkflowRequestsThrottled",
                         f"The trigger '{trigger}' of workflow '{workflow}' has reached its limit of "
                         f"'{self.runs}' concurrent runs and '{self.max_waiting}' waiting runs. "
                         "Retry the request later.", headers={"Retry-After": "1"})

    def try_acquire(self) -> bool:
        """Take a slot at once when one is free (no waiting, no coroutine); False: call :meth:`acquire`."""
        if self.runs is None or (self.active < self.runs and not self._queue):
            self.active += 1
            return True
        return False

    async def acquire(self, workflow: str, trigger: str) -> None:
        if self.runs is None or (self.active < self.runs and not self._queue):
            self.active += 1
            return
        if len(self._queue) >= self.max_waiting:
            raise self.throttled(workflow, trigger)
        fut = asyncio.get_running_loop().create_future()
        self._queue.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the slot was handed over as the caller went away
            else:
                try:
                    self._queue.remove(fut)
                except ValueError:
                    pass
            raise

    def release(self) -> None:
        while self._queue:
            fut = self._queue.popleft()
            if not fut.done():
                fut.set_result(None)  # the slot passes on; ``active`` stays the same
                return
        self.active = max(0, self.active - 1)
