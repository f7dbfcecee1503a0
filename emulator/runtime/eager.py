"""Start a coroutine at once, in the caller's step; a task takes over only if it has to wait.

Most runs of a request-response flow never wait on anything (an If, a Compose, a Response): creating a
task for them costs a trip through the event loop before the first action and another before the caller
sees the answer. ``start_now(coro)`` runs ``coro`` synchronously up to its first suspension (what
``asyncio.eager_task_factory`` does in Python 3.12) and returns None when it finished there, or the task
that carries on with the rest.
"""

from __future__ import annotations

import asyncio


def start_now(coro) -> asyncio.Task | None:
    try:
        pending = coro.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_carry_on(coro, pending))


async def _carry_on(coro, pending):
    return await _Resume(coro, pending)


class _Resume:
    """Hands the future ``coro`` is suspended on to the task, then forwards every step to ``coro``."""

    __slots__ = ("coro", "pending")

    def __init__(self, coro, pending):
        self.coro = coro
        self.pending = pending

    def __await__(self):
        coro, pending = self.coro, self.pending
        while True:
            try:
                yield pending  # a future (its blocking flag is still set) or None for a bare yield
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - a cancellation, thrown into coro where it waits
                try:
                    pending = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    pending = coro.send(None)
                except StopIteration as stop:
                    return stop.value
