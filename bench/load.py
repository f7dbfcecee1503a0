"""Load: bounded concurrency on the seed flows, right and wrong credentials mixed, against `python -m emulator serve`.

    .venv/bin/python bench/load.py [--seconds 60] [--connections 256] [--history memory|sqlite|both]
                                   [--workers 1|N|auto|1,2] [--rounds 1] [--max-growth-mb 64]
                                   [--two-hosts [REDIS_URL]]

The server runs as ``python -m emulator serve flows/ --quiet`` in its own process (with ``--workers N``, N
processes), on 127.0.0.1 with a fresh state dir; this process is the load generator. ``--connections``
keep-alive HTTP/1.1 connections each send one request at a time (no pipelining) for ``--seconds``, cycling
through the mix below, every request checked against the status it must get. Printed for each history
store: throughput, latency p50/p99/max, the error count (unexpected status, lost connection: must be 0), and
the server's resident memory (RSS, all its processes) after a warm-up and after the load, and the CPU the
server used (cores busy on average, and CPU time per request): on a machine shared with other work, a
server that got less than its cores shows it here.

Memory is bounded by design: history keeps ``--history-size`` runs and trigger histories per workflow (1,000
by default), the outbox as many calls, and every cache is capped (callback-URL signatures 1,024 entries,
options and mocks one per workflow version, asynchronous operations 10 x the history size). So RSS after the
load must stay within ``--max-growth-mb`` (64 MB by default: a full in-memory history of the seed flows is
about 15 MB, the rest is allocator slack) of RSS after the warm-up; exit 1 otherwise, or on any error.

The mix (each row one request; 10 rows, cycled): token-in-path with the right token (200) and a wrong one
(401), with a wrong SAS signature (401); token-in-header right (200) and wrong (401); secret-key-condition
with the right key (200) and a wrong one (202, trigger condition false: no run); oauth-protected with a
bearer token from the local issuer (200) and without one (401); send-email (mocked connector, 200).

``--two-hosts``: hosts sharing their state through Redis (``serve --state redis://...``, docs/deploy.md), on
the Redis at REDIS_URL or on a ``redis-server`` started for the run (append-only file, fsync every second, as
deployed). Three rows: one host with the default SQLite state, one host on Redis, two hosts on the one Redis
(the connections split between them, callback URLs from the first host used on both); then a latency probe
(one connection, one call at a time) on SQLite and on Redis. The closing note gives the throughput of two
hosts against one, and the latency Redis adds to each call.
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's http: keep this folder off sys.path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
API = "api-version=2016-10-01"
TENANT = "c0ffee00-0000-4000-8000-000000000001"


# ---------------------------------------------------------------------- the server (a child process)
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m emulator serve`` in its own process group, on a fresh state dir."""

    def __init__(self, history: str, workers: int = 1, state_dir: str | None = None, extra=()):
        self.port = free_port()
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="bench-load-")
        cmd = [sys.executable, "-m", "emulator", "serve", str(FLOWS), "--quiet", "--port", str(self.port),
               "--state-dir", self.state_dir, "--history", history, *extra]
        if str(workers) != "1":
            cmd += ["--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            seen.append(line)
            if not line:
                raise SystemExit(f"the server did not start (exit {self.proc.wait()}):\n{''.join(seen[-20:])}")
            if line.startswith("Serving on"):
                break
        else:
            raise SystemExit("the server did not start within 60 s")
        # keep reading its output, so a full pipe never blocks it
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def rss_mb(self) -> float:
        """Resident memory of the server and its child processes (workers), in MB (Linux /proc)."""
        total = 0
        for pid in [self.proc.pid, *_descendants(self.proc.pid)]:
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its worker processes (Linux /proc)."""
        total = 0
        for pid in [self.proc.pid, *_descendants(self.proc.pid)]:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, ValueError, IndexError):
                pass
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        import signal
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _descendants(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    out += [int(child), *_descendants(int(child))]
    except OSError:
        pass
    return out


# ---------------------------------------------------------------------- the mix
def request_bytes(method: str, url: str, headers: dict | None = None, body: bytes = b"") -> bytes:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "User-Agent: bench-load/1.0"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def callback_url(session, base: str, workflow: str) -> str:
    async with session.post(f"{base}/workflows/{workflow}/triggers/manual/listCallbackUrl?{API}") as resp:
        if resp.status != 200:
            raise SystemExit(f"listCallbackUrl {workflow}: {resp.status} {await resp.text()}")
        return (await resp.json())["value"]


def bearer_token(state_dir: str, redis_url: str | None = None) -> str:
    sys.path.insert(0, str(ROOT))
    from emulator.server.keys_jwt import KeyStore, issuer_for

    store = None
    if redis_url:  # hosts on Redis sign with the key held there
        from emulator.server.state.redis_store import RedisState

        store = RedisState(redis_url).signing_key
    return KeyStore(state_dir, store).mint(TENANT, "https://management.azure.com/",
                                           {"iss": issuer_for(TENANT)})


async def build_mix(base: str, state_dir: str, redis_url: str | None = None) -> list[tuple[bytes, int, str]]:
    """(request bytes, expected status, label) for every row of the mix."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        path = await callback_url(session, base, "token-in-path")
        header = await callback_url(session, base, "token-in-header")
        secret = await callback_url(session, base, "secret-key-condition")
        oauth = await callback_url(session, base, "oauth-protected")
        email = await callback_url(session, base, "send-email")
    body = json.dumps({"name": "Ada"}).encode()
    bad_sig = path.replace("sig=", "sig=x")
    token = bearer_token(state_dir, redis_url)
    oauth_url = oauth.split("?")[0] + f"?{API}"  # a bearer token, no SAS (the flow turns SAS off)
    return [
        (request_bytes("GET", path.replace("{token}", "s3cr3t-token")), 200, "token-in-path right"),
        (request_bytes("GET", path.replace("{token}", "wrong")), 401, "token-in-path wrong token"),
        (request_bytes("GET", bad_sig.replace("{token}", "s3cr3t-token")), 401, "wrong SAS signature"),
        (request_bytes("POST", header, {"x-api-token": "header-token-123"}, body), 200, "token-in-header right"),
        (request_bytes("POST", header, {"x-api-token": "nope"}, body), 401, "token-in-header wrong"),
        (request_bytes("POST", secret, {"secretKey": "let-me-in"}, body), 200, "secret-key right"),
        (request_bytes("POST", secret, {"secretKey": "nope"}, body), 202, "secret-key wrong (skipped)"),
        (request_bytes("POST", oauth_url, {"Authorization": f"Bearer {token}"}, body), 200, "oauth right"),
        (request_bytes("POST", oauth_url, {}, body), 401, "oauth without token"),
        (request_bytes("POST", email, {}, json.dumps({"to": "ada@example.com", "subject": "hi", "body": "hello"}).encode()), 200,
         "send-email"),
    ]


# ---------------------------------------------------------------------- the load
class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.acknowledged: list[str] = []  # run ids answered (x-ms-workflow-run-id), when asked to keep them

    def error(self, why: str) -> None:
        self.errors[why] = self.errors.get(why, 0) + 1


class Connection(asyncio.Protocol):
    """One keep-alive connection: send a request, read its answer (Content-Length), send the next."""

    def __init__(self, mix, offset: int, stats: Stats, deadline: float, done: asyncio.Future, keep_ids: bool):
        self.mix, self.i, self.stats, self.deadline, self.done = mix, offset, stats, deadline, done
        self.keep_ids = keep_ids
        self.buffer = b""
        self.expected = 0
        self.label = ""
        self.sent_at = 0.0
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        if time.perf_counter() >= self.deadline:
            self.transport.close()
            return
        request, self.expected, self.label = self.mix[self.i % len(self.mix)]
        self.i += 1
        self.sent_at = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at < 0:
                self.stats.error("an answer without Content-Length")
                self.transport.close()
                return
            stop = head.find(b"\r\n", at + 2)
            size = int(head[at + 17: stop if stop > 0 else len(head)])
            if len(buffer) < end + 4 + size:
                break
            self.stats.latencies.append(time.perf_counter() - self.sent_at)
            status = int(head[9:12])
            if status != self.expected:
                self.stats.error(f"{self.label}: {status} (expected {self.expected})")
            elif self.keep_ids:
                at = lower.find(b"\r\nx-ms-workflow-run-id:")
                if at >= 0:
                    stop = head.find(b"\r\n", at + 2)
                    self.stats.acknowledged.append(head[at + 23: stop if stop > 0 else len(head)].strip().decode())
            buffer = buffer[end + 4 + size:]
            self.send()
        self.buffer = buffer

    def connection_lost(self, exc) -> None:
        if time.perf_counter() < self.deadline:
            self.stats.error(f"connection lost: {exc or 'closed by the server'}")
        if not self.done.done():
            self.done.set_result(None)


async def run_load(base: str, mix, seconds: float, connections: int, keep_ids: bool = False) -> tuple[Stats, float]:
    """Keep ``connections`` connections busy for ``seconds``: (stats, elapsed seconds)."""
    loop = asyncio.get_running_loop()
    host, port = urlsplit(base).hostname, urlsplit(base).port
    stats = Stats()
    start = time.perf_counter()
    deadline = start + seconds
    dones = []
    for n in range(connections):
        done = loop.create_future()
        dones.append(done)
        try:
            await loop.create_connection(partial(Connection, mix, n, stats, deadline, done, keep_ids), host, port)
        except OSError as exc:
            stats.error(f"cannot connect: {exc}")
            done.set_result(None)
    await asyncio.wait(dones, timeout=seconds + 60)
    return stats, time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Subject:
    """One server configuration under test, with what the rounds measured."""

    def __init__(self, history: str, workers: str, args):
        self.history, self.workers = history, workers
        self.server = Server(history, workers, extra=["--history-size", str(args.history_size)])
        self.mix = asyncio.run(build_mix(self.server.base, self.server.state_dir))
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.seconds = 0.0
        self.cpu = 0.0
        self.rss_before = self.rss_after = 0.0

    @property
    def label(self) -> str:
        return f"{self.history} history, {self.workers} worker(s)"

    def load(self, seconds: float, connections: int) -> None:
        cpu = self.server.cpu_seconds()
        stats, elapsed = asyncio.run(run_load(self.server.base, self.mix, seconds, connections))
        self.cpu += self.server.cpu_seconds() - cpu
        self.latencies += stats.latencies
        self.seconds += elapsed
        for why, count in stats.errors.items():
            self.errors[why] = self.errors.get(why, 0) + count

    def result(self) -> dict:
        lat = self.latencies
        return {"history": self.history, "workers": self.workers, "requests": len(lat), "seconds": self.seconds,
                "rate": len(lat) / self.seconds if self.seconds else 0.0,
                "server_cpu_share": self.cpu / self.seconds if self.seconds else 0.0,
                "server_cpu_us_per_request": 1e6 * self.cpu / len(lat) if lat else 0.0,
                "p50_ms": 1000 * percentile(lat, 0.50), "p99_ms": 1000 * percentile(lat, 0.99),
                "max_ms": 1000 * max(lat, default=float("nan")), "errors": sum(self.errors.values()),
                "error_kinds": self.errors, "rss_before_mb": self.rss_before, "rss_after_mb": self.rss_after}


# ---------------------------------------------------------------------- two hosts on one Redis
class RedisServer:
    """A ``redis-server`` for the run (Debian's package), on a free port, its files in a temp dir."""

    def __init__(self):
        import shutil

        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("--two-hosts: redis-server is not installed (apt-get install redis-server), "
                             "or give the URL of a running Redis")
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="bench-redis-")
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.folder,
                                      "--appendonly", "yes", "--save", ""],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _row(label: str, stats: Stats, elapsed: float, cpu: float) -> dict:
    lat = stats.latencies
    return {"setup": label, "requests": len(lat), "seconds": elapsed, "rate": len(lat) / elapsed,
            "server_cpu_share": cpu / elapsed if elapsed else 0.0,
            "server_cpu_us_per_request": 1e6 * cpu / len(lat) if lat else 0.0,
            "p50_ms": 1000 * percentile(lat, 0.50), "p99_ms": 1000 * percentile(lat, 0.99),
            "max_ms": 1000 * max(lat, default=float("nan")), "errors": sum(stats.errors.values()),
            "error_kinds": stats.errors}


