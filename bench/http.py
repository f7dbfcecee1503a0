"""HTTP throughput: the token-in-path flow served by the emulator vs a bare aiohttp handler doing the same check.

    .venv/bin/python bench/http.py [--requests 10000] [--rounds 3] [--concurrency 32] [--clients 2]
                                   [--min-ratio 0.45]

Each server runs in its own process; the same client load is sent to each in alternating rounds after a
warm-up, and the median rate of each is kept. The load: ``--clients`` processes sharing ``--concurrency``
keep-alive HTTP/1.1 connections, one request in flight per connection (no pipelining), 3 of 4 requests with
the right token, 1 with a wrong one. The client is a small asyncio protocol, not aiohttp's client: an aiohttp
client costs about as much CPU per request as the bare server and capped it at about half its rate, which
hid most of the difference. Servers run on the first CPU, the load on the others (Linux, 2 CPUs or more). The
server's CPU use is printed: a server near 100% is the bottleneck.
Prints both rates and emulator/bare, plus two more servers: the emulator with an instant stub runtime, which
shows how much of the gap is the server and how much the run, and a floor: aiohttp's low-level server giving
the host's answer with no emulation at all (see ``_floor``), the best ratio any emulator on aiohttp could show. The emulator path includes everything a real
call does: routing, SAS check (HMAC), access policy, relative path template, trigger outputs, a run with an If
and two Response actions (run record kept in the history), x-ms-* headers, the access log call (no handler
is configured here, so no line is formatted or written).
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
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

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
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/secure/"
    ready(base + TOKEN, base + "wrong")
    await asyncio.Event().wait()


async def _floor(ready) -> None:
    """The least any emulator built on aiohttp can do per call: aiohttp's low-level server (no router, no
    middleware), a SAS signature compared with one computed in advance, the token check, and the host's
    answer: the x-ms-* header set of a Consumption run (fixed values) and the JSON body. No run, no ids,
    no history. Its rate over the bare handler's is the best ratio this benchmark can show."""
    import hmac

    from aiohttp import web

    sig = "q6cLUW8nAzXcSWP2oNhCfmTdvmHq2SaB7rXiwVzkRvA"
    headers = {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1",
               **{name: "08584354187153470281734532443CU00" for name in (
                   "x-ms-workflow-run-id", "x-ms-client-tracking-id", "x-ms-trigger-history-name")},
               "x-ms-correlation-id": "6d4b0c44-0f3a-4e3e-9b55-4a0c6d4f5b8e", "x-ms-execution-location": "local",
               "x-ms-workflow-system-id": "/locations/local/scaleunits/prod-00/workflows/" + "0" * 32,
               "x-ms-workflow-id": "0" * 32, "x-ms-workflow-version": "08584354187153470281",
               "x-ms-workflow-name": "token-in-path", "x-ms-tracking-id": "6d4b0c44-0f3a-4e3e-9b55-4a0c6d4f5b8e",
               "x-ms-ratelimit-burst-remaining-workflow-writes": "2999",
               "x-ms-ratelimit-remaining-workflow-download-contentsize": "214748364",
               "x-ms-ratelimit-remaining-workflow-upload-contentsize": "214748364",
               "x-ms-ratelimit-time-remaining-directapirequests": "19999999",
               "x-ms-request-id": "local:6d4b0c44-0f3a-4e3e-9b55-4a0c6d4f5b8e",
               "Content-Type": "application/json; charset=utf-8"}

    async def handler(request: web.BaseRequest) -> web.Response:
        if not hmac.compare_digest(request.query.get("sig", ""), sig):
            return web.Response(status=401)
        token = request.raw_path.partition("?")[0].rpartition("/")[2]
        if hmac.compare_digest(token, TOKEN):
            return web.Response(body=b'{"status":"authorized","message":"Token accepted."}', headers=headers)
        return web.Response(status=401, body=b'{"status":"unauthorized","message":"Invalid token."}',
                            headers=headers)

    server = web.Server(handler)
    runner = web.ServerRunner(server, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = (f"http://127.0.0.1:{runner.addresses[0][1]}"
            "/workflows/wf/triggers/manual/paths/invoke/secure/")
    query = f"?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={sig}"
    ready(base + TOKEN + query, base + "wrong" + query)
    await asyncio.Event().wait()


async def _emulator(ready, stub: bool = False) -> None:
    from aiohttp import web

    sys.path.insert(0, str(ROOT))
    from emulator.server import urls
    from emulator.server.app import SERVER, ServerConfig, create_app, make_runner

    state = tempfile.mkdtemp(prefix="bench-http-")
    if stub:
        _stub_run()
    app = create_app(ServerConfig(paths=[str(FLOW)], state_dir=state, port=0))
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    server = app[SERVER]
    entry = server.registry.find("token-in-path")
    url = urls.callback(server.keys, entry, entry.trigger("manual"), base)["value"]
    ready(url.replace("{token}", TOKEN), url.replace("{token}", "wrong"))
    await asyncio.Event().wait()


def _stub_run() -> None:
    """Swap the run for an instant one (the real loader and server, no run engine): it answers the token check
    at once. The server calls ``emulator.runtime.trigger.fire``; this replaces it in the server's process."""
    from emulator.runtime import ids, trigger
    from emulator.runtime.invocation import Invocation

    async def fire(workflow, trigger_name, outputs, options):
        loop = asyncio.get_running_loop()
        ok = outputs["relativePathParameters"]["token"] == TOKEN
        run_id, tracking_id = ids.new_run_id(), ids.new_guid()
        inv = Invocation(run_id=run_id, correlation_id=tracking_id, tracking_id=tracking_id,
                         response=loop.create_future(), done=loop.create_future(),
                         record={"name": run_id, "status": "Succeeded"})
        body = {"status": "authorized", "message": "Token accepted."} if ok else \
            {"status": "unauthorized", "message": "Invalid token."}
        inv.response.set_result({"status": 200 if ok else 401, "headers": {}, "body": body})
        inv.done.set_result(inv.record)
        return inv

    trigger.fire = fire


def child(kind: str) -> None:
    def ready(ok: str, bad: str) -> None:
        print(json.dumps({"ok": ok, "bad": bad}), flush=True)

    if kind == "floor":
        asyncio.run(_floor(ready))
    else:
        asyncio.run(_bare(ready) if kind == "bare" else _emulator(ready, stub=kind == "stub"))


# ---------------------------------------------------------------------- the load (parent process)
class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: sends a request, reads its answer (Content-Length), sends the next.

    One request in flight per connection (no pipelining), like a browser or an aiohttp session.
    """

    def __init__(self, job: _Job):
        self.job = job
        self.buffer = b""
        self.expected = 0
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        job = self.job
        i = job.sent
        if i >= job.total:
            self.transport.close()
            job.closed()
            return
        job.sent = i + 1
        request, self.expected = job.requests[i & 3]  # 3 of 4 with the right token
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            at = head.lower().find(b"\r\ncontent-length:")
            if at < 0:
                raise SystemExit("an answer without Content-Length")
            stop = head.find(b"\r\n", at + 2)
            size = int(head[at + 17: stop if stop > 0 else len(head)])
            if len(buffer) < end + 4 + size:
                break
            if int(head[9:12]) != self.expected:
                self.job.failures.append(int(head[9:12]))
            buffer = buffer[end + 4 + size:]
            self.send()
        self.buffer = buffer

    def connection_lost(self, exc) -> None:
        if self.job.sent < self.job.total or exc is not None:
            self.job.fail(f"connection lost: {exc}")


class _Job:
    def __init__(self, requests: list, total: int, connections: int):
        self.requests = requests
        self.total = total
        self.sent = 0
        self.open = connections
        self.failures: list = []
        self.finished = asyncio.get_running_loop().create_future()

    def closed(self) -> None:
        self.open -= 1
        if self.open == 0 and not self.finished.done():
            self.finished.set_result(None)

    def fail(self, why: str) -> None:
        if not self.finished.done():
            self.finished.set_exception(SystemExit(why))


def _request(url: str) -> bytes:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return (f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\n\r\n").encode("latin-1")


async def load(ok: str, bad: str, total: int, concurrency: int) -> float:
    """Requests per second for ``total`` requests over ``concurrency`` keep-alive connections."""
    loop = asyncio.get_running_loop()
    good, wrong = (_request(ok), 200), (_request(bad), 401)
    job = _Job([good, good, good, wrong], total, concurrency)
    host, port = urlsplit(ok).hostname, urlsplit(ok).port
    transports = []
    start = time.perf_counter()
    for _ in range(concurrency):
        transport, _ = await loop.create_connection(lambda: _Connection(job), host, port)
        transports.append(transport)
    await job.finished
    elapsed = time.perf_counter() - start
    for transport in transports:
        transport.close()
    if job.failures:
        raise SystemExit(f"unexpected statuses: {sorted(set(job.failures))}")
    return total / elapsed


def _cpus() -> tuple[set, set]:
    """(server CPUs, client CPUs): on a machine with 2 or more, every server gets the first CPU and the load
    the others, so where the scheduler happens to put the processes does not change the numbers."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return set(), set()
    return ({cpus[0]}, set(cpus[1:])) if len(cpus) >= 2 else (set(), set())


_SERVER_CPUS, _CLIENT_CPUS = _cpus()


def _pin(pid: int, cpus: set) -> None:
    if cpus:
        try:
            os.sched_setaffinity(pid, cpus)
        except OSError:
            pass


class Child:
    """One server in its own process."""

    def __init__(self, kind: str):
        self.kind = kind
        self.proc = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE,
                                     text=True, cwd=str(ROOT))
        _pin(self.proc.pid, _SERVER_CPUS)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the {kind} server did not start")
        self.urls = json.loads(line)

    def cpu_seconds(self) -> float | None:
        """CPU time the server process has used (Linux /proc), to tell whether it was the bottleneck."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _client(job: tuple) -> float:
    """One client process's share of a round: ``(ok, bad, requests, connections)`` -> seconds taken."""
    ok, bad, total, connections = job
    start = time.perf_counter()
    asyncio.run(load(ok, bad, total, connections))
    return time.perf_counter() - start


