"""``python -m emulator serve``: arguments, the start banner, --auth none's warning."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys

import pytest

from emulator.cli.main import _load_extensions, build_parser
from emulator.server import banner
from tests.conftest import ROOT
from tests.server.flowdefs import ECHO, flow, response
from tests.server.live import start, write_flows


def test_serve_defaults():
    _load_extensions()
    args = build_parser().parse_args(["serve"])
    assert args.paths == ["flows"] and args.host == "127.0.0.1" and args.port == 7071
    assert args.state_dir == ".state" and args.auth == "sas"
    assert args.timeout is None  # the host's default per workflow: 120 s, Standard 225 s (Server.timeout_for)
    assert args.history == "sqlite"  # one host keeps its runs in the state dir (issue 17: SQLite by default)


async def test_banner_lists_method_path_url_and_curl(tmp_path):
    folder = write_flows(tmp_path / "flows", {
        "echo.json": ECHO,
        "orders.json": flow({"R": response(200, "x")}, {"method": "GET", "relativePath": "/orders/{id}"})})
    live = await start([folder], tmp_path / "state")
    try:
        text = "\n".join(banner.lines(live.server, live.base))
        assert "trigger manual: GET  relative path /orders/{id}" in text
        url = re.search(r"curl -i -X GET '([^']+)'", text).group(1)
        assert "/paths/invoke/orders/id-value?" in url
        assert (await live.call("GET", url))[0] == 200
        post = re.search(r"curl -i -X POST '([^']+)' -H 'Content-Type: application/json' -d '\{\}'", text).group(1)
        assert (await live.call("POST", post, json={}))[0] == 200
    finally:
        await live.close()


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
async def test_serve_process_prints_urls_and_warns_for_auth_none(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", str(ROOT / "flows"), "--port", "0", "--state-dir",
         str(tmp_path / "state"), "--auth", "none", "--quiet"],
        cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        text = await read_until(proc, "Serving on")
        assert "token-in-path" in text and "curl -i -X GET" in text
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)  # generous: a loaded CI machine
    assert "--auth none: SAS signatures are NOT checked" in err


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
async def test_serve_names_files_it_skips_and_announces_a_flow_added_while_serving(tmp_path):
    import json as _json

    folder = write_flows(tmp_path / "flows", {"echo.json": ECHO})
    (folder / "notes.txt").write_text("remember the milk")
    (folder / "data.json").write_text('{"rows": []}')
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", str(folder), "--port", "0", "--state-dir",
         str(tmp_path / "state"), "--quiet", "--reload-interval", "0.1"],
        cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))

    try:
        text = await read_until(proc, "Serving on")
        assert "skipped: " + str(folder / "notes.txt") + ": not a workflow file: only .json and .zip" in text
        assert "skipped: " + str(folder / "data.json") + ": no workflow definition found" in text
        (folder / "late.json").write_text(_json.dumps(ECHO))
        text = await read_until(proc, "curl -i -X POST")
        assert text.startswith("late  (consumption") and "/workflows/" in text and "sig=" in text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)  # generous: a loaded CI machine


async def read_until(proc, prefix: str) -> str:
    """What a ``serve`` process prints up to and including its first line starting with ``prefix``."""
    seen = []
    for _ in range(200):
        line = await asyncio.to_thread(proc.stdout.readline)
        if not line:
            break
        seen.append(line)
        if line.lstrip().startswith(prefix):
            break
    return "".join(seen)
