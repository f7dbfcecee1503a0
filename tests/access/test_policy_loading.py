"""AccessPolicy.from_workflow: where the configuration comes from and what it contains."""

import json

import pytest

from emulator.server.access import AccessPolicy, authorize
from emulator.server.oauth import PA_AUDIENCES, OAuthPolicy

from .conftest import AUDIENCE, ISSUER_V1, TENANT, make_trigger, make_workflow, oauth_control

POLICY = {"iss": ISSUER_V1, "aud": AUDIENCE}


def test_no_configuration_is_sas_only():
    p = AccessPolicy.from_workflow(make_workflow(None))
    assert (p.sas_enabled, p.oauth_policies, p.ip_ranges, p.has_oauth, p.source) == (
        True,
        (),
        None,
        False,
        None,
    )


def test_access_control_attribute_shapes():
    bare = oauth_control(POLICY)
    for shape in (bare, {"accessControl": bare}, {"properties": {"accessControl": bare}}):
        p = AccessPolicy.from_workflow(make_workflow(shape))
        assert p.oauth_policies == (OAuthPolicy("p0", "AAD", (("iss", ISSUER_V1), ("aud", AUDIENCE))),)
        assert p.source == "workflow"


def test_workflow_without_access_control():
    assert AccessPolicy.from_workflow(make_workflow(None)).sas_enabled


@pytest.mark.parametrize("shape", ["bare", "accessControl", "properties"])
def test_sidecar_beside_flow(tmp_path, shape):
    flow = tmp_path / "orders.json"
    flow.write_text("{}")
    control = oauth_control(POLICY, sasAuthenticationPolicy={"state": "Disabled"})
    body = {
        "bare": control,
        "accessControl": {"accessControl": control},
        "properties": {"properties": {"accessControl": control}},
    }[shape]
    (tmp_path / "orders.access.json").write_text("\ufeff" + json.dumps(body), encoding="utf-8")
    p = AccessPolicy.from_workflow(make_workflow(None, source=flow, name="orders"))
    assert p.oauth_policies and not p.sas_enabled
    assert p.source == str(tmp_path / "orders.access.json")


def test_sidecar_for_standard_workflow_folder(tmp_path):
    wf = tmp_path / "proj" / "orders"
    wf.mkdir(parents=True)
    (wf / "workflow.json").write_text("{}")
    (wf / "workflow.access.json").write_text(json.dumps(oauth_control(POLICY)))
    for source in (wf / "workflow.json", wf):
        p = AccessPolicy.from_workflow(make_workflow(None, source=source, name="orders", flavor="standard"))
        assert p.oauth_policies, source


def test_sidecar_named_after_workflow(tmp_path):
    wf = tmp_path / "orders"
    wf.mkdir()
    (wf / "workflow.json").write_text("{}")
    (tmp_path / "orders.access.json").write_text(json.dumps(oauth_control(POLICY)))
    p = AccessPolicy.from_workflow(make_workflow(None, source=wf, name="orders"))
    assert p.oauth_policies


def test_workflow_access_control_wins_over_sidecar(tmp_path):
    flow = tmp_path / "f.json"
    flow.write_text("{}")
    (tmp_path / "f.access.json").write_text(json.dumps(oauth_control(POLICY)))
    p = AccessPolicy.from_workflow(make_workflow({"triggers": {}}, source=flow, name="f"))
    assert p.oauth_policies == () and p.source == "workflow"


def test_policy_problems_as_arm_reports_them():
    control = {
        "triggers": {
            "openAuthenticationPolicies": {
                "policies": {
                    "wrongtype": {"type": "Basic", "claims": [{"name": "iss", "value": ISSUER_V1}]},
                    "values": {
                        "type": "AAD",
                        "claims": [
                            {"name": "iss", "value": ISSUER_V1},
                            {"name": "Audience", "values": AUDIENCE},
                        ],
                    },
                    "long": {
                        "type": "AAD",
                        "claims": [{"name": "iss", "value": ISSUER_V1}, {"name": "oid", "value": "x" * 151}],
                    },
                    "badiss": {"claims": [{"name": "iss", "value": "https://example.com/"}]},
                    "friendly": {
                        "type": "aad",
                        "claims": [
                            {"name": "Issuer", "value": ISSUER_V1},
                            {"name": "Audience", "value": AUDIENCE},
                        ],
                    },
                }
            }
        }
    }
    p = AccessPolicy.from_workflow(make_workflow(control))
    text = "\n".join(p.problems)
    assert "'wrongtype'" in text and "should be set to AAD" in text
    assert "'values'" in text and "'value'" in text
    assert "have a length of '151'" in text
    assert "'badiss'" in text and "issuer claim" in text
    names = {pol.name: pol for pol in p.oauth_policies}
    assert set(names) == {"values", "long", "friendly"}
    assert names["friendly"].claims == (("iss", ISSUER_V1), ("aud", AUDIENCE))


def test_limits_reported():
    policies = [dict(POLICY) for _ in range(6)]
    p = AccessPolicy.from_workflow(make_workflow(oauth_control(*policies)))
    assert any("limit of 5" in m for m in p.problems)
    many = dict(POLICY, **{f"c{i}": "v" for i in range(10)})
    p = AccessPolicy.from_workflow(make_workflow(oauth_control(many)))
    assert any("limit of 10" in m for m in p.problems)


