"""Emulator hosts as real processes (``python -m emulator serve --state redis://...``) on their own ports.

Each host has its own state dir (nothing shared through files): what the hosts share goes through Redis.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
_SERVING = re.compile(r"Serving on (http://[^ ]+) ")
MGMT = "api-version=2016-06-01"


class Host:
    def __init__(self, name: str, folder: Path, redis_url: str, paths=(), *args: str):
        self.name, self.folder = name, Path(folder)
        self.args = [sys.executable, "-m", "emulator", "serve", "--port", "0", "--state", redis_url,
                     "--state-dir", str(self.folder / f"state-{name}"), "--quiet", *args, *map(str, paths)]
        self.process: subprocess.Popen | None = None
        self.base = ""
        self.output: list[str] = []

    def start(self, timeout: float = 30) -> Host:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        found = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line)
                match = _SERVING.search(line)
                if match and not found.is_set():
                    self.base = match.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(timeout):
            self.kill()
            raise RuntimeError(f"host {self.name} did not start:\n{''.join(self.output)}")
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log(self) -> str:
        return "".join(self.output)


async def callback_url(session: aiohttp.ClientSession, host: Host, workflow: str, trigger: str = "manual") -> str:
    async with session.post(f"{host.base}/workflows/{workflow}/triggers/{trigger}/listCallbackUrl?{MGMT}") as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["value"]


def on(host: Host, url: str) -> str:
    """The same callback URL aimed at another host (what a load balancer does)."""
    path = url.split("/", 3)[3]
    return f"{host.base}/{path}"


async def call(session: aiohttp.ClientSession, url: str, body=None):
    async with session.post(url, json=body if body is not None else {}) as resp:
        text = await resp.text()
        return resp.status, resp.headers, (json.loads(text) if text.startswith("{") else text)


async def runs(session: aiohttp.ClientSession, host: Host, workflow: str, query: str = "") -> list[dict]:
    """Every run the host lists (following nextLink pages)."""
    url = f"{host.base}/workflows/{workflow}/runs?{MGMT}{query}"
    found = []
    while url:
        async with session.get(url) as resp:
            assert resp.status == 200, await resp.text()
            page = await resp.json()
        found.extend(page["value"])
        url = page.get("nextLink")
    return found


def wait_until(check, timeout: float = 5.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
