"""Benchmark: the time of one flow test call, in-process (``logic_apps``) and through the real server
(``logic_apps_server``). Target in-process: p50 under 1 ms.

Run: ``.venv/bin/python bench/testing.py [iterations]``. Flows: token-in-path (GET, If, Response) and
notify-with-token (POST + JSON body, If, a mocked connector, Response).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

# the script's folder holds bench/http.py, which would shadow the standard library's http package
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from emulator.testing import LogicApps, LogicAppsServer  # noqa: E402

CALLS = {
    "token-in-path": dict(method="GET", path="/secure/s3cr3t-token"),
    "notify-with-token": dict(path="/notify/s3cr3t-token", json={"to": "ada@example.com", "subject": "Hi"}),
}


def measure(la, workflow: str, iterations: int) -> tuple[float, float]:
    kwargs = CALLS[workflow]
    samples = []
    for i in range(iterations + 100):
        start = time.perf_counter()
        result = la.invoke(workflow, **kwargs)
        elapsed = time.perf_counter() - start
        assert result.status == 200, result
        if i >= 100:  # warm-up
            samples.append(elapsed)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.9)] * 1000


def main(iterations: int) -> None:
    for kind in (LogicApps, LogicAppsServer):
        with kind(ROOT / "flows") as la:
            la.mock_action("Send_an_email_(V2)", body={"id": "m"})
            for workflow in CALLS:
                p50, p90 = measure(la, workflow, iterations)
                print(f"{kind.__name__:16} {workflow:18} p50 {p50:.3f} ms  p90 {p90:.3f} ms  ({iterations} calls)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
