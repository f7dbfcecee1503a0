"""A host sharing its state with other hosts (``serve --state redis://...``): staying in step with them.

- Before every trigger call and management call, :func:`sync` reads the shared stamps (one round trip) and
  reloads what another host changed: keys (a regenerated key is refused at once), workflow states. Redis
  unreachable: the call is refused with 503 before anything runs (:class:`~.state.redis_store.StateUnavailable`).
- In the background, :class:`SharedWatch` does the same every quarter second, publishes this host's flow files
  after each (re)load, and -- on a host started with ``--flows-from-state`` -- mirrors the published copy and
  reloads it when it changed.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from .state.redis_store import StateUnavailable

log = logging.getLogger("emulator.server")

POLL_INTERVAL = 0.25  # seconds between two reads of what other hosts changed
PUBLISH_CHECK = 0.05  # seconds between two looks at this host's own reloads (to publish)


async def sync(server) -> None:
    """Bring keys and workflow states up to date with the other hosts (or raise the 503)."""
    await server.state.refresh()
    server.registry.refresh_states()


def mirror_folder(config) -> Path:
    """Where a ``--flows-from-state`` host keeps its copy of the published flows."""
    if config.state_dir:
        return Path(config.state_dir) / "flows-mirror"
    return Path(tempfile.mkdtemp(prefix="logicapps-flows-"))


def first_mirror(server) -> None:
    """At start, before the first load: the published copy becomes the registry's paths."""
    from .state import redis_flows

    folder = mirror_folder(server.config)
    server.registry.paths = redis_flows.write_mirror(redis_flows.fetch_sync(server.state), folder)
    server.shared_mirror = folder


class SharedWatch:
    """The background loop of a shared host (started with the app, cancelled at cleanup)."""

    def __init__(self, server):
        self.server = server
        self.mirror = getattr(server, "shared_mirror", None)
        self._flows_stamp = server.state.stamp("flows")
        self._published: str | None = None
        self._generation = -1  # the registry generation last published
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def publish(self) -> None:
        """Publish this host's flow files when they changed since the last time (hosts with files only)."""
        registry = self.server.registry
        if self.mirror is not None or registry.generation == self._generation:
            return
        from .state import redis_flows

        self._generation = registry.generation
        published = await redis_flows.publish(self.server.state, self.server.registry.paths, self._published)
        if published != self._published:
            self._published = published
            self._flows_stamp = None  # our own bump: nothing to mirror

    async def _run(self) -> None:
        server = self.server
        next_sync = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                await self.publish()  # a reload on this host is published at once (free when nothing changed)
                if loop.time() >= next_sync:
                    next_sync = loop.time() + POLL_INTERVAL
                    await sync(server)
                    stamp = server.state.stamp("flows")
                    if self.mirror is not None and stamp != self._flows_stamp:
                        self._flows_stamp = stamp
                        await self._reload_mirror()
            except StateUnavailable:
                pass  # calls answer 503 meanwhile; the next round tries again
            except Exception:  # noqa: BLE001 - keep watching whatever happens
                log.exception("shared state watch failed")
            await asyncio.sleep(PUBLISH_CHECK)

    async def _reload_mirror(self) -> None:
        from .state import redis_flows

        registry = self.server.registry
        registry.paths = await redis_flows.mirror(self.server.state, self.mirror)
        for line in registry.reload_if_changed() or ():
            log.info("%s (published by another host)", line)
