"""Save-time validation (emulator/definitions/validation.py): what the host refuses to save, with its wording."""

from __future__ import annotations

import subprocess
import sys

from tests.definitions.helpers import load_definition

TRIG = {"manual": {"type": "Request", "kind": "Http", "inputs": {}}}
INIT = {"type": "InitializeVariable", "inputs": {"variables": [{"name": "count", "type": "integer", "value": 0}]}}


def errors(actions: dict, triggers=None) -> list:
    _, problems = load_definition({"triggers": triggers or TRIG, "actions": actions}, "v")
    return [p for p in problems if p.severity == "error"]


def test_an_expression_naming_a_missing_action_is_refused_with_path_and_column():
    [p] = errors({"Parse": {"type": "ParseJson", "inputs": {"content": "{}", "schema": {}}},
                  "Use": {"type": "Compose", "inputs": {"x": "@body('Parse_JSN')?['a']"},
                          "runAfter": {"Parse": ["Succeeded"]}}})
    assert p.code == "InvalidTemplate" and p.json_path == "$.actions.Use.inputs.x" and p.column == 2
    assert p.message == ("The template validation failed: 'The action(s) 'Parse_JSN' referenced by 'inputs' in "
                         "action 'Use' are not defined in the template.'.")


def test_every_action_function_and_interpolation_is_checked():
    found = errors({"A": {"type": "Compose", "inputs": "x @{outputs('Nope1')} @{actions('Nope2')?['status']}"},
                    "B": {"type": "If", "expression": "@equals(result('Nope3'), 1)", "actions": {}},
                    "C": {"type": "Compose", "inputs": "@actionBody('Nope4')"}})
    assert [(p.json_path, p.column) for p in found] == [("$.actions.A.inputs", 5), ("$.actions.A.inputs", 25),
                                                         ("$.actions.B.expression", 9), ("$.actions.C.inputs", 2)]
    assert "referenced by 'expression' in action 'B'" in found[2].message


def test_known_actions_triggers_and_names_in_any_case_pass():
    assert not errors({"Get": {"type": "Compose", "inputs": 1},
                       "Use": {"type": "Compose", "inputs": "@concat(body('get'), outputs('manual'))",
                               "runAfter": {"Get": ["Succeeded"]}}})


def test_result_needs_a_scope():
    [p] = errors({"A": {"type": "Compose", "inputs": 1},
                  "S": {"type": "Scope", "actions": {}},
                  "R": {"type": "Compose", "inputs": "@concat(result('A'), result('S'))",
                        "runAfter": {"A": ["Succeeded"], "S": ["Succeeded"]}}})
    assert "'A'" in p.message and "is not a scope action" in p.message and p.column == 9


def test_items_of_a_loop_that_does_not_enclose_the_action():
    loop = {"type": "Foreach", "foreach": "@createArray(1)", "actions": {
        "In": {"type": "Compose", "inputs": "@items('Loop')"}}}
    assert not errors({"Loop": loop})
    [p] = errors({"Loop": loop, "Out": {"type": "Compose", "inputs": "@items('Loop')",
                                        "runAfter": {"Loop": ["Succeeded"]}}})
    assert p.message == ("The template validation failed: 'The repetition action(s) 'Loop' referenced by 'inputs' "
                         "in action 'Out' are not defined in the template.'.")


def test_variables_need_an_initialize_variable():
    assert not errors({"I": INIT, "U": {"type": "Compose", "inputs": "@variables('COUNT')",
                                        "runAfter": {"I": ["Succeeded"]}}})
    found = errors({"I": INIT,
                    "U": {"type": "Compose", "inputs": "@variables('cnt')", "runAfter": {"I": ["Succeeded"]}},
                    "S": {"type": "IncrementVariable", "inputs": {"name": "total"}, "runAfter": {"U": ["Succeeded"]}}})
    assert [p.json_path for p in found] == ["$.actions.U.inputs", "$.actions.S.inputs.name"]
    assert found[0].message.startswith("The template validation failed: 'The variable 'cnt' referenced by 'inputs'"
                                       " in action 'U' must be initialized before it can be used")
    computed = {"type": "InitializeVariable", "inputs": {"variables": [{"name": "@{'v'}", "type": "string"}]}}
    assert not errors({"I": computed, "U": {"type": "Compose", "inputs": "@variables('w')"}})


def test_run_after_a_missing_action_or_another_level():
    found = errors({"A": {"type": "Compose", "inputs": 1, "runAfter": {"Nope": ["Succeeded"]}},
                    "S": {"type": "Scope", "actions": {
                        "In": {"type": "Compose", "inputs": 1},
                        "In2": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Succeeded"]}}}}})
    assert [p.json_path for p in found] == ["$.actions.A.runAfter", "$.actions.S.actions.In2.runAfter"]
    assert found[0].message == ("The template validation failed: 'The 'runAfter' property of template action 'A' "
                                "contains non-existent action: 'Nope'.'.")
    assert found[1].message == ("The template validation failed: 'The 'runAfter' property of template action 'In2' "
                                "is not valid: the action 'A' must belong to same level as action 'In2'. Available "
                                "actions on same level: 'In'.'.")


def test_a_response_with_a_recurring_trigger():
    tick = {"tick": {"type": "Recurrence", "recurrence": {"frequency": "Hour", "interval": 1}}}
    [p] = errors({"R": {"type": "Response", "inputs": {"statusCode": 200}}}, triggers=tick)
    assert p.json_path == "$.actions.R" and p.message == (
        "The template validation failed: 'The workflow with 'Response' action type should not have triggers with "
        "'recurrence' property defined.'.")
    hook = {"hook": {"type": "ApiConnectionWebhook", "inputs": {"host": {"connection": {"name": "x"}}}}}
    _, problems = load_definition({"triggers": hook, "actions": {"R": {"type": "Response", "inputs": {}}}}, "v")
    assert [p.severity for p in problems] == ["warning"]


def test_validate_command_reports_the_refusal(tmp_path):
    import json

    (tmp_path / "bad.json").write_text(json.dumps({"definition": {"triggers": TRIG, "actions": {
        "Use": {"type": "Compose", "inputs": "@body('Parse_JSN')"}}}}), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "emulator", "validate", str(tmp_path / "bad.json")],
                         capture_output=True, text=True)
    assert out.returncode != 0
    assert "$.definition.actions.Use.inputs column 2: error InvalidTemplate: The template validation failed: " \
           "'The action(s) 'Parse_JSN'" in out.stdout + out.stderr
