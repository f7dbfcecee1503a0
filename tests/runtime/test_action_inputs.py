"""Action inputs that evaluate to the wrong shape fail the action the host's way, never as an emulator error."""

from __future__ import annotations

import pytest

from tests.runtime.helpers import run

INIT = {"type": "InitializeVariable", "inputs": {"variables": [{"name": "n", "type": "integer", "value": 0}]}}


@pytest.mark.parametrize("action", [
    {"type": "IncrementVariable", "inputs": "@createArray(1, 2)"},
    {"type": "SetVariable", "inputs": "@triggerBody()?['list']"},
    {"type": "Wait", "inputs": "@createArray(1, 2)"},
    {"type": "ParseJson", "inputs": "@json('[1]')"},
    {"type": "Response", "inputs": "@json('[1]')"},
])
async def test_inputs_that_are_not_an_object_fail_as_invalid_template(action):
    _, record, _ = await run({"Init": INIT, "A": dict(action, runAfter={"Init": ["Succeeded"]})},
                             body={"list": [1, 2]})
    rec = record["actions"]["A"]
    assert rec["status"] == "Failed"
    assert rec["error"]["code"] == "InvalidTemplate"
    assert "must be an object" in rec["error"]["message"]


async def test_compose_takes_any_value():
    _, record, _ = await run({"A": {"type": "Compose", "inputs": "@createArray(1, 2)"}})
    assert (record["actions"]["A"]["status"], record["actions"]["A"]["outputs"]) == ("Succeeded", [1, 2])
