"""Behaviours observed on real hosts (issue 10), end to end on a real socket with the real runtime."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import needs_runtime
from tests.server.flowdefs import flow

pytestmark = needs_runtime


async def test_management_api_shows_a_terminated_run_code(serve_real):
    live = await serve_real({"stop.json": flow({"Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed"}}})})
    _, headers, _ = await live.call("POST", live.url("stop"))
    run_id = headers["x-ms-workflow-run-id"]
    await asyncio.sleep(0.05)
    _, _, run = await live.call_json("GET", f"{live.base}/workflows/stop/runs/{run_id}")
    assert run["properties"]["status"] == "Failed" and run["properties"]["code"] == "Terminated"
