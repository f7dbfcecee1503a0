"""If (string and designer object form), Switch, Scope, Foreach, Until."""

from __future__ import annotations

import pytest

from .helpers import run, statuses

OPERATORS = [
    ({"equals": ["@triggerBody()['n']", 5]}, True),
    ({"not": {"equals": ["@triggerBody()['n']", 5]}}, False),
    ({"contains": ["@triggerBody()['s']", "ell"]}, True),
    ({"greater": ["@triggerBody()['n']", 4]}, True),
    ({"greaterOrEquals": ["@triggerBody()['n']", 5]}, True),
    ({"less": ["@triggerBody()['n']", 5]}, False),
    ({"lessOrEquals": ["@triggerBody()['n']", 5]}, True),
    ({"startsWith": ["@triggerBody()['s']", "he"]}, True),
    ({"endsWith": ["@triggerBody()['s']", "lo"]}, True),
    ({"or": [{"equals": [1, 2]}, {"equals": [2, 2]}]}, True),
    ({"and": [{"equals": [1, 1]}, {"not": {"endsWith": ["abc", "c"]}}]}, False),
]


@pytest.mark.parametrize("expression,expected", OPERATORS)
async def test_designer_condition_object(expression, expected):
    _, rec, _ = await run({"C": {"type": "If", "expression": {"and": [expression]},
                                 "actions": {"Yes": {"type": "Compose", "inputs": 1}},
                                 "else": {"actions": {"No": {"type": "Compose", "inputs": 0}}}}},
                          body={"n": 5, "s": "hello"})
    assert rec["actions"]["C"]["inputs"] == {"expressionResult": expected}
    taken, skipped = ("Yes", "No") if expected else ("No", "Yes")
    assert rec["actions"][taken]["status"] == "Succeeded"
    assert rec["actions"][skipped]["error"] == {
        "code": "ActionBranchingConditionNotSatisfied",
        "message": f"The execution of template action '{skipped}' skipped: the branching condition for this action "
                   "is not satisfied."}
    assert rec["actions"]["C"]["code"] == "NotSpecified"


async def test_if_string_expression_and_nested_skip_dependency_failed():
    _, rec, _ = await run({"C": {"type": "If", "expression": "@equals(1, 2)",
                                 "actions": {"S1": {"type": "Scope", "actions": {
                                     "S2": {"type": "Scope", "actions": {"Inner": {"type": "Compose", "inputs": 1}}}}},
                                     "After": {"type": "Compose", "inputs": 2, "runAfter": {"S1": ["Succeeded"]}}}}})
    acts = rec["actions"]
    assert acts["S1"]["error"]["code"] == "ActionBranchingConditionNotSatisfied"
    assert acts["S2"]["error"] == {"code": "ActionDependencyFailed", "message":
                                   "The execution of template action 'S2' is skipped: dependant action 'S1' completed "
                                   "with status 'Skipped' and code 'ActionSkipped'."}
    assert acts["Inner"]["error"]["code"] == "ActionDependencyFailed"
    assert acts["After"]["error"]["code"] == "ActionConditionFailed"
    assert rec["status"] == "Succeeded"


async def test_if_condition_error_fails_with_for_action_message():
    _, rec, _ = await run({"C": {"type": "If", "expression": "@startsWith(null, 'a')", "actions": {}}})
    err = rec["actions"]["C"]["error"]
    assert err["code"] == "InvalidTemplate"
    assert err["message"].startswith("Unable to process template language expressions for action 'C' at line '1'")


async def test_if_failure_inside_branch_fails_container():
    _, rec, _ = await run({"C": {"type": "If", "expression": "@true", "actions": {
        "Bad": {"type": "Compose", "inputs": "@int('x')"}}}})
    assert rec["actions"]["C"]["status"] == "Failed"
    assert rec["actions"]["C"]["error"]["code"] == "ActionFailed"


@pytest.mark.parametrize("value,chosen", [("a", "CaseA"), (2, "CaseTwo"), ("zzz", "Default")])
async def test_switch(value, chosen):
    _, rec, _ = await run({"S": {"type": "Switch", "expression": "@triggerBody()['v']", "cases": {
        "Case_a": {"case": "a", "actions": {"CaseA": {"type": "Compose", "inputs": 1}}},
        "Case_2": {"case": 2, "actions": {"CaseTwo": {"type": "Compose", "inputs": 2}}}},
        "default": {"actions": {"Default": {"type": "Compose", "inputs": 3}}}}}, body={"v": value})
    done = {n for n, s in statuses(rec).items() if s == "Succeeded"}
    assert done == {"S", chosen}
    skipped = [n for n in ("CaseA", "CaseTwo", "Default") if n != chosen]
    for name in skipped:
        assert rec["actions"][name]["error"]["code"] == "ActionBranchingConditionNotSatisfied"


async def test_switch_on_object_fails():
    _, rec, _ = await run({"S": {"type": "Switch", "expression": "@triggerBody()", "cases": {}}}, body={"a": 1})
    err = rec["actions"]["S"]["error"]
    assert err["code"] == "ExpressionEvaluationFailed"
    assert "It is of type 'Object' but is expected to be a value of type 'String, Integer'." in err["message"]


