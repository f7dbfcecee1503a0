"""Structure checks, expression compilation with positions, unknown types, runAfter checks."""

from __future__ import annotations

from emulator.runtime import RunOptions, VirtualClock, run_to_end
from tests.definitions.helpers import load_definition

TRIG = {"manual": {"type": "Request", "kind": "Http"}}


def problems(actions, **kw):
    _, probs = load_definition({"triggers": kw.pop("triggers", TRIG), "actions": actions}, "t", **kw)
    return probs


def test_schema_errors_name_json_path():
    probs = problems({"A": {"inputs": 1}, "B": {"type": "Compose", "runAfter": {"A": ["Done"]}}})
    paths = {(p.code, p.json_path) for p in probs}
    assert ("SchemaViolation", "$.actions.A") in paths
    assert ("SchemaViolation", "$.actions.B.runAfter.A[0]") in paths


def test_all_expression_errors_reported_together_with_columns():
    probs = problems({"A": {"type": "Compose", "inputs": {"x": "@concat('a'", "y": "@{nosuch(1)}"}},
                      "B": {"type": "Compose", "inputs": "@length(1, 2)"}})
    by_path = {p.json_path: p for p in probs}
    assert set(by_path) == {"$.actions.A.inputs.x", "$.actions.A.inputs.y", "$.actions.B.inputs"}
    assert all(p.code == "InvalidTemplate" and p.column for p in probs)
    assert "nosuch" in by_path["$.actions.A.inputs.y"].message
    assert str(by_path["$.actions.B.inputs"]).startswith("<memory>: $.actions.B.inputs column ")


def test_unknown_action_type_is_a_load_error_or_runtime_failure():
    probs = problems({"X": {"type": "Teleport", "inputs": {}}})
    assert [p.code for p in probs] == ["UnknownActionType"]
    assert "'X'" in probs[0].message and "'Teleport'" in probs[0].message


async def test_unknown_type_opt_in_fails_at_run_time():
    wf, probs = load_definition({"triggers": TRIG, "actions": {"X": {"type": "Teleport"}}}, "t",
                                allow_unknown_types=True)
    assert not probs
    _, rec, _ = await run_to_end(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock()))
    assert rec["actions"]["X"]["error"]["code"] == "ActionTypeNotSupported"


def test_unknown_trigger_type():
    probs = problems({}, triggers={"t": {"type": "Telepathy"}})
    assert [p.code for p in probs] == ["UnknownTriggerType"]


def test_run_after_unknown_cycle_and_duplicates():
    probs = problems({"A": {"type": "Compose", "inputs": 1, "runAfter": {"Nope": ["Succeeded"]}},
                      "B": {"type": "Compose", "inputs": 1, "runAfter": {"C": ["Succeeded"]}},
                      "C": {"type": "Compose", "inputs": 1, "runAfter": {"B": ["Succeeded"]}},
                      "S": {"type": "Scope", "actions": {"A": {"type": "Compose", "inputs": 2}}}})
    codes = sorted(p.code for p in probs)
    assert codes.count("InvalidRunAfter") == 1 and "DuplicateActionName" in codes  # the cycle
    assert codes.count("InvalidTemplate") == 1  # 'Nope' (tests/definitions/test_validation.py)


def test_run_after_trigger_name_allowed_at_top_level():
    assert not problems({"A": {"type": "Compose", "inputs": 1, "runAfter": {"manual": ["Succeeded"]}}})


def test_case_insensitive_types_and_condition_operators():
    assert not problems({"L": {"type": "foreach", "foreach": "@createArray(1)", "actions": {
        "V": {"type": "initializeVariable", "inputs": {"variables": [{"name": "v", "type": "string"}]}}}},
        "C": {"type": "If", "expression": {"and": [{"greaterOrEquals": [1, 1]}]}, "actions": {}}})
    probs = problems({"C": {"type": "If", "expression": {"and": [{"between": [1, 1]}]}, "actions": {}}})
    assert [p.code for p in probs] == ["InvalidCondition"]


def test_trigger_fields():
    wf, _ = load_definition({"triggers": {"m": {"type": "Request", "kind": "Http", "inputs": {
        "method": "put", "relativePath": "/a/{id}", "schema": {"type": "object"}},
        "conditions": [{"expression": "@true"}],
        "operationOptions": "EnableSchemaValidation, IncludeAuthorizationHeadersInOutputs"}}, "actions": {}}, "t")
    t = wf.triggers["m"]
    assert (t.method, t.relative_path, t.schema) == ("PUT", "/a/{id}", {"type": "object"})
    assert t.operation_options == {"enableschemavalidation", "includeauthorizationheadersinoutputs"}
    assert len(t.conditions) == 1


async def test_a_container_without_actions_has_an_empty_body():
    wf, probs = load_definition({"triggers": TRIG, "actions": {
        "S": {"type": "Scope"},
        "L": {"type": "Foreach", "foreach": "@createArray(1, 2)", "runAfter": {"S": ["Succeeded"]}},
        "U": {"type": "Until", "expression": "@true", "limit": {"count": 3},
              "runAfter": {"L": ["Succeeded"]}}}}, "t")
    assert not [p for p in probs if p.severity == "error"], [str(p) for p in probs]
    assert all(not wf.all_actions[n].body.actions for n in "SLU")
    assert "actions" not in wf.all_actions["S"].branches  # the model answers for it; nothing is stored
    _, rec, _ = await run_to_end(wf, None, {"headers": {}}, RunOptions(clock=VirtualClock()))
    assert [rec["actions"][n]["status"] for n in "SLU"] == ["Succeeded"] * 3
    assert rec["actions"]["L"]["iterationCount"] == 2


def test_a_folder_names_the_files_it_does_not_read(tmp_path):
    from emulator.definitions import load_path
    from emulator.runtime.actions.registry import lookup

    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "flow.mocks.json").write_text("{}")
    (tmp_path / ".hidden").write_text("x")
    found = load_path(tmp_path, action_types=lookup).problems
    assert [(p.file.rsplit("/", 1)[-1], p.code, p.severity) for p in found] == [
        ("notes.txt", "NotAWorkflowFile", "warning")]
    assert "only .json and .zip files are read" in found[0].message


def test_an_artifacts_folder_is_not_read_for_workflows(tmp_path):
    from emulator.definitions import load_path
    from emulator.runtime.actions.registry import lookup

    (tmp_path / "Artifacts" / "Maps").mkdir(parents=True)
    (tmp_path / "Artifacts" / "Maps" / "a.xslt").write_text("<x/>")
    (tmp_path / "Artifacts" / "Schemas").mkdir()
    (tmp_path / "Artifacts" / "Schemas" / "s.json").write_text("{}")
    assert load_path(tmp_path, action_types=lookup).problems == []
