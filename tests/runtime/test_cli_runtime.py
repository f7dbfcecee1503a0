"""``python -m emulator validate`` and ``run``."""

from __future__ import annotations

import json

from emulator.cli import main

FLOW = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {
    "method": "POST", "relativePath": "/greet/{who}"}}}, "actions": {
    "Check": {"type": "If", "expression": {"and": [{"equals": ["@triggerOutputs()['queries']['loud']", "1"]}]},
              "actions": {"Loud": {"type": "Compose", "inputs": "@toUpper(triggerOutputs()['relativePathParameters']['who'])"}},
              "else": {"actions": {"Quiet": {"type": "Compose", "inputs": "@triggerOutputs()['relativePathParameters']['who']"}}}},
    "Mail": {"type": "ApiConnection", "runAfter": {"Check": ["Succeeded"]}, "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['office365']['connectionId']"}},
        "method": "post", "path": "/v2/Mail"}},
    "Respond": {"type": "Response", "runAfter": {"Mail": ["Succeeded"]}, "inputs": {
        "statusCode": 200, "headers": {"X-Req": "@triggerOutputs()['headers']['X-Req']"},
        "body": {"n": "@triggerBody()['n']", "mail": "@body('Mail')"}}}}}, "kind": "Stateful"}


def test_validate_ok_and_errors(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(FLOW))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"triggers": {}, "actions": {"A": {"type": "Compose", "inputs": "@concat('a'"}}}))
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert "ok " in out and "1 file(s), 1 workflow(s): all valid" in out
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "$.actions.A.inputs column" in out and "FAIL" in out and "errors found" in out


def test_run_json(tmp_path, capsys):
    flow = tmp_path / "flow.json"
    flow.write_text(json.dumps(FLOW))
    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({"actions": {"Mail": {"statusCode": 202, "body": {"id": "m1"}}}}))
    code = main(["run", str(flow), "--path", "/greet/ada", "--query", "loud=1", "--header", "X-Req: 9",
                 "--data", '{"n": 3}', "--mocks", str(mocks), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["response"] == {"status": 200, "headers": {"X-Req": "9"}, "body": {"n": 3, "mail": {"id": "m1"}}}
    run = out["run"]
    assert run["status"] == "Succeeded" and run["actions"]["Loud"]["outputs"] == "ADA"
    assert run["actions"]["Quiet"]["status"] == "Skipped"


def test_run_tree_and_no_response(tmp_path, capsys):
    flow = tmp_path / "f.json"
    flow.write_text(json.dumps({"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
        "A": {"type": "Compose", "inputs": "@div(1, 0)"}}}))
    assert main(["run", str(flow)]) == 0
    out = capsys.readouterr().out
    assert "response: none" in out and "A  Failed  BadRequest" in out and "InvalidTemplate" in out
    assert main(["run", str(flow), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["response"] is None


def test_run_builds_the_servers_trigger_outputs(tmp_path, capsys):
    """``run`` goes through emulator.runtime.trigger like the server: queries always there (repeats
    comma-joined), Authorization left out without IncludeAuthorizationHeadersInOutputs, host messages."""
    flow = tmp_path / "echo.json"
    flow.write_text(json.dumps({"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
        "R": {"type": "Response", "inputs": {"statusCode": 200, "body": "@triggerOutputs()"}}}}))
    assert main(["run", str(flow), "--query", "a=1", "--query", "a=2", "--header", "Authorization: Bearer x",
                 "--header", "X-A: 1", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)["response"]["body"]
    assert body == {"headers": {"X-A": "1"}, "queries": {"a": "1,2"}}
    assert main(["run", str(flow), "--method", "GET"]) == 2
    assert "TriggerRequestMethodNotValid: The HTTP method for this request is not valid: expected 'POST' and " \
           "actual 'GET'." in capsys.readouterr().err
    assert main(["run", str(flow), "--path", "/x"]) == 2
    assert "TriggerRequestPathNotValid" in capsys.readouterr().err
    assert main(["run", str(flow), "--data", "@" + str(flow), "--header", "Content-Type: application/xml"]) == 0


def test_validate_prints_every_warning_it_counts(tmp_path, capsys):
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(FLOW))
    (folder / "notes.json").write_text(json.dumps({"hello": "world"}))
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "notes.json: $: warning NoDefinition: no workflow definition found" in out
    assert "0 error(s), 1 warning(s)\n" in out
    assert main(["validate", "--no-warnings", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "warning NoDefinition" not in out and "1 warning(s) (not shown)" in out