def test_malformed_sections():
    p = AccessPolicy.from_workflow(
        make_workflow(
            {
                "triggers": {
                    "openAuthenticationPolicies": {"policies": []},
                    "allowedCallerIpAddresses": "10.0.0.1",
                }
            }
        )
    )
    assert len(p.problems) == 2 and p.ip_ranges == ()
    assert AccessPolicy.from_workflow(make_workflow(["x"])).problems == [
        "accessControl must be a JSON object."
    ]


def test_actions_and_contents_lists_do_not_restrict_triggers():
    control = {"actions": {"allowedCallerIpAddresses": []}, "contents": {"allowedCallerIpAddresses": []}}
    assert AccessPolicy.from_workflow(make_workflow(control)).ip_ranges is None


# -- Power Automate ---------------------------------------------------------------------------------------


def pa_flow(mode, users=None, control=None, flavor="power-automate"):
    inputs = {"schema": {}, "triggerAuthenticationType": mode}
    if users is not None:
        inputs["triggerAllowedUsers"] = users
    return make_workflow(control, flavor=flavor, triggers=[make_trigger(inputs=inputs)])


def run(policy, keys, token=None, sig=False):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return authorize(
        policy,
        method="POST",
        headers=headers,
        query={"sig": "x"} if sig else {},
        client_ip="127.0.0.1",
        sas_check=lambda: None,
        keys=keys,
    )


def test_pa_anyone_is_sas_only(keys):
    p = AccessPolicy.from_workflow(pa_flow("All"))
    assert p.pa_mode == "All" and p.sas_enabled and not p.has_oauth
    assert run(p, keys, sig=True) is None
    err = run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0]))
    assert (err.status, err.code) == (401, "OAuthAccessPolicyNotFound")


@pytest.mark.parametrize("aud", PA_AUDIENCES)
def test_pa_tenant_accepts_flow_audiences(keys, aud):
    p = AccessPolicy.from_workflow(pa_flow("Tenant"))
    assert run(p, keys, token=keys.mint(TENANT, aud)) is None
    assert run(p, keys, token=keys.mint(TENANT, aud, issuer_style="v2")) is None


def test_pa_tenant_rejects(keys):
    p = AccessPolicy.from_workflow(pa_flow("Tenant"))
    assert not p.sas_enabled
    for token in (
        keys.mint(TENANT, "https://service.flow.microsoft.com"),  # scope without the double slash
        keys.mint(TENANT, AUDIENCE),
        keys.mint(TENANT, PA_AUDIENCES[0], {"tid": None}),
        keys.mint(TENANT, PA_AUDIENCES[0], {"tid": "another-tenant"}),  # tid differs from iss tenant
    ):
        err = run(p, keys, token=token)
        assert (err.status, err.code) == (403, "MisMatchingOAuthClaims")
    err = run(p, keys, sig=True)
    assert (err.status, err.code) == (401, "DirectApiInvalidAuthorizationScheme")
    err = run(p, keys)
    assert (err.status, err.code) == (401, "DirectApiAuthorizationRequired")


def test_pa_tenant_with_home_tenant_from_sidecar(keys, tmp_path):
    flow = tmp_path / "pa.json"
    flow.write_text("{}")
    (tmp_path / "pa.access.json").write_text(json.dumps({"tenantId": TENANT.upper()}))
    wf = pa_flow("Tenant")
    wf.source, wf.name = flow, "pa"
    p = AccessPolicy.from_workflow(wf)
    assert run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0])) is None
    err = run(p, keys, token=keys.mint("other-tenant", PA_AUDIENCES[0]))
    assert (err.status, err.code) == (403, "MisMatchingOAuthClaims")


def test_pa_specific_users(keys):
    oid = "8a1b7f3e-0000-4000-8000-000000000001"
    p = AccessPolicy.from_workflow(pa_flow("User", f"{oid.upper()}; alice@contoso.com"))
    assert p.power_automate.allowed_users == (oid.upper(), "alice@contoso.com")
    assert run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0], {"oid": oid})) is None
    assert run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0], {"upn": "Alice@Contoso.com"})) is None
    err = run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0], {"oid": "someone-else"}))
    assert (err.status, err.code) == (403, "MisMatchingOAuthClaims")


def test_pa_specific_users_blank_list_is_whole_tenant(keys):
    for users in ("", None, " , "):
        p = AccessPolicy.from_workflow(pa_flow("User", users))
        assert run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0])) is None


def test_pa_unknown_mode_is_tenant_with_problem():
    p = AccessPolicy.from_workflow(pa_flow("Everyone"))
    assert p.pa_mode == "Tenant" and "Everyone" in p.problems[0]


def test_pa_flow_with_extra_oauth_policy_uses_403(keys):
    p = AccessPolicy.from_workflow(pa_flow("Tenant", control=oauth_control(POLICY)))
    assert run(p, keys, token=keys.mint(TENANT, AUDIENCE)) is None
    assert run(p, keys, token=keys.mint(TENANT, PA_AUDIENCES[0])) is None
    assert run(p, keys, token=keys.mint(TENANT, "api://nope")).status == 403


def test_non_request_triggers_ignored():
    wf = make_workflow(
        None, triggers=[make_trigger(type_="Recurrence", inputs={"triggerAuthenticationType": "User"})]
    )
    assert AccessPolicy.from_workflow(wf).pa_mode is None


def test_malformed_sas_policy_keeps_sas_enabled():
    assert AccessPolicy.from_workflow(
        make_workflow({"triggers": {"sasAuthenticationPolicy": "Disabled"}})
    ).sas_enabled
