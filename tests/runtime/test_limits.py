"""The run limits of emulator/limits.py, each at its default and lowered through RunOptions.limits."""

from __future__ import annotations

import json

import pytest

from emulator import limits
from emulator.definitions import load_definition
from emulator.limits import Limits, parse_overrides
from emulator.runtime import RunOptions, VirtualClock
from emulator.runtime.actions.registry import lookup
from tests.runtime.helpers import run, workflow


def options(**changes) -> RunOptions:
    return RunOptions(clock=VirtualClock(), limits=Limits().replace(**changes))


def init(name: str, kind: str, value) -> dict:
    return {"type": "InitializeVariable", "inputs": {"variables": [{"name": name, "type": kind, "value": value}]},
            "runAfter": {}}


# ------------------------------------------------------------------ defaults are the host's documented values

def test_defaults_are_the_documented_host_limits():
    d = limits.DEFAULT
    assert (d.body_bytes, d.url_chars, d.expression_chars) == (104_857_600, 16_384, 8_192)
    assert (d.foreach_items, d.until_iterations, d.variable_chars, d.variable_items) == \
        (100_000, 5_000, 104_857_600, 100_000)
    assert d.run_seconds == 90 * 86_400 and d.nesting_depth == 8


def test_overrides_from_pairs_and_a_file(tmp_path):
    f = tmp_path / "limits.json"
    f.write_text(json.dumps({"foreach_items": 10, "run_seconds": 1.5}))
    got = parse_overrides(["foreach_items=20", "body_bytes=1_000"], f)
    assert (got.foreach_items, got.run_seconds, got.body_bytes) == (20, 1.5, 1000)
    with pytest.raises(ValueError, match="unknown limit 'nope'"):
        parse_overrides(["nope=1"])
    with pytest.raises(ValueError, match="not a number"):
        parse_overrides(["foreach_items=many"])
    with pytest.raises(ValueError, match="greater than 0"):
        parse_overrides(["foreach_items=0"])
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_overrides(["foreach_items"])


# ------------------------------------------------------------------ Foreach, Until, variables

async def test_foreach_over_the_item_limit_fails_the_action():
    actions = {"Loop": {"type": "Foreach", "foreach": "@range(0, 4)", "actions": {}, "runAfter": {}}}
    _, record, _ = await run(actions, options=options(foreach_items=3))
    loop = record["actions"]["Loop"]
    assert (loop["status"], loop["error"]["code"]) == ("Failed", "InvalidTemplate")
    assert "4 items, more than the limit of 3" in loop["error"]["message"]
    _, record, _ = await run(actions, options=options(foreach_items=4))
    assert record["actions"]["Loop"]["status"] == "Succeeded"


async def test_until_count_above_the_maximum_fails_the_action():
    until = {"type": "Until", "expression": "@equals(1, 1)", "limit": {"count": 6000}, "actions": {},
             "runAfter": {}}
    _, record, _ = await run({"U": until})
    u = record["actions"]["U"]
    assert (u["status"], u["error"]["code"]) == ("Failed", "InvalidTemplate")
    assert "6000 is more than the maximum of 5000" in u["error"]["message"]
    _, record, _ = await run({"U": until}, options=options(until_iterations=6000))
    assert record["actions"]["U"]["status"] == "Succeeded"


@pytest.mark.parametrize("actions,message", [
    ({"I": init("s", "string", "abcdef")}, "would hold 6 characters, which exceeds the limit of 5 characters"),
    ({"I": init("a", "array", [1, 2, 3, 4, 5, 6])}, "would hold 6 items, which exceeds the limit of 5 items"),
    ({"I": init("s", "string", "abc"),
      "Set": {"type": "SetVariable", "inputs": {"name": "s", "value": "abcdefgh"}, "runAfter": {"I": ["Succeeded"]}}},
     "would hold 8 characters"),
    ({"I": init("s", "string", "abcde"),
      "Add": {"type": "AppendToStringVariable", "inputs": {"name": "s", "value": "f"},
              "runAfter": {"I": ["Succeeded"]}}}, "would hold 6 characters"),
    ({"I": init("a", "array", [1, 2, 3, 4, 5]),
      "Add": {"type": "AppendToArrayVariable", "inputs": {"name": "a", "value": 6},
              "runAfter": {"I": ["Succeeded"]}}}, "would hold 6 items"),
])
async def test_a_variable_over_its_size_limit_fails_the_action(actions, message):
    _, record, _ = await run(actions, options=options(variable_chars=5, variable_items=5))
    failed = [rec for rec in record["actions"].values() if rec["status"] == "Failed"]
    assert len(failed) == 1 and failed[0]["error"]["code"] == "InvalidVariableValue", record["actions"]
    assert message in failed[0]["error"]["message"]
    assert record["status"] == "Failed"


