"""Every audit rule: a flow that trips it (with the JSON paths of its findings) and a fixed twin that passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.audit.rules import all_rules
from tests.audit import audit

HERE = Path(__file__).parent
FLOWS = HERE / "flows"
GATEWAY = HERE / "gateway"
ROOT = HERE.parent.parent

# flow -> every (rule, path) it must produce, and nothing else
EXPECTED = {
    "hardcoded-secret.json": {
        ("hardcoded-secret", "triggers.manual.conditions[0].expression"),
        ("hardcoded-secret", "actions.Check_password.expression"),
        ("hardcoded-secret", "actions.Route_by_code.cases.Gold.case"),
    },
    "hardcoded-secret.fixed.json": set(),
    "secret-not-securestring.json": {
        ("secret-not-securestring", "parameters.apiKey"),
        ("secret-not-securestring", "actions.Log_token"),
        ("secret-not-securestring", "actions.Get_secret"),
        ("secret-not-securestring", "actions.Call_backend"),
    },
    "secret-not-securestring.fixed.json": set(),
    "weak-token-comparison.json": {
        ("weak-token-comparison", "triggers.manual.conditions[0].expression"),
        ("weak-token-comparison", "actions['Check case'].expression"),
        ("weak-token-comparison", "actions['Check case'].actions.Check_prefix.expression"),
    },
    "weak-token-comparison.fixed.json": set(),
    "token-reflection.json": {
        ("token-reflection", "actions.Check_key.actions.Ok.inputs.body.received"),
        ("token-reflection", "actions.Check_key.else.actions.Denied.inputs.headers['X-Echo']"),
    },
    "token-reflection.fixed.json": set(),
    "missing-unauthorized-branch.json": {
        ("missing-unauthorized-branch", "actions.Check_key.else"),
        ("missing-unauthorized-branch", "actions.Reject_if_wrong.actions.Reject.inputs.statusCode"),
    },
    "missing-unauthorized-branch.fixed.json": set(),
    "sas-only.json": {("sas-only", "triggers.manual")},
    "sas-only-oauth-sas-enabled.json": {("sas-only", "triggers.manual")},
    "sas-only.fixed.json": set(),
    "sas-only.fixed-ip-rules.json": set(),
    "sas-only.fixed-scheme-condition.json": set(),
    "authorization-header-in-outputs.json": {
        ("authorization-header-in-outputs", "triggers.manual.operationOptions"), ("sas-only", "triggers.manual")},
    "authorization-header-in-outputs.fixed.json": {("sas-only", "triggers.manual")},
    "schema-validation-off.json": {("schema-validation-off", "triggers.manual"), ("sas-only", "triggers.manual")},
    "schema-validation-off.fixed.json": {("sas-only", "triggers.manual")},
    "gateway-backend.json": {("sas-only", "triggers.manual")},
}


def findings(*paths, gateway=None):
    report = audit(paths, gateway=gateway)
    assert not report.problems, report.problems
    return report


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_flow_findings(name):
    report = findings(FLOWS / name)
    assert {(f.rule, f.path) for f in report.findings} == EXPECTED[name]


def test_every_rule_has_a_tripping_flow_and_a_fixed_twin():
    tripped = {rule for expected in EXPECTED.values() for rule, _ in expected} | {"gateway-bypass"}
    assert tripped == set(all_rules())
    for rule in all_rules():
        if rule != "gateway-bypass":
            twin = FLOWS / f"{rule}.fixed.json"
            assert twin.is_file(), twin
            assert rule not in {r for r, _ in EXPECTED[twin.name]}


def test_every_test_flow_is_listed():
    on_disk = {p.name for p in FLOWS.glob("*.json") if not p.name.endswith(".access.json")}
    assert on_disk == set(EXPECTED)


def test_gateway_bypass_paths_are_in_the_gateway_file():
    report = findings(FLOWS / "gateway-backend.json", gateway=GATEWAY / "gateway.json")
    bypass = [f for f in report.findings if f.rule == "gateway-bypass"]
    assert {(Path(f.file).name, f.path) for f in bypass} == {
        ("gateway.json", "apis[0].backend"), ("gateway.json", "apis[1].backend.gatewayOnly")}
    assert {(f.workflow, f.trigger, f.severity) for f in bypass} == {("gateway-backend", "manual", "high")}
    assert any(f.rule == "sas-only" for f in report.findings)  # not gatewayOnly: the SAS URL still works


def test_gateway_only_backend_passes():
    report = findings(FLOWS / "gateway-backend.json", gateway=GATEWAY / "gateway.fixed.json")
    assert report.findings == []
    ways = report.triggers[0].ways_in
    assert {"kind": "gateway", "api": "orders", "gatewayOnly": True, "detail": "only through the gateway"} in ways


def test_finding_fields():
    report = findings(FLOWS / "hardcoded-secret.json")
    f = next(x for x in report.findings if x.path.startswith("triggers."))
    assert f.to_dict() == {
        "rule": "hardcoded-secret", "severity": "high", "file": str(FLOWS / "hardcoded-secret.json"),
        "path": "triggers.manual.conditions[0].expression", "workflow": "hardcoded-secret", "trigger": "manual",
        "message": f.message, "fix": f.fix}
    assert "literal" in f.message and "SecureString" in f.fix


# -- the demo flows (README "Who can call the demo flows?") ------------------------------------------

DEMOS = {
    "oauth-protected.json": set(),
    "secret-key-condition.json": set(),
    "send-email.json": {("sas-only", "triggers.manual")},
    "token-in-header.json": {("secret-not-securestring", "actions.Parse_headers")},
    "token-in-path.json": set(),
}


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_flows(name):
    report = findings(ROOT / "flows" / name)
    assert {(f.rule, f.path) for f in report.findings} == DEMOS[name]


def test_demo_ways_in():
    report = findings(ROOT / "flows")
    by_flow = {t.workflow: t for t in report.triggers}
    oauth = by_flow["oauth-protected"]
    assert [w["kind"] for w in oauth.ways_in] == ["sas-disabled", "oauth"]
    assert oauth.ways_in[1]["claims"]["aud"] == "https://management.azure.com/"
    condition = by_flow["secret-key-condition"]
    assert condition.checks[0]["path"] == "triggers.manual.conditions[0].expression"
    assert {r["status"] for r in condition.refused} == {401, 202}
    header = by_flow["token-in-header"]
    assert [c["kind"] for c in header.checks] == ["condition", "parse-json"]
    assert {"status": 401, "when": "the check in 'Check_token' fails",
            "path": "actions.Check_token.else.actions.Unauthorized", "leaks": False} in header.refused


def test_audit_of_loaded_workflows_groups_findings_by_workflow():
    """What a page of the server would call: workflows it already has, findings next to their triggers."""
    from emulator.audit import audit_workflows, read_backends
    from emulator.definitions import load_paths
    from emulator.runtime.actions.registry import lookup
    from emulator.server.access import AccessPolicy

    loaded = load_paths([str(FLOWS / "gateway-backend.json"), str(FLOWS / "token-reflection.json")],
                        action_types=lookup)
    report = audit_workflows(loaded.workflows, access_policy=AccessPolicy.from_workflow,
                             backends=read_backends(GATEWAY / "gateway.json"))
    by_workflow = {}
    for f in report.findings:
        by_workflow.setdefault((f.workflow, f.trigger), set()).add(f.rule)
    assert by_workflow == {("gateway-backend", "manual"): {"sas-only", "gateway-bypass"},
                           ("token-reflection", "manual"): {"token-reflection"}}
    assert [t.workflow for t in report.triggers] == ["gateway-backend", "token-reflection"]


def test_a_check_written_inline_in_action_inputs(tmp_path):
    flow = tmp_path / "inline.json"
    flow.write_text(json.dumps({"definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
        "actions": {"Answer": {"type": "Response", "kind": "Http", "runAfter": {}, "inputs": {
            "statusCode": "@if(contains(triggerOutputs()?['headers']?['x-api-key'], 'k3y-0123456'), 200, 401)"}}}}}))
    report = findings(flow)
    assert {(f.rule, f.path) for f in report.findings} == {
        ("hardcoded-secret", "actions.Answer.inputs.statusCode"),
        ("weak-token-comparison", "actions.Answer.inputs.statusCode")}
    assert report.triggers[0].checks[0]["kind"] == "expression"


def test_parameters_about_a_secret_are_not_secrets(tmp_path):
    flow = tmp_path / "about.json"
    flow.write_text(json.dumps({"definition": {
        "parameters": {"tokenUrl": {"type": "String", "defaultValue": "https://login.example/token"},
                       "secretName": {"type": "String", "defaultValue": "backend-key"},
                       "clientSecret": {"type": "String", "defaultValue": "s3cr3t-value"}},
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"},
                                "conditions": [{"expression": "@equals(triggerOutputs()['headers']['x-key'], "
                                                              "parameters('clientSecret'))"}]}},
        "actions": {"Get_token": {"type": "Http", "runAfter": {}, "inputs": {
            "method": "POST", "uri": "@parameters('tokenUrl')",
            "body": "@{parameters('secretName')}"}}}}}))
    report = findings(flow)
    assert {(f.rule, f.path) for f in report.findings} == {("secret-not-securestring", "parameters.clientSecret")}