class Load:
    """The same load for every server: ``clients`` processes, ``concurrency`` connections in all."""

    def __init__(self, clients: int, concurrency: int):
        import multiprocessing

        self.clients = max(1, clients)
        self.connections = max(1, concurrency // self.clients)
        self.pool = multiprocessing.get_context("fork").Pool(self.clients, initializer=_pin,
                                                             initargs=(0, _CLIENT_CPUS))

    def run(self, server: Child, total: int) -> tuple[float, float | None]:
        """Requests per second and the server's CPU use (share of one core) over one round."""
        share = max(1, total // self.clients)
        cpu = server.cpu_seconds()
        start = time.perf_counter()
        self.pool.map(_client, [(server.urls["ok"], server.urls["bad"], share, self.connections)] * self.clients)
        elapsed = time.perf_counter() - start
        after = server.cpu_seconds()
        busy = (after - cpu) / elapsed if cpu is not None and after is not None else None
        return share * self.clients / elapsed, busy

    def close(self) -> None:
        self.pool.close()
        self.pool.join()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10000, help="requests per round and server")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median rate is kept")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections in all")
    parser.add_argument("--clients", type=int, default=2, help="client processes sharing the connections")
    parser.add_argument("--min-ratio", type=float, default=0.45, help="exit 1 below this ratio")
    parser.add_argument("--child", choices=("bare", "emulator", "stub", "floor"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    children = [Child(kind) for kind in ("bare", "emulator", "stub", "floor")]
    load_ = Load(args.clients, args.concurrency)
    try:
        for c in children:
            load_.run(c, max(1000, args.requests // 5))  # warm-up
        rates: dict[str, list[float]] = {c.kind: [] for c in children}
        busy: dict[str, list[float]] = {c.kind: [] for c in children}
        for _ in range(args.rounds):  # alternate, so background noise hits every server alike
            for c in children:
                rate, cpu = load_.run(c, args.requests)
                rates[c.kind].append(rate)
                if cpu is not None:
                    busy[c.kind].append(cpu)
    finally:
        load_.close()
        for c in children:
            c.stop()
    bare, emulator, stub, floor = (statistics.median(rates[k]) for k in ("bare", "emulator", "stub", "floor"))

    def cpu(kind: str) -> str:
        return f"  (server CPU {statistics.median(busy[kind]):4.0%})" if busy[kind] else ""

    ratio = emulator / bare
    print(f"load: {load_.clients} client process(es) x {load_.connections} keep-alive connections, "
          f"{args.requests} requests per round, median of {args.rounds} alternating rounds")
    print(f"bare aiohttp handler            : {bare:8.0f} req/s{cpu('bare')}")
    print(f"emulator, token-in-path flow    : {emulator:8.0f} req/s{cpu('emulator')}")
    print(f"ratio emulator/bare             : {ratio:8.2f}  (target >= {args.min_ratio})")
    print(f"  server alone (instant runtime): {stub:8.0f} req/s{cpu('stub')}, ratio {stub / bare:.2f} "
          "(the rest of the gap is the run itself)")
    print(f"  floor (aiohttp low-level, host headers, no emulation): {floor:8.0f} req/s{cpu('floor')}, ratio "
          f"{floor / bare:.2f} (the most any emulator on aiohttp could show)")
    if busy["bare"] and statistics.median(busy["bare"]) < 0.9:
        print("  note: the bare server was not saturated: the client may cap it (try --clients 3)")
    return 0 if ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
