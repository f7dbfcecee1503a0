"""HTTP throughput: the token-in-path flow served by the emulator vs a bare aiohttp handler doing the same check.

    .venv/bin/python bench/http.py [--requests 4000] [--concurrency 32] [--min-ratio 0.6]

Each server runs alone in its own process (so the two never share a CPU with each other); the same client
load (aiohttp, keep-alive, ``--concurrency`` workers, 3 of 4 requests with the right token, 1 with a wrong
one) is sent to each, one after the other, after a warm-up. Prints both rates and emulator/bare.
The emulator path includes everything a real call does: routing, SAS check, relative path template,
trigger outputs, a run with an If and two Response actions, x-ms-* headers, history, the access log call.
"""

from __future__ import annotations

import os
import sys

# This file is named http.py: keep its folder off sys.path so ``import http`` finds the standard library.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT / "flows" / "token-in-path.json"
TOKEN = "s3cr3t-token"


# ---------------------------------------------------------------------- the two servers (child processes)
async def _bare(ready) -> None:
    from aiohttp import web

    async def secure(request: web.Request) -> web.Response:
        if request.match_info["token"] == TOKEN:
            return web.json_response({"status": "authorized", "message": "Token accepted."})
        return web.json_response({"status": "unauthorized", "message": "Invalid token."}, status=401)

    app = web.Application()
    app.router.add_get("/secure/{token}", secure)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/secure/"
    ready(base + TOKEN, base + "wrong")
    await asyncio.Event().wait()


async def _emulator(ready) -> None:
    from aiohttp import web

    sys.path.insert(0, str(ROOT))
    from emulator.server import urls
    from emulator.server.app import SERVER, ServerConfig, create_app

    state = tempfile.mkdtemp(prefix="bench-http-")
    app = create_app(ServerConfig(paths=[str(FLOW)], state_dir=state, port=0))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    server = app[SERVER]
    entry = server.registry.find("token-in-path")
    url = urls.callback(server.keys, entry, entry.trigger("manual"), base)["value"]
    ready(url.replace("{token}", TOKEN), url.replace("{token}", "wrong"))
    await asyncio.Event().wait()


def child(kind: str) -> None:
    def ready(ok: str, bad: str) -> None:
        print(json.dumps({"ok": ok, "bad": bad}), flush=True)

    asyncio.run(_bare(ready) if kind == "bare" else _emulator(ready))


# ---------------------------------------------------------------------- the load (parent process)
async def load(ok: str, bad: str, total: int, concurrency: int) -> float:
    import aiohttp

    counter = iter(range(total))
    failures = []

    async def worker(session) -> None:
        for i in counter:
            url, expected = (bad, 401) if i % 4 == 3 else (ok, 200)
            async with session.get(url) as resp:
                await resp.read()
                if resp.status != expected:
                    failures.append(resp.status)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"unexpected statuses: {sorted(set(failures))}")
    return total / elapsed


def measure(kind: str, total: int, concurrency: int) -> float:
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, text=True,
                            cwd=str(ROOT))
    try:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"the {kind} server did not start")
        urls = json.loads(line)
        asyncio.run(load(urls["ok"], urls["bad"], max(200, total // 10), concurrency))  # warm-up
        return asyncio.run(load(urls["ok"], urls["bad"], total, concurrency))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--min-ratio", type=float, default=0.6, help="exit 1 below this ratio")
    parser.add_argument("--child", choices=("bare", "emulator"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    bare = measure("bare", args.requests, args.concurrency)
    emulator = measure("emulator", args.requests, args.concurrency)
    ratio = emulator / bare
    print(f"bare aiohttp handler : {bare:8.0f} req/s")
    print(f"emulator (SAS + run) : {emulator:8.0f} req/s")
    print(f"ratio emulator/bare  : {ratio:8.2f}  (target >= {args.min_ratio})")
    return 0 if ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
