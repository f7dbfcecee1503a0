from __future__ import annotations

import pytest

from tests.server.live import start, write_flows


@pytest.fixture
async def serve(tmp_path):
    """``await serve({"name.json": doc, ...}, **config)`` -> Live, on the real loader and runtime."""
    started = []

    async def _serve(flows: dict, folder=None, **config):
        folder = write_flows(folder or tmp_path / "flows", flows)
        config.setdefault("state_dir", tmp_path / "state")
        live = await start([folder], config.pop("state_dir"), **config)
        started.append(live)
        return live

    yield _serve
    for live in started:
        await live.close()
