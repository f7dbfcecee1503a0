"""Where a trigger call's time goes: the emulator of ``bench/http.py`` profiled under the same load.

    .venv/bin/python bench/profile_http.py [--requests 20000] [--top 30] [--sort tottime|cumulative]

The server runs in this process (pinned to the first CPU, as in ``bench/http.py``) and the load comes from
``bench/http.py``'s client processes (on the other CPUs). Two measured rounds after a warm-up: one plain, for
the server's CPU time per call (microseconds, less noisy than a rate on a shared machine), and one under
cProfile, whose top entries are printed. cProfile slows every Python call about alike, so read its
numbers as shares of the time, not as times.
"""

from __future__ import annotations

import os
import sys

# Keep this folder off sys.path so ``import http`` finds the standard library (see bench/http.py).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_http():
    """bench/http.py as a module (its name would shadow the standard library's ``http`` on sys.path)."""
    spec = importlib.util.spec_from_file_location("bench_http", Path(_HERE) / "http.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its client processes' function is pickled by module name
    spec.loader.exec_module(module)
    return module


class _GcTimer:
    """Time spent in the cyclic garbage collector (cProfile does not see it), by generation."""

    def __init__(self):
        self.seconds = [0.0, 0.0, 0.0]
        self.counts = [0, 0, 0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._start
            self.counts[info["generation"]] += 1


class _Here:
    """The server in this process, as ``bench_http.Load`` sees a child server: its URLs and its CPU time."""

    def __init__(self, urls: dict):
        self.urls = urls

    def cpu_seconds(self) -> float:
        return time.process_time()


async def _serve(bench) -> tuple:
    """bench/http.py's emulator server, started in this process: (its task, its URLs)."""
    ready = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(bench._emulator(lambda ok, bad: ready.set_result({"ok": ok, "bad": bad})))
    return task, await ready


async def _main(args) -> None:
    bench = _bench_http()
    load = bench.Load(args.clients, args.concurrency)  # forked before the server starts, pinned apart
    bench._pin(os.getpid(), bench._SERVER_CPUS)
    server, urls = await _serve(bench)
    here = _Here(urls)
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, load.run, here, max(1000, args.requests // 5))  # warm-up
        timer = _GcTimer()
        gc.callbacks.append(timer)
        rate, busy = await loop.run_in_executor(None, load.run, here, args.requests)
        gc.callbacks.remove(timer)
        micros = busy / rate * 1e6 if busy else float("nan")
        profile = cProfile.Profile()
        profile.enable()  # this (the event loop's) thread only: the executor thread just waits for the load
        await loop.run_in_executor(None, load.run, here, args.requests)
        profile.disable()
    finally:
        load.close()
        server.cancel()
    print(f"{rate:.0f} req/s, server CPU {busy:.0%}: {micros:.1f} us of CPU per call "
          f"({args.requests} requests, {load.clients} x {load.connections} connections)")
    print("garbage collector: " + ", ".join(
        f"generation {g}: {timer.counts[g]} runs, {timer.seconds[g] / args.requests * 1e6:.1f} us per call"
        for g in range(3)))
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    asyncio.run(_main(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
