"""authorize(): every rule and failure, in the documented order."""

import jwt
import pytest

from emulator.server.access import DETAIL_HEADER, AccessPolicy, authorize
from emulator.server.errors import HttpError

from .conftest import AUDIENCE, ISSUER_V1, TENANT, make_trigger, make_workflow, oauth_control

SAS_OK = object()
POLICY_CLAIMS = {"iss": ISSUER_V1, "aud": AUDIENCE}


class SasSpy:
    def __init__(self, result=None):
        self.calls = 0
        self.result = result

    def __call__(self):
        self.calls += 1
        return self.result


def call(policy, keys, *, auth=None, sig=False, ip="127.0.0.1", sas=None):
    headers = {"Authorization": auth} if auth is not None else {}
    query = {"api-version": "2016-10-01", "sp": "/triggers/manual/run", "sv": "1.0"}
    if sig:
        query["sig"] = "abc"
    spy = sas or SasSpy()
    err = authorize(
        policy, method="POST", headers=headers, query=query, client_ip=ip, sas_check=spy, keys=keys
    )
    return err, spy


def policy_of(control, **kw):
    return AccessPolicy.from_workflow(make_workflow(control, **kw))


def expect(err, status, code, message=None):
    assert isinstance(err, HttpError), err
    assert (err.status, err.code) == (status, code), err.body()
    if message is not None:
        assert err.message == message
    assert err.body() == {"error": {"code": code, "message": err.message}}


# -- SAS only (no access control) ------------------------------------------------------------------------


def test_default_policy_delegates_to_sas(keys):
    err, spy = call(AccessPolicy(), keys, sig=True)
    assert err is None and spy.calls == 1


def test_default_policy_no_credentials_asks_sas_check(keys):
    denied = HttpError(401, "DirectApiAuthorizationRequired", "x")
    err, spy = call(AccessPolicy(), keys, sas=SasSpy(denied))
    assert err is denied and spy.calls == 1


def test_none_policy_is_sas_only(keys):
    err, spy = call(None, keys, sig=True)
    assert err is None and spy.calls == 1


def test_sas_failure_is_passed_through(keys):
    bad = HttpError(
        401, "DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid."
    )
    err, _ = call(policy_of(oauth_control(POLICY_CLAIMS)), keys, sig=True, sas=SasSpy(bad))
    assert err is bad


# -- more than one scheme ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer", "HMAC", "Basic"])
def test_sig_and_authorization_header(keys, scheme):
    token = keys.mint(TENANT, AUDIENCE)
    err, spy = call(policy_of(oauth_control(POLICY_CLAIMS)), keys, auth=f"{scheme} {token}", sig=True)
    expect(
        err,
        401,
        "DirectApiRequestHasMoreThanOneAuthorization",
        f"The request has SAS authentication scheme, '{scheme}' authorization scheme or internal token scheme. "
        "Only one scheme should be used.",
    )
    assert spy.calls == 0


def test_sig_and_header_without_oauth_policy(keys):
    err, _ = call(AccessPolicy(), keys, auth="Bearer x", sig=True)
    expect(err, 401, "DirectApiRequestHasMoreThanOneAuthorization")


# -- scheme -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["Basic dXNlcjpwYXNz", "HMAC abc", "Token", "PoP abc"])
def test_non_bearer_scheme(keys, auth):
    err, spy = call(policy_of(oauth_control(POLICY_CLAIMS)), keys, auth=auth)
    scheme = auth.split(" ")[0]
    expect(
        err,
        401,
        "DirectApiInvalidAuthorizationScheme",
        f"The request has '{scheme}' authorization scheme which is not supported. "
        "Only 'Bearer' authorization scheme is supported.",
    )
    assert spy.calls == 0


def test_bearer_scheme_case_insensitive(keys):
    err, _ = call(policy_of(oauth_control(POLICY_CLAIMS)), keys, auth=f"bearer {keys.mint(TENANT, AUDIENCE)}")
    assert err is None


def test_blank_authorization_header_counts_as_absent(keys):
    err, spy = call(AccessPolicy(), keys, auth="   ", sig=True)
    assert err is None and spy.calls == 1


# -- no policy --------------------------------------------------------------------------------------------


def test_bearer_without_policy(keys):
    err, spy = call(AccessPolicy(), keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}")
    expect(err, 401, "OAuthAccessPolicyNotFound")
    assert spy.calls == 0