async def test_a_run_past_the_run_duration_ends_timed_out():
    wait = {"W": {"type": "Wait", "inputs": {"interval": {"count": 30, "unit": "Second"}}, "runAfter": {}}}
    opts = RunOptions(limits=Limits(run_seconds=0.2))  # the real clock: the duration timer is a real one
    _, record, _ = await run(wait, options=opts)
    assert record["status"] == "TimedOut"
    assert record["error"]["code"] == "RunTimedOut"
    assert "run duration limit of 0.2 seconds" in record["error"]["message"]


# ------------------------------------------------------------------ load-time limits (the active limits)

@pytest.fixture
def installed():
    before = limits.active()
    yield lambda **changes: limits.install(before.replace(**changes))
    limits.install(before)


def _nested(depth: int) -> dict:
    inner: dict = {"Leaf": {"type": "Compose", "inputs": 1, "runAfter": {}}}
    for level in range(depth):
        inner = {f"Scope{level}": {"type": "Scope", "actions": inner, "runAfter": {}}}
    return inner


def _problems(actions: dict) -> list:
    _, problems = load_definition({"triggers": {}, "actions": actions}, "wf", action_types=lookup)
    return [p for p in problems if p.severity == "error"]


def test_actions_nested_deeper_than_the_limit_are_a_load_error(installed):
    assert _problems(_nested(8)) == []
    found = _problems(_nested(9))
    assert [p.code for p in found] == ["ActionNestingTooDeep"]
    assert "nested 9 actions deep, more than the limit of 8" in found[0].message
    installed(nesting_depth=20)
    assert _problems(_nested(9)) == []


def test_expression_length_limit_is_the_active_one(installed):
    long = "@concat('" + "a" * 8200 + "')"
    assert [p.code for p in _problems({"C": {"type": "Compose", "inputs": long, "runAfter": {}}})] == \
        ["InvalidTemplate"]
    installed(expression_chars=10_000)
    assert _problems({"C": {"type": "Compose", "inputs": long, "runAfter": {}}}) == []


async def test_concat_result_limit_is_the_active_one(installed):
    installed(string_result_chars=10)
    _, record, _ = await run({"C": {"type": "Compose", "inputs": "@concat('abcdef', 'ghijkl')", "runAfter": {}}})
    assert record["actions"]["C"]["status"] == "Failed"
    assert "exceeds the limit of 10 characters" in record["actions"]["C"]["error"]["message"]
    _, record, _ = await run({"C": {"type": "Compose", "inputs": "@join(createArray('abcdef', 'x'), '-----')",
                                    "runAfter": {}}})
    assert "limit of 10 characters" in record["actions"]["C"]["error"]["message"]


def test_workflow_helper_still_loads_with_default_limits():
    assert workflow({"C": {"type": "Compose", "inputs": 1, "runAfter": {}}}).name == "wf"


@pytest.mark.parametrize("make", [lambda d: "not(" * d + "true" + ")" * d,
                                  lambda d: "createArray(" * d + "1" + ")" * d,
                                  lambda d: "(" * d + "1" + ")" * d])
def test_deeply_nested_expressions_are_load_errors_not_crashes(installed, make):
    installed(expression_chars=200_000)
    for depth in (1_000, 5_000):
        found = _problems({"C": {"type": "Compose", "inputs": "@" + make(depth), "runAfter": {}}})
        assert [p.code for p in found] == ["InvalidTemplate"], depth


# ------------------------------------------------------------------ the command line

LOOP = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
                       "actions": {"Loop": {"type": "Foreach", "foreach": "@range(0, 5)", "actions": {},
                                            "runAfter": {}}}}}


def test_run_takes_limits_from_flags_and_a_file(tmp_path, capsys, installed):
    from emulator.cli import main

    flow = tmp_path / "loop.json"
    flow.write_text(json.dumps(LOOP))
    assert main(["run", str(flow), "--json"]) == 0
    capsys.readouterr()
    assert main(["run", str(flow), "--json", "--limit", "foreach_items=3"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "more than the limit of 3" in out["run"]["actions"]["Loop"]["error"]["message"]
    limits_file = tmp_path / "limits.json"
    limits_file.write_text(json.dumps({"foreach_items": 4}))
    assert main(["run", str(flow), "--json", "--limits", str(limits_file)]) == 1
    assert "limit of 4" in capsys.readouterr().out
    assert main(["run", str(flow), "--limit", "nope=1"]) == 2
    assert "unknown limit 'nope'" in capsys.readouterr().err
    assert main(["serve", str(flow), "--limit", "body_bytes=lots"]) == 2
    assert "limit body_bytes: 'lots' is not a number" in capsys.readouterr().err
