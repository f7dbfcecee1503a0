"""Random nested calls of every registered function, through the compiler (inline fast paths, control forms,
folding, dereferences): compiling and evaluating raise only the engine's ExpressionError."""

from __future__ import annotations

import random
import warnings

import pytest

from emulator.expressions import EvalContext, ExpressionError, compile_template
from emulator.expressions.registry import REGISTRY

LITERALS = ["null", "true", "false", "0", "1", "-1", "2.5", "9223372036854775807", "''", "'a'", "'abc'",
            "'2018-01-01T00:00:00Z'", "'Day'", "'<a/>'", "'{\"a\":1}'", "'en-us'", "'UTC'", "'data:;base64,YQ=='",
            "'https://x.com/p?q=1'", "'%'", "'N'"]
NAMES = sorted(REGISTRY)
CONTEXT = EvalContext(trigger={"outputs": {"body": {"a": [1, 2]}, "headers": {}}},
                      actions={"A": {"outputs": {"body": {}}}}, variables={"v": 1}, parameters={"p": "x"},
                      item={"a": 1}, items={"L": 1})


def _expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.35:
        return rng.choice(LITERALS)
    spec = REGISTRY[rng.choice(NAMES)]
    top = spec.max_args if spec.max_args is not None else spec.min_args + 2
    count = rng.randint(spec.min_args, min(top, spec.min_args + 2))
    text = f"{spec.name}({', '.join(_expression(rng, depth + 1) for _ in range(count))})"
    if rng.random() < 0.15:
        text += rng.choice(["?['a']", ".a", "[0]", "?[1]", "['x']"])
    return text


@pytest.mark.parametrize("seed", range(5))
def test_random_calls_raise_only_expression_errors(seed):
    rng = random.Random(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)  # generated source must never draw one
        for _ in range(600):
            body = _expression(rng)
            text = "@" + body if rng.random() < 0.7 else "x @{" + body + "} y"
            try:
                compile_template(text).evaluate(CONTEXT)
            except ExpressionError as exc:
                assert "could not be compiled" not in exc.message, (text, exc.message)