async def _load_split(bases: list[str], mix, seconds: float, connections: int) -> tuple[Stats, float]:
    """``connections`` spread evenly over ``bases``, as a load balancer would; one set of stats."""
    share = max(1, connections // len(bases))
    results = await asyncio.gather(*[run_load(base, mix, seconds, share) for base in bases])
    merged = Stats()
    for stats, _ in results:
        merged.latencies += stats.latencies
        for why, count in stats.errors.items():
            merged.errors[why] = merged.errors.get(why, 0) + count
    return merged, max(elapsed for _, elapsed in results)


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # every row starts from an empty state


def measure_hosts(label: str, hosts: int, args, redis_url: str | None, connections: int,
                  seconds: float) -> dict:
    extra = ["--history-size", str(args.history_size)]
    if redis_url:
        _flush_redis(redis_url)
        extra += ["--state", redis_url]
    servers = [Server("sqlite" if not redis_url else "memory", extra=extra) for _ in range(hosts)]
    try:
        mix = asyncio.run(build_mix(servers[0].base, servers[0].state_dir, redis_url))
        bases = [s.base for s in servers]
        asyncio.run(_load_split(bases, mix, min(3.0, seconds), min(32, connections)))  # warm-up
        cpu = sum(s.cpu_seconds() for s in servers)
        stats, elapsed = asyncio.run(_load_split(bases, mix, seconds, connections))
        cpu = sum(s.cpu_seconds() for s in servers) - cpu
    finally:
        for server in servers:
            server.stop()
    return _row(label, stats, elapsed, cpu)


def _details(result: dict, args) -> None:
    """Under a result's line: its errors by kind, and the result as JSON with --json."""
    for why, count in result["error_kinds"].items():
        print(f"    {count} x {why}")
    if args.json:
        print(json.dumps(result))


def two_hosts(args) -> int:
    own = RedisServer() if args.two_hosts == "auto" else None
    url = own.url if own else args.two_hosts
    try:
        rows = [measure_hosts("1 host, sqlite", 1, args, None, args.connections, args.seconds),
                measure_hosts("1 host, redis", 1, args, url, args.connections, args.seconds),
                measure_hosts("2 hosts, redis", 2, args, url, args.connections, args.seconds),
                measure_hosts("probe, sqlite", 1, args, None, 1, min(5.0, args.seconds)),
                measure_hosts("probe, redis", 1, args, url, 1, min(5.0, args.seconds))]
    finally:
        if own:
            own.stop()
    for r in rows:
        conns = 1 if r["setup"].startswith("probe") else args.connections
        print(f"{r['setup']:15} {conns:4} connections, {r['seconds']:.0f} s: {r['rate']:7.0f} req/s  "
              f"p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms  "
              f"errors {r['errors']}  server CPU {r['server_cpu_share']:.2f} cores, "
              f"{r['server_cpu_us_per_request']:.0f} us/request", flush=True)
        _details(r, args)
    one_sqlite, one_redis, two, probe_sqlite, probe_redis = rows
    print(f"two hosts on one Redis: {two['rate'] / one_redis['rate']:.2f} x one host on Redis, "
          f"{two['rate'] / one_sqlite['rate']:.2f} x one host on SQLite; Redis adds "
          f"{probe_redis['p50_ms'] - probe_sqlite['p50_ms']:+.2f} ms per call (p50, one call at a time: "
          f"{probe_sqlite['p50_ms']:.2f} -> {probe_redis['p50_ms']:.2f} ms)")
    return 1 if any(r["errors"] for r in rows) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load per server (default 60)")
    parser.add_argument("--connections", type=int, default=256, help="keep-alive connections (default 256)")
    parser.add_argument("--history", choices=("memory", "sqlite", "both"), default="both")
    parser.add_argument("--workers", default="1",
                        help="serve --workers: a number, auto, or a comma-separated list to compare (1,2)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="split each server's load into this many rounds, alternating between the servers "
                             "(all are started first), so background noise hits each alike")
    parser.add_argument("--history-size", type=int, default=1000, help="serve --history-size")
    parser.add_argument("--max-growth-mb", type=float, default=64.0,
                        help="RSS after the load may exceed RSS after the warm-up by this much (exit 1 beyond)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON lines too")
    parser.add_argument("--two-hosts", nargs="?", const="auto", default=None, metavar="REDIS_URL",
                        help="two hosts on one Redis against one host (a redis-server is started when no URL)")
    args = parser.parse_args(argv)
    if args.two_hosts:
        return two_hosts(args)
    kinds = ("memory", "sqlite") if args.history == "both" else (args.history,)
    configs = [(kind, workers) for workers in args.workers.split(",") for kind in kinds
               if workers.strip() == "1" or kind == "sqlite"]  # several workers always share SQLite
    subjects = []
    try:
        for kind, workers in configs:
            subjects.append(Subject(kind, workers.strip(), args))
        for subject in subjects:
            subject.load(min(3.0, args.seconds), min(32, args.connections))  # warm-up
            subject.latencies, subject.seconds, subject.errors, subject.cpu = [], 0.0, {}, 0.0
            subject.rss_before = subject.server.rss_mb()
        rounds = max(1, args.rounds)
        for _ in range(rounds):
            for subject in subjects:
                subject.load(args.seconds / rounds, args.connections)
        for subject in subjects:
            subject.rss_after = subject.server.rss_mb()
    finally:
        for subject in subjects:
            subject.server.stop()
    failed = False
    results = [subject.result() for subject in subjects]
    print(f"{args.connections} connections, {args.seconds:.0f} s per server in {max(1, args.rounds)} round(s)")
    for r in results:
        growth = r["rss_after_mb"] - r["rss_before_mb"]
        print(f"{r['history']:6} history, {r['workers']} worker(s): {r['rate']:7.0f} req/s  "
              f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms  "
              f"errors {r['errors']}  server CPU {r['server_cpu_share']:.2f} cores, "
              f"{r['server_cpu_us_per_request']:.0f} us/request  "
              f"RSS {r['rss_before_mb']:.0f} -> {r['rss_after_mb']:.0f} MB ({growth:+.0f}, "
              f"bound +{args.max_growth_mb:.0f})", flush=True)
        _details(r, args)
        failed |= r["errors"] > 0 or growth > args.max_growth_mb
    by = {(r["history"], r["workers"]): r for r in results}
    if ("memory", "1") in by and ("sqlite", "1") in by and by["memory", "1"]["rate"]:
        print(f"sqlite/memory rate (1 worker): {by['sqlite', '1']['rate'] / by['memory', '1']['rate']:.2f}")
    sqlite = [r for r in results if r["history"] == "sqlite"]
    if len(sqlite) > 1 and sqlite[0]["rate"]:
        for r in sqlite[1:]:
            print(f"sqlite, {r['workers']} workers / {sqlite[0]['workers']}: {r['rate'] / sqlite[0]['rate']:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
