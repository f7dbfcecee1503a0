"""Gateway overhead: calls per second to a flow directly, through the API Management gateway, and answered by
the gateway alone (return-response, no backend call).

    .venv/bin/python bench/gateway.py [--requests 2000] [--concurrency 16]

One process holds the server, the gateway and an aiohttp client (so the numbers are relative, not a server
capacity): the gateway path adds routing, the subscription check, an ip-filter, a rate-limit-by-key, a
set-header with an expression, and the HTTP hop to the flow with its SAS.
"""

from __future__ import annotations

import os
import sys

# bench/ holds http.py: keep the folder off sys.path so ``import http`` finds the standard library.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key-0001"
POLICY = """<policies><inbound><base />
<ip-filter action="allow"><address>127.0.0.1</address></ip-filter>
<rate-limit-by-key calls="100000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />
<set-header name="X-Caller" exists-action="override"><value>@(context.Request.IpAddress)</value></set-header>
{extra}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"""


async def _load(session, url, headers, requests, concurrency) -> float:
    left = [requests]

    async def worker():
        while left[0] > 0:
            left[0] -= 1
            async with session.post(url, headers=headers, json={"item": "pen"}) as resp:
                await resp.read()
                assert resp.status in (200, 201), resp.status

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return requests / (time.perf_counter() - start)


async def main(requests: int, concurrency: int) -> None:
    from emulator.gateway import app as gateway_app
    from emulator.server import urls
    from emulator.server.app import SERVER, ServerConfig, create_app, make_runner

    tmp = Path(tempfile.mkdtemp())
    (tmp / "api.xml").write_text(POLICY.format(extra=""))
    (tmp / "answer.xml").write_text(POLICY.format(
        extra='<return-response><set-status code="200" reason="OK" /></return-response>'))
    apis = [{"name": name, "path": name, "policy": policy, "backend": {"workflow": "orders-gateway-only"}}
            for name, policy in (("orders", "api.xml"), ("answer", "answer.xml"))]
    (tmp / "gateway.json").write_text(json.dumps({"apis": apis, "subscriptions": [
        {"name": "bench", "scope": "/", "primaryKey": KEY}]}))
    app = create_app(ServerConfig(paths=[str(ROOT / "flows" / "orders-gateway-only.json")], state_dir=None,
                                  port=0, reload_interval=0))
    server = app[SERVER]
    gw = gateway_app.load(tmp / "gateway.json", server)
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    gw.main_base = base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    gw_runner = web.AppRunner(gateway_app.create_app(gw), access_log=None)
    await gw_runner.setup()
    gw_site = web.TCPSite(gw_runner, "127.0.0.1", 0)
    await gw_site.start()
    gw_base = f"http://127.0.0.1:{gw_site._server.sockets[0].getsockname()[1]}"
    entry = server.registry.find("orders-gateway-only")
    direct = urls.callback(server.keys, entry, entry.trigger("manual"), base)["value"].replace("{orderId}", "1")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        key = {"Ocp-Apim-Subscription-Key": KEY}
        for label, url, headers in (("direct to the flow", direct, {}),
                                    ("through the gateway", f"{gw_base}/orders/1", key),
                                    ("gateway answers itself", f"{gw_base}/answer/1", key)):
            await _load(session, url, headers, min(200, requests), concurrency)  # warm-up
            rate = await _load(session, url, headers, requests, concurrency)
            print(f"{label:24s} {rate:8.0f} calls/s")
    await gw_runner.cleanup()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
