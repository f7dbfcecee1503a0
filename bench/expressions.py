"""Expression engine benchmarks.

(a) compile throughput over every expression string in ../shared/corpus/workflows (cold parse cache);
(b) evaluation time of typical trigger conditions against hand-written Python doing the same lookups,
    printed as a ratio (target: within 3x).

Run: ``make bench`` or ``.venv/bin/python bench/expressions.py``.
"""

from __future__ import annotations

import json
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: bench/http.py would shadow the standard library's http

from emulator.expressions import EvalContext, compile_template  # noqa: E402
from emulator.expressions.compiler import compile_expression  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "workflows"


def corpus_strings() -> list[str]:
    out: list[str] = []

    def walk(node):
        if isinstance(node, str):
            if node.startswith("@") or "@{" in node:
                out.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(CORPUS.rglob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8-sig")))
    return out


def bench_compile() -> None:
    if not CORPUS.is_dir():
        print("compile: skipped (../shared/corpus absent)")
        return
    strings = corpus_strings()
    compile_expression.cache_clear()
    start = time.perf_counter()
    errors = 0
    for s in strings:
        try:
            compile_template(s)
        except Exception:  # noqa: BLE001 - counted, not fatal, in a benchmark
            errors += 1
    elapsed = time.perf_counter() - start
    print(f"compile: {len(strings)} corpus expression strings in {elapsed * 1000:.1f} ms "
          f"({len(strings) / elapsed:,.0f}/s, {errors} errors; target < 1000 ms)")


def _ctx() -> EvalContext:
    return EvalContext(trigger={
        "name": "manual",
        "outputs": {
            "headers": {"Content-Type": "application/json", "secretKey": "secretValue",
                        "Authorization": "Bearer abc"},
            "queries": {"api-version": "2016-10-01"},
            "relativePathParameters": {"token": "abc123"},
            "body": {"type": "order", "amount": 250, "customer": {"email": "a@example.com"}},
        },
    })


def _hand_secret(ctx):
    outputs = ctx.trigger.get("outputs")
    headers = outputs.get("headers") if outputs is not None else None
    return (headers.get("secretKey") if headers is not None else None) == "secretValue"


def _hand_path(ctx):
    return ctx.trigger["outputs"]["relativePathParameters"]["token"] == "abc123"


def _hand_and(ctx):
    body = ctx.trigger.get("outputs", {}).get("body")
    kind = body.get("type") if body is not None else None
    amount = body.get("amount") if body is not None else None
    return kind == "order" and amount > 100


def _hand_bearer(ctx):
    outputs = ctx.trigger.get("outputs")
    headers = outputs.get("headers") if outputs is not None else None
    auth = headers.get("Authorization") if headers is not None else None
    return auth.startswith("Bearer ")


CASES = [
    ("secret header", "@equals(triggerOutputs()?['headers']?['secretKey'], 'secretValue')", _hand_secret),
    ("path token", "@equals(triggerOutputs()['relativePathParameters']['token'], 'abc123')", _hand_path),
    ("and/greater", "@and(equals(triggerBody()?['type'], 'order'), greater(triggerBody()?['amount'], 100))",
     _hand_and),
    ("bearer prefix", "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer ')", _hand_bearer),
]


def bench_eval(number: int = 100_000) -> None:
    ctx = _ctx()
    for label, text, hand in CASES:
        tpl = compile_template(text)
        assert tpl.evaluate(ctx) == hand(ctx), label
        ours = min(timeit.repeat(lambda tpl=tpl: tpl.evaluate(ctx), number=number, repeat=5)) / number
        base = min(timeit.repeat(lambda hand=hand: hand(ctx), number=number, repeat=5)) / number
        print(f"eval {label:14s}: engine {ours * 1e9:7.0f} ns, hand-written {base * 1e9:6.0f} ns, "
              f"ratio {ours / base:4.2f}x (target <= 3x)")


if __name__ == "__main__":
    bench_compile()
    bench_eval()
