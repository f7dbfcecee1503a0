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
    assert main(["run", str(flow)]) == 1  # the run failed
    out = capsys.readouterr().out
    assert "response: none" in out and "A  Failed  BadRequest" in out and "InvalidTemplate" in out
    assert main(["run", str(flow), "--json"]) == 1
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
    refused = capsys.readouterr().out  # answered as the server answers: status and the host's envelope
    assert refused.startswith("response: 400") and '"code": "TriggerRequestMethodNotValid"' in refused
    assert "The HTTP method for this request is not valid: expected 'POST' and actual 'GET'." in refused
    assert main(["run", str(flow), "--path", "/x"]) == 2
    assert "TriggerRequestPathNotValid" in capsys.readouterr().out
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


COND = {"triggers": {"manual": {"type": "Request", "kind": "Http", "conditions": [
    {"expression": "@equals(div(1, triggerBody()?['n']), 1)"}]}}, "actions": {
    "R": {"type": "Response", "inputs": {"statusCode": 200, "body": "ran"}}}}


def test_run_exit_codes_and_conditions_answered_as_the_server(tmp_path, capsys):
    flow = tmp_path / "c.json"
    flow.write_text(json.dumps(COND))
    assert main(["run", str(flow), "--data", '{"n": 1}']) == 0
    assert "response: 200" in capsys.readouterr().out
    assert main(["run", str(flow), "--data", '{"n": 2}']) == 3  # conditions false: skipped, no run
    assert capsys.readouterr().out.startswith("response: 202")
    assert main(["run", str(flow), "--data", '{"n": 2}', "--json"]) == 3
    assert json.loads(capsys.readouterr().out) == {"response": {"status": 202, "headers": {}, "body": None},
                                                   "run": None, "skipped": True}
    assert main(["run", str(flow), "--data", '{"n": 0}', "--json"]) == 2  # the condition throws: the server's 400
    out = json.loads(capsys.readouterr().out)
    assert out["run"] is None and out["response"]["status"] == 400
    assert out["response"]["body"]["error"]["code"] == "InvalidTemplate"
    assert main(["run", str(flow), "--method", "GET"]) == 2
    assert "TriggerRequestMethodNotValid" in capsys.readouterr().out


def test_run_survives_a_closed_pipe(tmp_path):
    import subprocess
    import sys

    flow = tmp_path / "f.json"
    flow.write_text(json.dumps({"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
        f"A{i}": {"type": "Compose", "inputs": "x" * 200} for i in range(400)}}))
    proc = subprocess.run(f"'{sys.executable}' -m emulator run '{flow}' --json | head -c 10", shell=True,
                          capture_output=True, text=True)
    assert proc.stdout == '{\n  "respo' and "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_run_on_a_standard_project_has_the_standard_trigger_outputs(tmp_path, capsys):
    (tmp_path / "host.json").write_text('{"version": "2.0"}')
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "workflow.json").write_text(json.dumps({"kind": "Stateful", "definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
            "R": {"type": "Response", "inputs": {"statusCode": 200, "body": {
                "q": "@triggerOutputs()?['queries']", "t": "@trigger()"}}}}}}))
    assert main(["run", str(tmp_path), "--method", "GET", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)["response"]["body"]
    assert body["q"] is None and "kind" not in body["t"] and "inputs" not in body["t"]
    assert main(["run", str(tmp_path), "--method", "PATCH", "--query", "a=1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["response"]["body"]["q"] == {"a": "1"}
