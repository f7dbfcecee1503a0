"""Run semantics observed on the real runtime (issue 10): runAfter null, variable defaults, Terminate's run code."""

from __future__ import annotations

from tests.runtime.helpers import run, statuses


async def test_run_after_null_means_no_predecessors():
    _, rec, _ = await run({"A": {"type": "Compose", "inputs": 1, "runAfter": None},
                           "B": {"type": "Compose", "inputs": 2, "runAfter": {"A": ["Succeeded"]}}})
    assert statuses(rec) == {"A": "Succeeded", "B": "Succeeded"}


async def test_variables_declared_without_value_read_their_type_default():
    declared = [{"name": n, "type": t} for n, t in (("s", "string"), ("i", "integer"), ("f", "float"),
                                                      ("b", "boolean"), ("o", "object"), ("a", "array"))]
    _, rec, _ = await run({
        "Init": {"type": "InitializeVariable", "inputs": {"variables": declared}},
        "Read": {"type": "Compose", "runAfter": {"Init": ["Succeeded"]},
                 "inputs": "@createArray(variables('s'), variables('i'), variables('f'), variables('b'), "
                           "variables('o'), variables('a'))"},
        "Append": {"type": "AppendToStringVariable", "inputs": {"name": "s", "value": "x"},
                   "runAfter": {"Read": ["Succeeded"]}},
    })
    assert rec["actions"]["Read"]["outputs"] == ["", 0, 0.0, False, {}, []]
    assert rec["actions"]["Init"]["inputs"]["variables"][0] == {"name": "s", "type": "string", "value": ""}
    assert rec["actions"]["Append"]["outputs"]["body"]["value"] == "x"


async def test_terminate_gives_the_run_the_code_terminated():
    for status in ("Failed", "Cancelled", "Succeeded"):
        _, rec, _ = await run({"Stop": {"type": "Terminate", "inputs": {"runStatus": status}}})
        assert rec["status"] == status and rec["code"] == "Terminated"
    _, rec, _ = await run({"A": {"type": "Compose", "inputs": 1}})
    assert "code" not in rec
