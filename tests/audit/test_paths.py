"""Finding paths are relative to the workflow definition in every file format, and SARIF finds their lines."""

from __future__ import annotations

import json

import pytest

from emulator.audit.formats import render
from tests.audit import audit

DEFINITION = {
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"},
                            "conditions": [{"expression": "@equals(triggerOutputs()?['headers']?['x-key'], 'k3y-0123456')"}]}},
    "actions": {"Answer": {"type": "Response", "kind": "Http", "runAfter": {},
                           "inputs": {"statusCode": 200, "body": "@triggerOutputs()"}}},
}
EXPECTED = {("hardcoded-secret", "triggers.manual.conditions[0].expression"),
            ("token-reflection", "actions.Answer.inputs.body")}


def arm(definition):
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [{"type": "Microsoft.Logic/workflows", "name": "arm-flow", "apiVersion": "2019-05-01",
                           "location": "westeurope", "properties": {"definition": definition}}]}


FORMATS = {
    "bare.json": lambda d: d,
    "code-view.json": lambda d: {"definition": d, "parameters": {}},
    "power-automate.json": lambda d: {"properties": {"displayName": "pa", "definition": d}},
    "arm.json": arm,
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_paths_in_every_format(tmp_path, name):
    file = tmp_path / name
    file.write_text(json.dumps(FORMATS[name](DEFINITION), indent=2))
    report = audit([file])
    assert {(f.rule, f.path) for f in report.findings} == EXPECTED
    sarif = json.loads(render(report, "sarif"))
    lines = file.read_text().splitlines()
    for result in sarif["runs"][0]["results"]:
        line = lines[result["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        assert ('"expression"' in line) or ('"body"' in line), (name, line)


def test_standard_project(tmp_path):
    (tmp_path / "host.json").write_text('{"version": "2.0"}')
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "workflow.json").write_text(json.dumps({"definition": DEFINITION, "kind": "Stateful"}))
    report = audit([tmp_path])
    assert {(f.rule, f.path, f.workflow) for f in report.findings} == {(r, p, "orders") for r, p in EXPECTED}
