"""``serve --workers N``: N server processes on one port, sharing the state dir.

The parent binds the listening sockets (the server's, and the gateway's with ``--gateway``) and starts N
worker processes (``multiprocessing``'s ``fork`` context) that inherit them (``aiohttp.web.SockSite``). On
Linux each worker gets its own socket on the shared port (``SO_REUSEPORT``): the kernel spreads new
connections evenly over them, where one shared socket would let whichever worker wakes first accept a whole
burst. Elsewhere the workers share one socket. State is shared
through the state dir: SAS keys (``keys.json``, reloaded when it changes), run history, outbox, gateway
counters and workflow states in SQLite (WAL, atomic statements), the issuer's signing key file. Each worker
watches the flow files for hot reload itself. Worker 0 prints the banner; the parent forwards SIGTERM/SIGINT,
and a worker stops when its parent is gone. POSIX only (``fork``).
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import signal
import socket
import sys


def worker_count(value: str) -> int:
    """``--workers``: a positive number or ``auto`` (one per CPU this process may use)."""
    if str(value).lower() == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):
            return max(1, os.cpu_count() or 1)
    try:
        count = int(value)
    except ValueError:
        raise ValueError(f"--workers must be a number or 'auto', not '{value}'") from None
    if count < 1:
        raise ValueError("--workers must be at least 1")
    return count


def listen(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one port (``SO_REUSEPORT`` on Linux), or one socket ``count`` times."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if not (sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")):
        return [socket.create_server((host, port), family=family, backlog=2048)] * count
    socks = []
    for _ in range(count):
        socks.append(socket.create_server((host, port), family=family, backlog=2048, reuse_port=True))
        port = socks[0].getsockname()[1]  # port 0: the others join the port the first one got
    return socks


def supervise(config, gateway_file, gateway_port: int, count: int) -> int:
    """Run ``count`` workers until SIGTERM/SIGINT; the exit code of the first worker to fail, else 0."""
    from .serve import serve

    if "fork" not in multiprocessing.get_all_start_methods():
        print("serve: --workers needs fork (Linux, macOS); run one process per port instead", file=sys.stderr)
        return 2
    try:
        main_socks = listen(config.host, config.port, count)
        gw_socks = listen(config.host, gateway_port, count) if gateway_file else [None] * count
    except OSError as exc:
        print(f"serve: cannot listen on {config.host}:{config.port} (or the gateway's port): {exc}",
              file=sys.stderr)
        return 2
    config.port = main_socks[0].getsockname()[1]
    secret = secrets.token_urlsafe(32)  # the gateway's proof, the same in every worker
    parent = os.getpid()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_worker, name=f"emulator-worker-{i}",
                               args=(serve, config, gateway_file, (main_socks, gw_socks), secret, i, count, parent))
               for i in range(count)]
    for w in workers:
        w.start()
    for sock in {*main_socks, *gw_socks} - {None}:
        sock.close()

    def stop(signum, frame):
        for w in workers:
            if w.is_alive():
                os.kill(w.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    for w in workers:
        w.join()
        if w.exitcode and not code:
            code = w.exitcode if w.exitcode > 0 else 0  # killed by our SIGTERM: a clean stop
    return code


def _worker(serve, config, gateway_file, sockets, secret, index: int, count: int, parent: int) -> None:
    import asyncio
    import logging

    for handler in logging.getLogger().handlers:  # every log line says which worker wrote it
        handler.setFormatter(logging.Formatter(f"%(asctime)s [worker {index}] %(message)s", "%H:%M:%S"))

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns Ctrl+C into SIGTERM for every worker
    mine = (sockets[0][index], sockets[1][index])
    for sock in {*sockets[0], *sockets[1]} - {None, *mine}:
        sock.close()  # another worker's: when that worker ends, the kernel stops giving its socket connections
    try:
        code = asyncio.run(serve(config, gateway_file, sockets=mine, gateway_secret=secret,
                                 show_banner=index == 0, parent=parent, workers=count))
    except KeyboardInterrupt:
        code = 0
    sys.exit(code)
