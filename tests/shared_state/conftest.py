"""Fixtures: a real redis-server per test (skipped, with the reason, when redis-server is missing)."""

from __future__ import annotations

import pytest

from .redis_server import REDIS_SERVER, SKIP_REASON, RedisServer


@pytest.fixture
def redis_server(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
