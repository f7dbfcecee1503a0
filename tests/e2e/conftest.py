from __future__ import annotations

import pytest

from tests.server.live import start, write_flows


@pytest.fixture
async def serve_real(tmp_path):
    """``await serve_real(paths or {"name.json": doc}, **config)`` -> Live, on the real runtime."""
    started = []

    async def _serve(flows, **config):
        paths = [write_flows(tmp_path / "flows", flows)] if isinstance(flows, dict) else flows
        config.setdefault("state_dir", tmp_path / "state")
        live = await start(paths, config.pop("state_dir"), **config)
        started.append(live)
        return live

    yield _serve
    for live in started:
        await live.close()
