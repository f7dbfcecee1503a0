"""``python -m emulator serve`` as a real child process (for kill -9 and --workers tests), on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
API = "api-version=2016-10-01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """A server process in its own session (so its workers can be signalled as a group); output kept."""

    def __init__(self, paths, state_dir, *extra: str, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "emulator", "serve", *map(str, paths), "--port", str(self.port),
               "--state-dir", str(state_dir), "--reload-interval", "0.2", *extra]
        self.proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self.lines: list[str] = []
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line)
                if line.startswith("Serving on"):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60) or self.proc.poll() is not None:
            raise AssertionError("serve did not start:\n" + "".join(self.lines))

    def output(self) -> str:
        return "".join(self.lines)

    def kill9(self) -> None:
        """SIGKILL to the whole process group: nothing gets to flush or clean up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _group_alive(self.proc.pid):
            time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


async def callback_url(session: aiohttp.ClientSession, base: str, workflow: str, trigger: str = "manual") -> str:
    async with session.post(f"{base}/workflows/{workflow}/triggers/{trigger}/listCallbackUrl?{API}") as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["value"]


async def run_names(session: aiohttp.ClientSession, base: str, workflow: str) -> list[str]:
    """Every run the management API lists for ``workflow`` (following nextLink)."""
    names = []
    url = f"{base}/workflows/{workflow}/runs?{API}&$top=250"
    while url:
        async with session.get(url) as resp:
            assert resp.status == 200, await resp.text()
            page = await resp.json()
        names += [r["name"] for r in page["value"]]
        url = page.get("nextLink")
    return names