async def test_foreach_sequential_items_and_repetitions():
    _, rec, _ = await run({
        "Init": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "acc", "type": "array"}]}},
        "Loop": {"type": "Foreach", "foreach": "@triggerBody()", "runAfter": {"Init": ["Succeeded"]},
                 "operationOptions": "Sequential", "actions": {
                     "Twice": {"type": "Compose", "inputs": "@mul(items('Loop'), 2)"},
                     "Add": {"type": "AppendToArrayVariable", "runAfter": {"Twice": ["Succeeded"]},
                             "inputs": {"name": "acc", "value": "@outputs('Twice')"}}}},
        "Out": {"type": "Compose", "inputs": "@variables('acc')", "runAfter": {"Loop": ["Succeeded"]}},
    }, body=[1, 2, 3])
    assert rec["actions"]["Out"]["outputs"] == [2, 4, 6]
    reps = rec["actions"]["Twice"]["repetitions"]
    assert [r["outputs"] for r in reps] == [2, 4, 6]
    assert reps[1]["repetitionIndexes"] == [{"scopeName": "Loop", "itemIndex": 1}]
    assert rec["actions"]["Loop"]["iterationCount"] == 3


async def test_foreach_parallel_iterations_see_their_own_item():
    _, rec, _ = await run({"Loop": {"type": "Foreach", "foreach": "@range(0, 30)",
                                    "runtimeConfiguration": {"concurrency": {"repetitions": 10}}, "actions": {
        "W": {"type": "Wait", "inputs": {"interval": {"count": "@sub(30, item())", "unit": "Second"}}},
        "Me": {"type": "Compose", "inputs": "@item()", "runAfter": {"W": ["Succeeded"]}},
        "Check": {"type": "Compose", "inputs": "@equals(outputs('Me'), items('Loop'))", "runAfter": {"Me": ["Succeeded"]}}}}})
    assert all(r["outputs"] is True for r in rec["actions"]["Check"]["repetitions"])
    assert len(rec["actions"]["Me"]["repetitions"]) == 30


async def test_foreach_iteration_failure_fails_loop_and_nested_loops():
    _, rec, _ = await run({"Outer": {"type": "Foreach", "foreach": "@createArray(1, 0)", "actions": {
        "Inner": {"type": "Foreach", "foreach": "@createArray(10)", "actions": {
            "D": {"type": "Compose", "inputs": "@div(items('Inner'), items('Outer'))"}}}}}})
    assert rec["actions"]["Outer"]["status"] == "Failed"
    reps = rec["actions"]["D"]["repetitions"]
    assert [r["status"] for r in reps] == ["Succeeded", "Failed"]
    assert reps[1]["repetitionIndexes"] == [{"scopeName": "Outer", "itemIndex": 1},
                                           {"scopeName": "Inner", "itemIndex": 0}]


async def test_foreach_not_array():
    _, rec, _ = await run({"Loop": {"type": "foreach", "foreach": "@triggerBody()", "actions": {}}}, body={"a": 1})
    assert rec["actions"]["Loop"]["status"] == "Failed"
    assert "The result must be a valid array." in rec["actions"]["Loop"]["error"]["message"]


async def test_until_condition_and_count():
    _, rec, _ = await run({
        "Init": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "i", "type": "integer", "value": 0}]}},
        "U": {"type": "Until", "expression": "@equals(variables('i'), 3)", "limit": {"count": 10},
              "runAfter": {"Init": ["Succeeded"]},
              "actions": {"Inc": {"type": "IncrementVariable", "inputs": {"name": "i", "value": 1}}}},
        "U2": {"type": "Until", "expression": {"and": [{"equals": [1, 2]}]}, "limit": {"count": 4},
               "runAfter": {"U": ["Succeeded"]},
               "actions": {"Inc2": {"type": "IncrementVariable", "inputs": {"name": "i"}}}},
        "Out": {"type": "Compose", "inputs": "@variables('i')", "runAfter": {"U2": ["Succeeded"]}},
    })
    assert rec["actions"]["U"]["iterationCount"] == 3
    assert rec["actions"]["U2"]["iterationCount"] == 4
    assert rec["actions"]["Out"]["outputs"] == 7


async def test_until_timeout():
    _, rec, _ = await run({"U": {"type": "Until", "expression": "@false", "limit": {"count": 1000, "timeout": "PT1M"},
                                 "actions": {"W": {"type": "Wait", "inputs": {"interval": {"count": 20,
                                                                                             "unit": "Second"}}}}}})
    assert rec["actions"]["U"]["status"] == "TimedOut"


async def test_scope_result_inside_foreach_is_per_iteration():
    _, rec, _ = await run({"Loop": {"type": "Foreach", "foreach": "@createArray(1, 2)", "actions": {
        "Sc": {"type": "Scope", "actions": {"V": {"type": "Compose", "inputs": "@item()"}}},
        "R": {"type": "Compose", "inputs": "@result('Sc')[0]['outputs']", "runAfter": {"Sc": ["Succeeded"]}}}}})
    assert [r["outputs"] for r in rec["actions"]["R"]["repetitions"]] == [1, 2]


async def test_loop_action_summary_error_goes_with_its_status():
    """An action in a loop shows its last repetition's status, and that repetition's error or none."""
    _, rec, _ = await run({
        "Loop": {"type": "Foreach", "foreach": "@triggerBody()", "operationOptions": "Sequential", "actions": {
            "Check": {"type": "If", "expression": "@equals(items('Loop'), 1)", "actions": {
                "Only_one": {"type": "Compose", "inputs": "one"}}},
            "After": {"type": "Compose", "inputs": "@items('Loop')", "runAfter": {"Check": ["Succeeded"]}}}},
    }, body=[2, 1])
    summary = rec["actions"]["Only_one"]
    assert [r["status"] for r in summary["repetitions"]] == ["Skipped", "Succeeded"]
    assert summary["status"] == "Succeeded" and "error" not in summary
