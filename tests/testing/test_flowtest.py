"""Declarative flow tests: the ``test`` command, its JUnit XML, the schema and ``validate``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from emulator.cli import main
from emulator.testing.flowtest import check_file, contains, schema_problems

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"


def test_the_example_flow_tests_pass(capsys):
    assert main(["test", str(FLOWS)]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[-1] == "11 passed, 0 failed"
    assert any("notify-with-token.flowtest.json::right token: 200 and one email" in line for line in lines)
    assert any("secret-key-condition.flowtest.yaml::header condition false: 202 and no run" in line for line in lines)


def test_a_failure_names_case_expectation_and_run_and_exits_1(tmp_path, capsys):
    shutil.copy(FLOWS / "notify-with-token.json", tmp_path)
    (tmp_path / "n.flowtest.json").write_text(json.dumps({
        "flow": "notify-with-token.json",
        "mocks": {"actions": {"Send_an_email_(V2)": {"statusCode": 200}}},
        "cases": [
            {"name": "ok", "request": {"path": "/notify/s3cr3t-token", "body": {}}, "expect": {"status": 200}},
            {"name": "wrong", "request": {"path": "/notify/guess", "body": {}},
             "expect": {"status": 200, "headers": {"x-ms-workflow-name": "other"},
                        "run": {"actions": {"Send_an_email_(V2)": "Succeeded"}},
                        "calls": {"Send_an_email_(V2)": 1}, "bodyContains": {"status": "sent"}}}]}))
    junit = tmp_path / "reports" / "ci" / "out.xml"  # folders that do not exist yet
    assert main(["test", str(tmp_path), "--junit-xml", str(junit)]) == 1
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"
    for expected in ("FAIL ", "case 'wrong': expected status 200, got 401",
                     "case 'wrong': expected header x-ms-workflow-name: 'other', got 'notify-with-token'",
                     "case 'wrong': expected action Send_an_email_(V2) Succeeded, got Skipped",
                     "case 'wrong': expected 1 call(s) by action Send_an_email_(V2), got 0",
                     "case 'wrong': expected the body to contain {\"status\": \"sent\"}",
                     "Unauthorized  Succeeded  Unauthorized"):
        assert expected in out, expected
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["wrong"]


def test_the_command_runs_as_a_module(tmp_path):
    out = subprocess.run([sys.executable, "-m", "emulator", "test", str(FLOWS / "token-in-path.flowtest.json"),
                          "-q"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "3 passed, 0 failed", out.stdout + out.stderr


def test_schema_and_validate(tmp_path, capsys):
    assert schema_problems(json.loads((FLOWS / "notify-with-token.flowtest.json").read_text())) == []
    bad = tmp_path / "bad.flowtest.json"
    bad.write_text(json.dumps({"flow": "nothing.json", "cases": [{"name": "x", "expect": {"status": "200"}}]}))
    assert check_file(bad) == [f"{bad}: $.cases[0].expect.status: '200' is not of type 'integer'"]
    bad.write_text(json.dumps({"flow": "nothing.json", "cases": [{"name": "x", "expect": {}}]}))
    assert "'nothing.json' does not exist" in check_file(bad)[0]
    assert main(["validate", str(bad)]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["validate", str(FLOWS)]) == 0
    out = capsys.readouterr().out
    assert "ok " + str(FLOWS / "token-in-path.flowtest.json") + ": flow test" in out and "all valid" in out
    assert "flowtest.yaml: $: warning" not in out  # a .flowtest.yaml in a folder is a flow test, not a skipped file


def test_no_flow_tests_found_is_a_failure(tmp_path, capsys):
    assert main(["test", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip() == "0 passed, 0 failed"


def test_contains_is_recursive():
    assert contains({"a": {"b": 1, "c": 2}, "d": [1, 2]}, {"a": {"b": 1}, "d": [2]})
    assert not contains({"a": {"b": 1}}, {"a": {"b": 2}}) and not contains([1], {"a": 1})


def test_case_mocks_and_frozen_time(tmp_path, capsys):
    flow = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
        "Mail": {"type": "ApiConnection", "runAfter": {}, "inputs": {"method": "post", "path": "/v2/Mail",
                                                                     "retryPolicy": {"type": "none"}}},
        "Response": {"type": "Response", "runAfter": {"Mail": ["Succeeded", "Failed"]},
                     "inputs": {"statusCode": 200, "body": {"now": "@utcNow()", "mail": "@outputs('Mail')?['statusCode']"}}}}}}
    (tmp_path / "f.json").write_text(json.dumps(flow))
    (tmp_path / "f.flowtest.yaml").write_text(
        "flow: f.json\nnow: '2025-06-01T08:00:00Z'\ncases:\n"
        "  - name: unmocked\n    expect: {status: 200, run: {actions: {Mail: Failed}}, bodyContains: {mail: null}}\n"
        "  - name: mocked in the case\n    mocks: {actions: {Mail: {statusCode: 202}}}\n"
        "    expect: {status: 200, body: {now: '2025-06-01T08:00:00.0000000Z', mail: 202}, calls: {Mail: 1}}\n")
    assert main(["test", str(tmp_path)]) == 0, capsys.readouterr().out


def test_an_action_that_did_not_run_is_expected_as_null(tmp_path, capsys):
    flow = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
        "Each": {"type": "Foreach", "foreach": "@triggerBody()", "runAfter": {},
                 "actions": {"Inner": {"type": "Compose", "inputs": "@item()", "runAfter": {}}}}}}}
    (tmp_path / "f.json").write_text(json.dumps(flow))
    cases = [{"name": "empty", "request": {"body": []}, "expect": {"run": {"actions": {"Inner": None}}}},
             {"name": "two", "request": {"body": [1, 2]}, "expect": {"run": {"actions": {"Inner": None}}}}]
    (tmp_path / "f.flowtest.json").write_text(json.dumps({"flow": "f.json", "cases": cases}))
    assert check_file(tmp_path / "f.flowtest.json") == []
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "PASS" in out and "f.flowtest.json::empty" in out
    assert "case 'two': expected action Inner not run, got Succeeded" in out and out.strip().endswith("1 passed, 1 failed")


def test_a_string_body_matches_a_text_answer_that_looks_like_json(tmp_path, capsys):
    flow = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http",
                                                   "inputs": {"method": "GET", "relativePath": "/echo/{v}"}}},
                           "actions": {"Response": {"type": "Response", "runAfter": {}, "inputs": {
                               "statusCode": 200, "body": "@triggerOutputs()['relativePathParameters']['v']"}}}}}
    (tmp_path / "f.json").write_text(json.dumps(flow))
    cases = [{"name": "42 as text", "request": {"path": "/echo/42"}, "expect": {"body": "42"}},
             {"name": "42 as JSON", "request": {"path": "/echo/42"}, "expect": {"body": 42}},
             {"name": "true as text", "request": {"path": "/echo/true"}, "expect": {"body": "true"}},
             {"name": "other text", "request": {"path": "/echo/43"}, "expect": {"body": "42"}}]
    (tmp_path / "f.flowtest.json").write_text(json.dumps({"flow": "f.json", "cases": cases}))
    assert main(["test", str(tmp_path), "-q"]) == 1
    out = capsys.readouterr().out
    assert "case 'other text': expected body '42', got 43" in out and out.strip().endswith("3 passed, 1 failed")


def test_yaml_numbers_and_booleans_in_headers_and_query_are_sent_as_text(tmp_path, capsys):
    flow = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "GET"}}},
                           "actions": {"Response": {"type": "Response", "runAfter": {}, "inputs": {
                               "statusCode": 200, "headers": {"X-Count": "@triggerOutputs()['headers']['X-Count']"},
                               "body": {"page": "@triggerOutputs()['queries']['page']",
                                        "debug": "@triggerOutputs()['queries']['debug']"}}}}}}
    (tmp_path / "f.json").write_text(json.dumps(flow))
    (tmp_path / "f.flowtest.yaml").write_text(
        "flow: f.json\ncases:\n  - name: typed\n    request: {headers: {X-Count: 5}, query: {page: 2, debug: true}}\n"
        "    expect: {status: 200, headers: {X-Count: 5}, body: {page: '2', debug: 'true'}}\n")
    assert check_file(tmp_path / "f.flowtest.yaml") == []
    assert main(["test", str(tmp_path)]) == 0, capsys.readouterr().out


def test_two_cases_with_one_name_are_an_error(tmp_path, capsys):
    shutil.copy(FLOWS / "token-in-path.json", tmp_path)
    case = {"name": "same", "request": {"method": "GET", "path": "/secure/x"}, "expect": {"status": 401}}
    (tmp_path / "d.flowtest.json").write_text(json.dumps({"flow": "token-in-path.json", "cases": [case, case]}))
    assert check_file(tmp_path / "d.flowtest.json") == [
        f"{tmp_path / 'd.flowtest.json'}: $.cases[1].name: 'same' is already the name of cases[0] "
        "(names must be unique in a file)"]
    assert main(["test", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip().endswith("0 passed, 1 failed")


def test_an_action_name_the_flow_does_not_have_is_a_failure_not_a_silent_pass(tmp_path, capsys):
    shutil.copy(FLOWS / "token-in-path.json", tmp_path)
    expect = {"status": 401, "run": {"actions": {"Unauthorised": None}}, "calls": {"Send_mail": 0}}
    (tmp_path / "t.flowtest.json").write_text(json.dumps({"flow": "token-in-path.json", "cases": [
        {"name": "typos", "request": {"method": "GET", "path": "/secure/x"}, "expect": expect}]}))
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "case 'typos': the flow has no action 'Unauthorised' (actions: Authorized, Check_token, Unauthorized)" in out
    assert "case 'typos': the flow has no action 'Send_mail'" in out and out.strip().endswith("0 passed, 1 failed")
