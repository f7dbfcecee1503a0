from __future__ import annotations

import pytest

from tests.server.live import start, write_flows

try:
    from emulator.server.engine import RuntimeUnavailable, real_runtime

    RUNTIME = real_runtime()
except RuntimeUnavailable:  # pragma: no cover - only while the runtime stream has not landed
    RUNTIME = None

needs_runtime = pytest.mark.skipif(RUNTIME is None, reason="emulator.runtime is not importable yet")


@pytest.fixture
async def serve_real(tmp_path):
    """``await serve_real(paths or {"name.json": doc}, **config)`` -> Live, on the real runtime."""
    started = []

    async def _serve(flows, **config):
        paths = [write_flows(tmp_path / "flows", flows)] if isinstance(flows, dict) else flows
        config.setdefault("state_dir", tmp_path / "state")
        live = await start(paths, RUNTIME, config.pop("state_dir"), **config)
        started.append(live)
        return live

    yield _serve
    for live in started:
        await live.close()
