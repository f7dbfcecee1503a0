"""Start the trigger server on a real socket (127.0.0.1, port 0) for end-to-end tests."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
from aiohttp import web

from emulator.server import urls
from emulator.server.app import SERVER, ServerConfig, create_app, make_runner


class Live:
    """A running server: ``base`` URL, the ``server`` object, an aiohttp ``session``."""

    def __init__(self, runner, base: str, server, session):
        self.runner, self.base, self.server, self.session = runner, base, server, session

    def entry(self, workflow: str):
        return self.server.registry.find(workflow)

    def callback(self, workflow: str, trigger: str = "manual", **kwargs) -> dict:
        entry = self.entry(workflow)
        return urls.callback(self.server.keys, entry, entry.trigger(trigger), self.base, **kwargs)

    def url(self, workflow: str, trigger: str = "manual", relative: str | None = None, **kwargs) -> str:
        answer = self.callback(workflow, trigger, **kwargs)
        if relative is None:
            return answer["value"]
        base, _, query = answer["value"].partition("?")
        base = base[: -len(answer["relativePath"])] if answer.get("relativePath") else base + "/"
        return f"{base}{relative}?{query}"

    async def call(self, method: str, url: str, **kwargs):
        async with self.session.request(method, url, **kwargs) as resp:
            data = await resp.read()
            return resp.status, resp.headers, data

    async def call_json(self, method: str, url: str, **kwargs):
        status, headers, data = await self.call(method, url, **kwargs)
        return status, headers, (json.loads(data) if data else None)

    async def close(self):
        await self.session.close()
        await self.runner.cleanup()


async def start(paths, state_dir: Path | None, **config) -> Live:
    config.setdefault("reload_interval", 0)
    cfg = ServerConfig(paths=[str(p) for p in paths], state_dir=str(state_dir) if state_dir else None, port=0,
                       **config)
    app = create_app(cfg)
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return Live(runner, f"http://127.0.0.1:{port}", app[SERVER], aiohttp.ClientSession())


def write_flows(folder: Path, flows: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, doc in flows.items():
        target = folder / name
        if target.suffix != ".json":
            target.mkdir(parents=True, exist_ok=True)
            target = target / "workflow.json"
        target.write_text(json.dumps(doc), encoding="utf-8")
    return folder