def test_bearer_with_only_invalid_policies_is_no_policy(keys):
    control = {
        "triggers": {
            "openAuthenticationPolicies": {
                "policies": {"noiss": {"type": "AAD", "claims": [{"name": "aud", "value": AUDIENCE}]}}
            }
        }
    }
    policy = policy_of(control)
    assert policy.oauth_policies == () and policy.problems
    err, _ = call(policy, keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}")
    expect(err, 401, "OAuthAccessPolicyNotFound")


# -- token and claims -------------------------------------------------------------------------------------


def test_matching_token_accepted_without_sas(keys):
    err, spy = call(
        policy_of(oauth_control(POLICY_CLAIMS)), keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}"
    )
    assert err is None and spy.calls == 0


MISMATCH = (
    "One or more claims either missing or does not match with the open authentication access control policy."
)


@pytest.mark.parametrize(
    "tenant, aud, extra",
    [
        (TENANT, "https://graph.microsoft.com/", {}),  # wrong audience
        ("00000000-0000-0000-0000-000000000001", AUDIENCE, {}),  # wrong tenant (iss)
        (TENANT, AUDIENCE.rstrip("/"), {}),  # audience without the trailing slash
        (
            TENANT,
            AUDIENCE,
            {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0"},
        ),  # v2 issuer vs v1 policy
    ],
)
def test_claims_mismatch(keys, tenant, aud, extra):
    err, spy = call(
        policy_of(oauth_control(POLICY_CLAIMS)), keys, auth=f"Bearer {keys.mint(tenant, aud, extra)}"
    )
    expect(err, 401, "MisMatchingOAuthClaims", MISMATCH)
    assert "no policy" in err.headers[DETAIL_HEADER]
    assert spy.calls == 0


def test_missing_claim_is_mismatch(keys):
    policy = policy_of(oauth_control(dict(POLICY_CLAIMS, oid="11111111-1111-1111-1111-111111111111")))
    err, _ = call(policy, keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE, {'oid': None})}")
    expect(err, 401, "MisMatchingOAuthClaims")
    token = keys.mint(TENANT, AUDIENCE, {"oid": "11111111-1111-1111-1111-111111111111"})
    assert call(policy, keys, auth=f"Bearer {token}")[0] is None


def test_claim_comparison_is_case_sensitive(keys):
    policy = policy_of(oauth_control(dict(POLICY_CLAIMS, sub="Alice")))
    err, _ = call(policy, keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE, {'sub': 'alice'})}")
    expect(err, 401, "MisMatchingOAuthClaims")


def test_one_of_several_policies_suffices(keys):
    other = {"iss": "https://sts.windows.net/other/", "aud": AUDIENCE}
    policy = policy_of(oauth_control(other, POLICY_CLAIMS))
    assert call(policy, keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}")[0] is None
    assert call(policy, keys, auth=f"Bearer {keys.mint('other', AUDIENCE)}")[0] is None
    err, _ = call(policy, keys, auth=f"Bearer {keys.mint('third', AUDIENCE)}")
    expect(err, 401, "MisMatchingOAuthClaims")


def test_policy_must_match_fully_not_across_policies(keys):
    a = {"iss": ISSUER_V1, "aud": AUDIENCE, "appid": "app-a"}
    b = {"iss": ISSUER_V1, "aud": "api://b", "appid": "app-b"}
    token = keys.mint(TENANT, AUDIENCE, {"appid": "app-b"})  # aud from a, appid from b
    err, _ = call(policy_of(oauth_control(a, b)), keys, auth=f"Bearer {token}")
    expect(err, 401, "MisMatchingOAuthClaims")


def test_array_claim_matches_an_element(keys):
    policy = policy_of(oauth_control(dict(POLICY_CLAIMS, roles="Flow.Invoke")))
    ok = keys.mint(TENANT, AUDIENCE, {"roles": ["Reader", "Flow.Invoke"]})
    assert call(policy, keys, auth=f"Bearer {ok}")[0] is None
    bad = keys.mint(TENANT, AUDIENCE, {"roles": ["Reader"]})
    expect(call(policy, keys, auth=f"Bearer {bad}")[0], 401, "MisMatchingOAuthClaims")


