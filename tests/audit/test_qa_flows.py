"""Held-out style flows (QA of issue 18): HTTP-triggered flows written the way the designer, code view and
Power Automate exports write them, each with the (rule, path) pairs a careful reviewer expects from the
issue text and docs/audit.md. The flows are in ``flows/qa/``; the whole folder is audited once, with
``gateway/qa-gateway.json``, and the findings are compared per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audit import audit

HERE = Path(__file__).parent
QA = HERE / "flows" / "qa"
GATEWAY = HERE / "gateway" / "qa-gateway.json"

EXPECTED = {
    # identity and routing headers compared with literals (a tenant id GUID, an environment, a source system)
    # are not secrets; a key-like literal is, when the name does not say what it is
    "w-tid.json": {("sas-only", "triggers.manual")},
    "w-principal.json": {("sas-only", "triggers.manual")},
    "w-userid.json": {("sas-only", "triggers.manual")},
    "w-clientid-q.json": {("sas-only", "triggers.manual")},
    "w-env.json": {("sas-only", "triggers.manual")},
    "w-sourceip.json": {("sas-only", "triggers.manual")},
    "w-guidkey.json": {("hardcoded-secret", "triggers.manual.conditions[0].expression")},
    "w-custom-guid.json": {("hardcoded-secret", "triggers.manual.conditions[0].expression")},
    # a PIN or numeric key typed as a number (the designer writes 4711, not '4711'); a quantity is no secret
    "v01-numeric-pin.json": {("hardcoded-secret", "actions.Check_PIN.expression")},
    "v02-switch-numeric-key.json": {("hardcoded-secret", "actions.A.cases.c.case"),
                                    ("missing-unauthorized-branch", "actions.A.default")},
    # caller IP rules that admit every address restrict nothing
    "u01-ip-allow-all.json": {("sas-only", "triggers.manual")},
    "u02-ip-allow-all-range.json": {("sas-only", "triggers.manual")},
    "u01-ip-allow-all.fixed.json": set(),
    # a Foreach over the body hands its items to the actions inside (item(), items('Loop'))
    "t01-foreach-body.json": {("schema-validation-off", "triggers.manual"), ("sas-only", "triggers.manual")},
    "t01-foreach-body.fixed.json": {("sas-only", "triggers.manual")},
    "t02-foreach-body-items.json": {("schema-validation-off", "triggers.manual"), ("sas-only", "triggers.manual")},
    # known-good twins: routing on business values (countryCode, statusCode, an event type...), Event Grid's
    # and Slack's handshakes echoing their validation value: only SAS protects them, nothing else to report
    "fp-authcode-oauth-callback.json": {('sas-only', 'triggers.manual')},
    "fp-country.json": {('sas-only', 'triggers.manual')},
    "fp-echo-fields.json": {('sas-only', 'triggers.manual')},
    "fp-eventgrid.json": {('sas-only', 'triggers.manual')},
    "fp-github-event.json": {('sas-only', 'triggers.manual')},
    "fp-header-routing.json": {('sas-only', 'triggers.manual')},
    "fp-idempotency.json": {('sas-only', 'triggers.manual')},
    "fp-product-key.json": {('sas-only', 'triggers.manual')},
    "fp-promo.json": {('sas-only', 'triggers.manual')},
    "fp-slack.json": {('sas-only', 'triggers.manual')},
    "fp-status.json": {('sas-only', 'triggers.manual')},
    "q01-header-literal-condition.fixed.json": set(),
    "q01-header-literal-condition.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "q02-optional-chaining.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "q03-trigger-outputs-headers.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[1].expression')},
    "q04-body-token-if.json": {
        ('hardcoded-secret', 'actions.Check_token.expression')},
    "q05-query-code.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "q06-path-token.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "q07-designer-condition.json": {
        ('hardcoded-secret', 'actions.Condition.expression')},
    "q08-switch-header.json": {
        ('hardcoded-secret', 'actions.Switch.cases.Case.case'),
        ('hardcoded-secret', "actions.Switch.cases['Case 2'].case")},
    "q09-parse-json-header.fixed.json": set(),
    "q09-parse-json-header.json": {
        ('secret-not-securestring', 'actions.Parse_JSON'),
        ('secret-not-securestring', 'parameters.expectedToken')},
    "q10-contains.json": {
        ('weak-token-comparison', 'triggers.manual.conditions[0].expression')},
    "q11-starts-ends.json": {
        ('weak-token-comparison', 'actions.Condition.expression')},
    "q12-indexof.json": {
        ('weak-token-comparison', 'triggers.manual.conditions[0].expression')},
    "q13-tolower.json": {
        ('weak-token-comparison', 'triggers.manual.conditions[0].expression')},
    "q14-string-params.fixed.json": set(),
    "q14-string-params.json": {
        ('secret-not-securestring', 'parameters.apiToken'),
        ('secret-not-securestring', 'parameters.clientSecret')},
    "q15-reflection.fixed.json": set(),
    "q15-reflection.json": {
        ('token-reflection', 'actions.Response.inputs.body.debug'),
        ('token-reflection', 'actions.Response.inputs.body.headers'),
        ('token-reflection', 'actions.Response.inputs.body.msg'),
        ('token-reflection', "actions.Response.inputs.headers['X-Echo-Key']")},
    "q15b-echo-whole.json": {
        ('sas-only', 'triggers.manual'),
        ('token-reflection', 'actions.Response.inputs.body')},
    "q16-missing-branch.json": {
        ('missing-unauthorized-branch', 'actions.Check_again.else'),
        ('missing-unauthorized-branch', 'actions.Check_key.else'),
        ('missing-unauthorized-branch', 'actions.Check_third.else.actions.Soft_no.inputs.statusCode')},
    "q17-authz-outputs.fixed.json": set(),
    "q17-authz-outputs.json": {
        ('authorization-header-in-outputs', 'triggers.manual.operationOptions')},
    "q18-schema-off.fixed.json": {
        ('sas-only', 'triggers.manual')},
    "q18-schema-off.json": {
        ('sas-only', 'triggers.manual'),
        ('schema-validation-off', 'triggers.manual')},
    "q19-pa-anyone.json": {
        ('sas-only', 'triggers.manual')},
    "q19-pa-tenant.json": set(),
    "q20-oauth-bearer-only.json": set(),
    "q20-oauth-sas-off.json": set(),
    "q20-oauth-sas-on.json": {
        ('sas-only', 'triggers.manual')},
    "q21-gw-locked.json": set(),
    "q21-gw-orders.json": {
        ('sas-only', 'triggers.manual')},
    "q22-nested.json": {
        ('hardcoded-secret', "actions.Scope.actions['Check token'].expression")},
    "q23-variable.json": {
        ('hardcoded-secret', 'actions.Condition.expression'),
        ('secret-not-securestring', 'actions.Initialize_variable')},
    "q24-compose.json": {
        ('secret-not-securestring', 'actions.Compose')},
    "q25-presence-only.json": {
        ('sas-only', 'triggers.manual')},
    "q27-pa-body-key.json": {
        ('hardcoded-secret', 'actions.Condition.expression'),
        ('missing-unauthorized-branch', 'actions.Condition.else.actions.Response_2.inputs.statusCode')},
    "q28-coalesce.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "q29-negated.json": {
        ('missing-unauthorized-branch', 'actions.Key_is_wrong.actions')},
    "q30-arm-ip.json": set(),
    "r01-interpolated-operands.json": {
        ('hardcoded-secret', 'actions.Condition.expression')},
    "r01b-interpolated-param.json": {
        ('secret-not-securestring', 'parameters.apiKey')},
    "r02-expression-true.json": {
        ('hardcoded-secret', 'actions.Condition.expression')},
    "r03-equals-false.json": {
        ('missing-unauthorized-branch', 'actions.Condition.actions')},
    "r04-switch-tolower.json": {
        ('hardcoded-secret', 'actions.Switch.cases.Case.case'),
        ('weak-token-comparison', 'actions.Switch.cases.Case.case')},
    "r05-basic-literal.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "r05b-basic-concat.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "r06-createarray.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "r07-array-param.fixed.json": set(),
    "r07-array-param.json": {
        ('secret-not-securestring', 'parameters.allowedKeys')},
    "r08-object-deref.json": {
        ('secret-not-securestring', 'parameters.partners')},
    "r09-forward-token.fixed.json": set(),
    "r09-forward-token.json": {
        ('secret-not-securestring', 'actions.HTTP')},
    "r10-authz-inputs-only.json": {
        ('authorization-header-in-outputs', 'triggers.manual.operationOptions'),
        ('sas-only', 'triggers.manual')},
    "r11-reflect-authz.json": {
        ('sas-only', 'triggers.manual'),
        ('token-reflection', 'actions.Response.inputs.body.you')},
    "r12-body-password.json": {
        ('schema-validation-off', 'triggers.manual'),
        ('secret-not-securestring', 'actions.Parse_JSON'),
        ('token-reflection', 'actions.Condition.actions.Response.inputs.body')},
    "r13-apim-key-literal.json": {
        ('hardcoded-secret', 'actions.Condition.expression'),
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "r14-benign.json": {
        ('sas-only', 'triggers.manual')},
    "r15-nested-deny.json": set(),
    "r16-status-string.json": {
        ('missing-unauthorized-branch', 'actions.Condition.else.actions.Nope.inputs.statusCode')},
    "r17-no-response.json": set(),
    "r18-hmac.json": {
        ('secret-not-securestring', 'parameters.webhookSecret')},
    "r19-odd-3.json": {
        ('sas-only', 'triggers.manual'),
        ('token-reflection', 'actions.L.actions.L2.actions.R.inputs.body')},
    "r19-odd-4.json": set(),
    "s03-string.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s04-lower-type.json": set(),
    "s05-or-weak.json": {
        ('weak-token-comparison', 'triggers.manual.conditions[0].expression')},
    "s06-split.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s07-last-split.json": {
        ('secret-not-securestring', 'parameters.staticBearer')},
    "s08-nested-body.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s09-body-secret.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s10-body-trigger.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s11-outputs-trigger.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s12-dot.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s15-interp-cond.json": {
        ('hardcoded-secret', 'triggers.manual.conditions[0].expression')},
    "s16-cookie.json": {
        ('token-reflection', "actions.Response.inputs.headers['Set-Cookie']")},
    "s18-echo-parse.json": {
        ('token-reflection', 'actions.Response.inputs.body')},
    "s19-echo-var.json": {
        ('token-reflection', 'actions.Response.inputs.body.t')},
    "s20-echo-compose.json": {
        ('sas-only', 'triggers.manual'),
        ('schema-validation-off', 'triggers.manual'),
        ('token-reflection', 'actions.Response.inputs.body')},
    "s21-echo-benign.json": {
        ('sas-only', 'triggers.manual')},
    "s24-nested-checks.json": {
        ('missing-unauthorized-branch', 'actions.Outer.actions.Inner.else')},
    "s25-switch-nodefault.json": {
        ('hardcoded-secret', 'actions.Switch.cases.Case.case'),
        ('missing-unauthorized-branch', 'actions.Switch.default')},
    "s26-keyvault.fixed.json": set(),
    "s26-keyvault.json": {
        ('secret-not-securestring', 'actions.Get_secret')},
    "s27-lookup.json": set(),
    "s28-toupper-designer.json": {
        ('weak-token-comparison', 'actions.Condition.expression')},
    "s30-until.json": {
        ('hardcoded-secret', 'actions.Until.actions.Check.expression')},
    "s31-inline-if.json": {
        ('hardcoded-secret', 'actions.Response.inputs.statusCode')},
    "s32-not-contains.json": {
        ('weak-token-comparison', 'actions.Condition.expression')},
    "std/orders/workflow.json": {
        ('secret-not-securestring', 'actions.HTTP')},
}
GATEWAY_FINDINGS = {("gateway-bypass", "apis[0].backend"), ("gateway-bypass", "apis[1].backend.gatewayOnly")}


@pytest.fixture(scope="module")
def report():
    return audit([QA], gateway=GATEWAY)


def _by_file(report):
    found: dict[str, set] = {}
    for f in report.findings:
        path = Path(f.file)
        key = "GATEWAY" if path == GATEWAY else path.relative_to(QA).as_posix()
        found.setdefault(key, set()).add((f.rule, f.path))
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_qa_flow(report, name):
    assert _by_file(report).get(name, set()) == EXPECTED[name]


def test_qa_gateway(report):
    assert _by_file(report).get("GATEWAY", set()) == GATEWAY_FINDINGS


def test_every_qa_flow_is_listed_and_loads(report):
    on_disk = {p.relative_to(QA).as_posix() for p in QA.rglob("*.json")
               if not p.name.endswith(".access.json") and p.name != "host.json"}
    assert on_disk == set(EXPECTED)
    assert not report.problems, report.problems
    assert set(_by_file(report)) <= set(EXPECTED) | {"GATEWAY"}


def _gateway(tmp_path, apis, folder=False):
    import json

    target = tmp_path / "apiops" if folder else tmp_path
    target.mkdir(exist_ok=True)
    (target / "gateway.json").write_text(json.dumps({"apis": apis}))
    return target if folder else target / "gateway.json"


def test_gateway_names_workflows_case_insensitively(tmp_path):
    """Azure (and the gateway's own loader) match workflow names without case."""
    gateway = _gateway(tmp_path, [{"name": "o", "path": "o", "backend": {"workflow": "Q21-GW-Orders"}},
                                  {"name": "l", "path": "l", "backend": {"workflow": "Q21-GW-LOCKED", "gatewayOnly": True}}])
    found = {(f.rule, f.workflow, f.path) for f in audit([QA / "q21-gw-orders.json", QA / "q21-gw-locked.json"],
                                                         gateway=gateway).findings}
    assert found == {("gateway-bypass", "q21-gw-orders", "apis[0].backend"), ("sas-only", "q21-gw-orders", "triggers.manual")}


def test_a_workflow_locked_by_one_api_is_not_bypassed_through_another(tmp_path):
    """gatewayOnly locks the workflow itself: a second API without the flag does not reopen it."""
    gateway = _gateway(tmp_path, [{"name": "a", "path": "a", "backend": {"workflow": "q21-gw-locked", "gatewayOnly": True}},
                                  {"name": "b", "path": "b", "backend": {"workflow": "q21-gw-locked"}}])
    assert audit([QA / "q21-gw-locked.json"], gateway=gateway).findings == []


def test_gateway_given_as_an_apiops_folder(tmp_path):
    """`serve --gateway` takes an APIOps folder (its workflow backends in the folder's gateway.json)."""
    folder = _gateway(tmp_path, [{"name": "o", "path": "o", "backend": {"workflow": "q21-gw-orders"}}], folder=True)
    found = {(f.rule, f.path) for f in audit([QA / "q21-gw-orders.json"], gateway=folder).findings}
    assert ("gateway-bypass", "apis[0].backend") in found
    assert audit([QA / "q21-gw-orders.json"], gateway=tmp_path).findings[0].rule == "sas-only"  # no gateway.json


def test_allow_all_ip_rules_do_not_lock_a_gateway_backend(tmp_path):
    gateway = _gateway(tmp_path, [{"name": "a", "path": "a", "backend": {"workflow": "u01-ip-allow-all"}},
                                  {"name": "b", "path": "b", "backend": {"workflow": "u01-ip-allow-all.fixed"}}])
    found = {(f.rule, f.path) for f in audit([QA / "u01-ip-allow-all.json", QA / "u01-ip-allow-all.fixed.json"],
                                             gateway=gateway).findings if f.rule == "gateway-bypass"}
    assert found == {("gateway-bypass", "apis[0].backend")}
