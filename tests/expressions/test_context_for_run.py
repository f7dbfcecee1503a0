"""``EvalContext.for_run`` (the runtime's fast constructor) builds what ``EvalContext(...)`` builds."""

from __future__ import annotations

import random

from emulator.expressions import EvalContext


def _state(ctx) -> dict:
    return {name: getattr(ctx, name) for name in EvalContext.__slots__ if name != "random"}


def test_for_run_sets_every_slot_as_init_does():
    rng = random.Random(1)
    params, settings, trigger, workflow = {"p": 1}, {"s": "x"}, {"name": "manual"}, {"name": "wf"}

    def now():
        return None

    fast = EvalContext.for_run(params, settings, trigger, workflow, now, rng)
    slow = EvalContext(parameters=params, variables={}, appsettings=settings, trigger=trigger, actions={},
                       workflow=workflow, now=now, rng=rng)
    assert _state(fast) == _state(slow)
    assert fast.random is rng and slow.random is rng
    assert not fast.has_item and not slow.has_item