def test_v2_policy_with_v2_token(keys):
    policy = policy_of(
        oauth_control({"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "aud": "api://app"})
    )
    token = keys.mint(TENANT, "api://app", issuer_style="v2")
    assert call(policy, keys, auth=f"Bearer {token}")[0] is None


@pytest.mark.parametrize(
    "detail, make",
    [
        ("expired", lambda k: k.mint(TENANT, AUDIENCE, expires_in=-3600)),
        ("not valid yet", lambda k: k.mint(TENANT, AUDIENCE, {"nbf": 4102444800, "exp": 4102448400})),
        ("well-formed", lambda k: "garbage"),
        ("signature", lambda k: k.mint(TENANT, AUDIENCE)[:-4] + "AAAA"),
        ("issuer", lambda k: k.mint(TENANT, AUDIENCE, {"iss": "https://example.com/"})),
        ("algorithm", lambda k: jwt.encode({"iss": ISSUER_V1, "aud": AUDIENCE, "exp": 4102444800}, "k" * 40)),
    ],
)
def test_invalid_tokens_are_claim_mismatches(keys, detail, make):
    err, spy = call(policy_of(oauth_control(POLICY_CLAIMS)), keys, auth=f"Bearer {make(keys)}")
    expect(err, 401, "MisMatchingOAuthClaims", MISMATCH)
    assert detail in err.headers[DETAIL_HEADER]
    assert spy.calls == 0


def test_empty_bearer_is_mismatch(keys):
    err, _ = call(policy_of(oauth_control(POLICY_CLAIMS)), keys, auth="Bearer")
    expect(err, 401, "MisMatchingOAuthClaims")


def test_oauth_policy_does_not_disable_sas(keys):
    policy = policy_of(oauth_control(POLICY_CLAIMS))
    err, spy = call(policy, keys, sig=True)
    assert err is None and spy.calls == 1


# -- SAS disabled -----------------------------------------------------------------------------------------


def sas_off():
    return oauth_control(POLICY_CLAIMS, sasAuthenticationPolicy={"state": "Disabled"})


def test_sas_disabled_rejects_sig(keys):
    err, spy = call(policy_of(sas_off()), keys, sig=True)
    expect(
        err,
        401,
        "DirectApiInvalidAuthorizationScheme",
        "The request has SAS authentication scheme while it is disabled under your access control policy.",
    )
    assert spy.calls == 0


def test_sas_disabled_no_credentials(keys):
    err, spy = call(policy_of(sas_off()), keys)
    expect(
        err,
        401,
        "DirectApiAuthorizationRequired",
        "The request must be authenticated only by Shared Access scheme.",
    )
    assert spy.calls == 0


def test_sas_disabled_token_still_works(keys):
    assert call(policy_of(sas_off()), keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}")[0] is None


@pytest.mark.parametrize("state", ["Enabled", "enabled", None])
def test_sas_enabled_states(keys, state):
    control = oauth_control(POLICY_CLAIMS, sasAuthenticationPolicy={"state": state})
    assert policy_of(control).sas_enabled


def test_sas_state_case_insensitive(keys):
    control = oauth_control(sasAuthenticationPolicy={"state": "disabled"})
    assert not policy_of(control).sas_enabled


# -- IP allow-list ----------------------------------------------------------------------------------------


def ip_control(*ranges, **extra):
    return oauth_control(**extra, allowedCallerIpAddresses=[{"addressRange": r} for r in ranges])


IP_MESSAGE = (
    "The client IP address '{}' is not in the allowed caller IP address ranges specified in the "
    "workflow access control configuration."
)


def test_ip_allowed(keys):
    err, spy = call(policy_of(ip_control("127.0.0.0/8")), keys, sig=True)
    assert err is None and spy.calls == 1


def test_ip_blocked_before_anything_else(keys):
    policy = policy_of(ip_control("10.0.0.0/24"))
    for kwargs in ({"sig": True}, {"auth": "Bearer x"}, {"auth": "Bearer x", "sig": True}, {}):
        err, spy = call(policy, keys, ip="127.0.0.1", **kwargs)
        expect(err, 401, "AuthorizationFailed", IP_MESSAGE.format("127.0.0.1"))
        assert spy.calls == 0


def test_ip_range_and_ipv6(keys):
    policy = policy_of(ip_control("10.0.0.1-10.0.0.9", "2001:db8::/32"))
    assert call(policy, keys, sig=True, ip="10.0.0.5")[0] is None
    assert call(policy, keys, sig=True, ip="2001:db8::42")[0] is None
    expect(
        call(policy, keys, sig=True, ip="10.0.0.10")[0],
        401,
        "AuthorizationFailed",
        IP_MESSAGE.format("10.0.0.10"),
    )
    expect(call(policy, keys, sig=True, ip="::1")[0], 401, "AuthorizationFailed")


def test_empty_ip_list_only_other_workflows(keys):
    policy = policy_of(ip_control())
    assert policy.ip_ranges == ()
    expect(call(policy, keys, sig=True)[0], 401, "AuthorizationFailed", IP_MESSAGE.format("127.0.0.1"))


def test_absent_ip_list_allows_anyone(keys):
    assert policy_of(oauth_control(POLICY_CLAIMS)).ip_ranges is None


def test_invalid_range_reported_and_fails_closed(keys):
    policy = policy_of(ip_control("10.0.0.300"))
    assert policy.problems and "10.0.0.300" in policy.problems[0]
    expect(call(policy, keys, sig=True)[0], 401, "AuthorizationFailed")


def test_ip_then_token(keys):
    control = oauth_control(POLICY_CLAIMS, allowedCallerIpAddresses=[{"addressRange": "127.0.0.1"}])
    policy = policy_of(control)
    assert call(policy, keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}")[0] is None
    expect(call(policy, keys, auth=f"Bearer {keys.mint(TENANT, 'x')}")[0], 401, "MisMatchingOAuthClaims")
    expect(
        call(policy, keys, auth=f"Bearer {keys.mint(TENANT, AUDIENCE)}", ip="10.1.1.1")[0],
        401,
        "AuthorizationFailed",
    )


def test_unknown_client_ip_is_blocked(keys):
    expect(call(policy_of(ip_control("0.0.0.0/0")), keys, sig=True, ip=None)[0], 401, "AuthorizationFailed")


# -- PoP --------------------------------------------------------------------------------------------------


def test_pop_accepted_with_aadpop_policy(keys):
    control = {
        "triggers": {
            "openAuthenticationPolicies": {
                "policies": {
                    "pop": {
                        "type": "AADPOP",
                        "claims": [{"name": "iss", "value": ISSUER_V1}, {"name": "aud", "value": AUDIENCE}],
                    }
                }
            }
        }
    }
    policy = policy_of(control)
    at = keys.mint(TENANT, AUDIENCE)
    shr = jwt.encode({"at": at, "ts": 1, "m": "POST"}, "k" * 40, algorithm="HS256")
    assert call(policy, keys, auth=f"PoP {shr}")[0] is None
    # a Bearer token is checked against AAD policies only: there are none here
    expect(call(policy, keys, auth=f"Bearer {at}")[0], 401, "OAuthAccessPolicyNotFound")
    bad = jwt.encode({"at": keys.mint(TENANT, "api://other")}, "k" * 40, algorithm="HS256")
    expect(call(policy, keys, auth=f"PoP {bad}")[0], 401, "MisMatchingOAuthClaims")


# -- configuration errors ---------------------------------------------------------------------------------


def test_unreadable_sidecar_fails_closed(keys, tmp_path):
    flow = tmp_path / "f.json"
    flow.write_text("{}")
    (tmp_path / "f.access.json").write_text("{not json")
    policy = AccessPolicy.from_workflow(make_workflow(None, source=flow, name="f"))
    err, spy = call(policy, keys, sig=True)
    expect(err, 500, "InvalidAccessControlConfiguration")
    assert "f.access.json" in err.message and spy.calls == 0


def test_method_is_ignored(keys):
    policy = policy_of(oauth_control(POLICY_CLAIMS))
    token = keys.mint(TENANT, AUDIENCE)
    for method in ("GET", "PUT", "OPTIONS"):
        assert (
            authorize(
                policy,
                method=method,
                headers={"authorization": f"Bearer {token}"},
                query={},
                client_ip="::1",
                sas_check=lambda: None,
                keys=keys,
            )
            is None
        )


def test_default_keys_are_the_configured_store(keys):
    from emulator.server import keys_jwt

    previous = keys_jwt._ACTIVE.get("store")
    keys_jwt._ACTIVE["store"] = keys
    try:
        policy = policy_of(oauth_control(POLICY_CLAIMS))
        assert (
            authorize(
                policy,
                method="POST",
                headers={"Authorization": f"Bearer {keys.mint(TENANT, AUDIENCE)}"},
                query={},
                client_ip="127.0.0.1",
                sas_check=lambda: None,
            )
            is None
        )
    finally:
        if previous is None:
            keys_jwt._ACTIVE.pop("store", None)
        else:
            keys_jwt._ACTIVE["store"] = previous


def test_trigger_without_inputs(keys):
    wf = make_workflow(None, triggers=[make_trigger(inputs=None)])
    assert AccessPolicy.from_workflow(wf).pa_mode is None


def test_more_than_one_is_400_on_standard(keys):
    policy = policy_of(oauth_control(POLICY_CLAIMS), flavor="standard")
    expect(
        call(policy, keys, auth="Bearer x", sig=True)[0], 400, "DirectApiRequestHasMoreThanOneAuthorization"
    )
