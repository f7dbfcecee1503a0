"""Benchmark: p50 of one in-process run of a small flow (If + Response). Target: under 2 ms.

Run: ``.venv/bin/python bench/runtime.py [iterations]``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

# the script's folder holds bench/http.py, which would shadow the standard library's http package
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from emulator.definitions import load_definition  # noqa: E402
from emulator.runtime import RunOptions, run_to_end  # noqa: E402
from emulator.runtime.actions.registry import lookup  # noqa: E402

FLOW = {
    "triggers": {"manual": {"type": "Request", "kind": "Http"}},
    "actions": {
        "Check": {"type": "If", "expression": {"and": [{"greater": ["@triggerBody()?['amount']", 100]}]},
                  "actions": {"Big": {"type": "Response", "inputs": {"statusCode": 200, "body": {
                      "size": "big", "amount": "@triggerBody()?['amount']"}}}},
                  "else": {"actions": {"Small": {"type": "Response", "inputs": {"statusCode": 200, "body": {
                      "size": "small"}}}}}},
    },
}


async def main(iterations: int) -> float:
    wf, problems = load_definition(FLOW, "bench", action_types=lookup)
    assert not problems, problems
    options = RunOptions(response_timeout=None)
    outputs = {"headers": {"Content-Type": "application/json"}, "body": {"amount": 150}}
    samples = []
    for i in range(iterations + 200):
        start = time.perf_counter()
        response, record, _ = await run_to_end(wf, "manual", outputs, options)
        elapsed = time.perf_counter() - start
        if i >= 200:  # warm-up
            samples.append(elapsed)
    assert response["body"]["size"] == "big" and record["status"] == "Succeeded"
    samples.sort()
    p50 = statistics.median(samples) * 1000
    p95 = samples[int(len(samples) * 0.95)] * 1000
    print(f"runtime: If + Response in-process run: p50 {p50:.3f} ms, p95 {p95:.3f} ms "
          f"({iterations} runs; target p50 < 2 ms: {'OK' if p50 < 2 else 'MISSED'})")
    return p50


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
