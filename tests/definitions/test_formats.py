"""Finding definitions in every supported format; Standard projects; PA packages."""

from __future__ import annotations

import json
import zipfile

from tests.definitions.helpers import load_path

DEF = {"$schema": "x", "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "get"}}},
       "actions": {"R": {"type": "Response", "inputs": {"statusCode": 200, "body": "@parameters('p')"}}},
       "parameters": {"p": {"type": "String", "defaultValue": "dflt"}}}


def write(path, value, bom=False):
    text = json.dumps(value)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def one(result):
    assert not result.errors, [str(p) for p in result.errors]
    [wf] = result.workflows
    return wf


def test_bare_definition_with_bom(tmp_path):
    wf = one(load_path(write(tmp_path / "flow.json", DEF, bom=True)))
    assert wf.name == "flow" and wf.flavor == "consumption"
    assert wf.parameters == {"p": "dflt"}
    trig = wf.triggers["manual"]
    assert trig.method == "GET" and trig.is_request and wf.has_response_action


def test_code_view_with_parameters_and_access_control(tmp_path):
    doc = {"definition": DEF, "parameters": {"p": {"value": "given"}},
           "properties": {"accessControl": {"triggers": {"allowedCallerIpAddresses": []}}}}
    wf = one(load_path(write(tmp_path / "cv.json", doc)))
    assert wf.parameters["p"] == "given" and wf.access_control == {"triggers": {"allowedCallerIpAddresses": []}}


def test_standard_workflow_json_kind(tmp_path):
    folder = tmp_path / "orders"
    folder.mkdir()
    wf = one(load_path(write(folder / "workflow.json", {"definition": DEF, "kind": "Stateful"})))
    assert wf.name == "orders" and wf.kind == "Stateful" and wf.flavor == "standard"


def test_arm_template_warns_about_arm_expressions(tmp_path):
    doc = {"resources": [{"type": "Microsoft.Logic/workflows", "name": "[parameters('name')]", "properties": {
        "definition": DEF, "parameters": {"p": {"value": "[parameters('x')]"}},
        "accessControl": {"triggers": {"allowedCallerIpAddresses": [{"addressRange": "10.0.0.0/8"}]}}}},
        {"type": "Microsoft.Web/connections", "name": "c"}]}
    result = load_path(write(tmp_path / "arm.json", doc))
    wf = one(result)
    assert wf.access_control["triggers"]["allowedCallerIpAddresses"][0]["addressRange"] == "10.0.0.0/8"
    warnings = [p for p in result.problems if p.code == "ArmExpressionNotEvaluated"]
    assert {p.json_path for p in warnings} == {"$.resources[0].properties.parameters.p.value", "$.resources[0].name"}


def test_gallery_solution_and_legacy_definition(tmp_path):
    wf = one(load_path(write(tmp_path / "g.json", {"properties": {"definition": DEF}})))
    assert wf.json_path == "$.properties.definition" and wf.flavor == "consumption"
    wf = one(load_path(write(tmp_path / "s.json", {"properties": {"connectionReferences": {}, "definition": DEF},
                                                   "schemaVersion": "1.0.0.0"})))
    assert wf.flavor == "power-automate"
    wf = one(load_path(write(tmp_path / "definition.json", {"type": "Microsoft.Flow/flows",
                                                            "properties": {"definition": DEF}})))
    assert wf.flavor == "power-automate"


def test_run_history_mock(tmp_path):
    wf = one(load_path(write(tmp_path / "run.json", {"properties": {"workflow": {"properties": {"definition": DEF}}}})))
    assert wf.json_path == "$.properties.workflow.properties.definition"


def test_power_automate_legacy_zip(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", "{}")
        z.writestr("Microsoft.Flow/flows/abc-123/definition.json",
                   json.dumps({"type": "Microsoft.Flow/flows", "properties": {"definition": DEF}}))
    wf = one(load_path(path))
    assert wf.name == "export" and wf.flavor == "power-automate"


def test_standard_project_folder(tmp_path):
    (tmp_path / "connections.json").write_text(json.dumps({"managedApiConnections": {}}))
    (tmp_path / "parameters.json").write_text(json.dumps({"p": {"type": "String", "value": "@appsetting('P_VALUE')"}}))
    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": {"P_VALUE": "from-settings"}}))
    (tmp_path / "host.json").write_text("{}")
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        write(tmp_path / name / "workflow.json", {"definition": DEF, "kind": "Stateless"})
    result = load_path(tmp_path)
    assert not result.errors
    assert sorted(w.name for w in result.workflows) == ["one", "two"]
    wf = result.workflows[0]
    assert wf.parameters["p"] == "from-settings" and wf.app_settings == {"P_VALUE": "from-settings"}
    assert wf.connections == {"managedApiConnections": {}} and wf.flavor == "standard"


def test_standard_project_request_timeout_from_host_json(tmp_path):
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"workflow": {"settings": {
        "Runtime.Backend.HttpOperation.RequestTimeout": "00:05:30"}}}}))
    (tmp_path / "one").mkdir()
    write(tmp_path / "one" / "workflow.json", {"definition": DEF, "kind": "Stateful"})
    result = load_path(tmp_path)
    assert not result.errors and result.workflows[0].response_timeout == 330.0


def test_standard_project_bad_request_timeout_is_reported(tmp_path):
    (tmp_path / "host.json").write_text(json.dumps({"extensions": {"workflow": {"settings": {
        "Runtime.Backend.HttpOperation.RequestTimeout": "five minutes"}}}}))
    (tmp_path / "one").mkdir()
    write(tmp_path / "one" / "workflow.json", {"definition": DEF, "kind": "Stateful"})
    result = load_path(tmp_path)
    assert [w.name for w in result.workflows] == ["one"] and result.workflows[0].response_timeout is None
    assert [e.code for e in result.errors] == ["InvalidHostSetting"]
    assert "five minutes" in result.errors[0].message


def test_timespan_seconds():
    from emulator.definitions.formats import timespan_seconds

    assert timespan_seconds("00:03:45") == 225
    assert timespan_seconds("1.00:00:00") == 86400
    assert timespan_seconds("00:00:00.5") == 0.5
    assert timespan_seconds("00:02") == 120
    for bad in ("", "5", "00:60:00", "24:00:00", "abc", "1:2:3:4"):
        assert timespan_seconds(bad) is None, bad


def test_folder_of_files_skips_non_workflows_with_warning(tmp_path):
    write(tmp_path / "a.json", DEF)
    write(tmp_path / "notes.json", {"hello": 1})
    result = load_path(tmp_path)
    assert [w.name for w in result.workflows] == ["a"]
    assert [p.severity for p in result.problems if p.code == "NoDefinition"] == ["warning"]


def test_invalid_json_and_missing_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": ')
    result = load_path(bad)
    assert result.errors and "line 1" in result.errors[0].message
    assert load_path(tmp_path / "none.json").errors[0].code == "FileNotFound"


def test_sidecar_files_are_not_workflows(tmp_path):
    flow = {"definition": {"triggers": {}, "actions": {}}}
    (tmp_path / "a.json").write_text(__import__("json").dumps(flow))
    (tmp_path / "a.mocks.json").write_text('{"actions": {"X": {"status": 200}}}')
    (tmp_path / "a.access.json").write_text('{"triggers": {}}')
    result = load_path(tmp_path)
    assert [w.name for w in result.workflows] == ["a"]
    assert not result.problems
