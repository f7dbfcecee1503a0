"""Build a workflow from a definition dict and run it with a virtual clock."""

from __future__ import annotations

from emulator.definitions import load_definition
from emulator.runtime import RunOptions, VirtualClock, run_to_end
from emulator.runtime.actions.registry import lookup

TRIGGER = {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}}


def workflow(actions: dict, *, triggers=None, name="wf", param_values=None, **extra):
    definition = {"triggers": triggers or TRIGGER, "actions": actions, **extra}
    wf, problems = load_definition(definition, name, action_types=lookup, parameters=param_values)
    errors = [p for p in problems if p.severity == "error"]
    assert not errors, [str(p) for p in errors]
    return wf


async def run(actions_or_wf, body=None, *, mocks=None, headers=None, workflows=None, options=None, **kw):
    wf = actions_or_wf if not isinstance(actions_or_wf, dict) else workflow(actions_or_wf, **kw)
    outputs = {"headers": headers or {"Content-Type": "application/json"}}
    if body is not None:
        outputs["body"] = body
    opts = options or RunOptions(mocks=mocks, clock=VirtualClock(), workflows=workflows)
    response, record, inv = await run_to_end(wf, None, outputs, opts)
    return response, record, inv


def statuses(record) -> dict:
    return {name: rec.get("status") for name, rec in record["actions"].items()}
