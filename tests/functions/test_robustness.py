"""Every registered function, called with arguments of every kind, either answers or raises the engine's
ExpressionError: no Python exception ever escapes (it would become an internal error in a run)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from emulator.expressions import EvalContext, ExpressionError
from emulator.expressions.registry import REGISTRY
from emulator.expressions.values import Blob

POOL = [None, True, False, 0, 1, -1, 2**63 - 1, -(2**63), 1.5, -0.0, float("inf"), float("nan"), Decimal("1.5"),
        "", "a", "abc", "Day", "2018-01-01T00:00:00Z", "1", "<a/>", "data:;base64,YQ==", "https://x.com:8/p?q=1",
        " ", "%", "{", "'", "yyyy", "en-us", "UTC", "N", "0.00", "\ud800", [], [1, 2], ["a", None], {}, {"a": 1},
        {"$content-type": "text/plain", "$content": "YQ=="}, Blob(b"abc"),
        Blob(b"<a/>", "application/xml;charset=utf-8")]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_any_arguments_answer_or_raise_expression_error(name):
    spec = REGISTRY[name]
    rng = random.Random(name)  # reproducible per function
    ctx = EvalContext(trigger={"outputs": {"body": {}}}, actions={"A": {"outputs": {"body": {}}}})
    top = spec.max_args if spec.max_args is not None else spec.min_args + 2
    for count in range(spec.min_args, min(top, spec.min_args + 3) + 1):
        for _ in range(150 if count else 1):
            args = [rng.choice(POOL) for _ in range(count)]
            try:
                if spec.lazy:
                    spec.impl(ctx, *[(lambda v=v: v) for v in args])
                elif spec.context:
                    spec.impl(ctx, *args)
                else:
                    spec.impl(*args)
            except ExpressionError:
                pass
