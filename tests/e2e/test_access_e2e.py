"""End to end on a real 127.0.0.1 socket: the server calls the access API for every trigger request.

Every rule of docs/access-control.md, through the whole stack (routing, access checks, run, Response).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from emulator.server import keys_jwt
from emulator.server.access import DETAIL_HEADER
from emulator.server.app import ServerConfig, create_app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "flows" / "oauth-protected.json"
DEMO_TENANT = "c0ffee00-0000-4000-8000-000000000001"
TENANT = "0a0b0c0d-0000-4000-8000-00000000beef"
AUD = "api://orders"
ISS = f"https://sts.windows.net/{TENANT}/"
PA_AUD = "https://service.flow.microsoft.com/"
MISMATCH = (
    "One or more claims either missing or does not match with the open authentication access control policy."
)


def definition(operation_options=None, trigger_inputs=None):
    trigger = {
        "type": "Request",
        "kind": "Http",
        "inputs": dict({"method": "POST"}, **(trigger_inputs or {})),
    }
    if operation_options:
        trigger["operationOptions"] = operation_options
    return {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
        "workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": trigger},
        "actions": {
            "Response": {
                "type": "Response",
                "kind": "Http",
                "runAfter": {},
                "inputs": {"statusCode": 200, "body": {"headers": "@triggerOutputs()['headers']"}},
            }
        },
        "outputs": {},
    }


def policies(*claim_sets, **extra):
    body = {
        f"p{i}": {"type": "AAD", "claims": [{"name": k, "value": v} for k, v in c.items()]}
        for i, c in enumerate(claim_sets)
    }
    triggers = {"openAuthenticationPolicies": {"policies": body}} if claim_sets else {}
    triggers.update(extra)
    return {"triggers": triggers}


def code_view(access_control=None, **kw):
    props = {"definition": definition(**kw)}
    if access_control is not None:
        props["accessControl"] = access_control
    return {"properties": props}


FLOWS = {
    "oauth": code_view(policies({"iss": ISS, "aud": AUD})),
    "oauthroles": code_view(
        policies({"iss": ISS, "aud": AUD, "roles": "Orders.Submit"}, {"iss": ISS, "aud": "api://b"})
    ),
    "oauthonly": code_view(policies({"iss": ISS, "aud": AUD}, sasAuthenticationPolicy={"state": "Disabled"})),
    "withauth": code_view(
        policies({"iss": ISS, "aud": AUD}), operation_options="IncludeAuthorizationHeadersInOutputs"
    ),
    "plain": code_view(),
    "iplocal": code_view(policies(allowedCallerIpAddresses=[{"addressRange": "127.0.0.0/8"}])),
    "ipv6": code_view(policies(allowedCallerIpAddresses=[{"addressRange": "2001:db8::/32"}])),
    "iprange": code_view(policies(allowedCallerIpAddresses=[{"addressRange": "10.0.0.1-10.0.0.9"}])),
    "ipempty": code_view(policies(allowedCallerIpAddresses=[])),
}


def pa_flow(mode, users=None):
    inputs = {"triggerAuthenticationType": mode}
    if users is not None:
        inputs["triggerAllowedUsers"] = users
    return {"type": "Microsoft.Flow/flows", "properties": {"definition": definition(trigger_inputs=inputs)}}


FLOWS.update(
    {
        "patenant": pa_flow("Tenant"),
        "pauser": pa_flow("User", "11111111-1111-4111-8111-111111111111"),
        "paanyone": pa_flow("All"),
    }
)


@pytest.fixture
async def env(aiohttp_client, tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    for name, doc in FLOWS.items():
        (flows / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    project = tmp_path / "project"  # a Standard project with the access control in a sidecar file
    (project / "sidecar").mkdir(parents=True)
    (project / "host.json").write_text('{"version": "2.0"}')
    (project / "sidecar" / "workflow.json").write_text(
        json.dumps({"definition": definition(), "kind": "Stateful"})
    )
    sidecar = {
        "accessControl": policies({"iss": ISS, "aud": AUD}, sasAuthenticationPolicy={"state": "Disabled"})
    }
    (project / "sidecar" / "workflow.access.json").write_text(json.dumps(sidecar))
    demo_dir = tmp_path / "demo"
    demo_dir.mkdir()
    shutil.copy(DEMO, demo_dir / DEMO.name)
    state = tmp_path / "state"
    previous = keys_jwt._ACTIVE.get("store")
    config = ServerConfig(
        paths=[str(flows), str(project), str(demo_dir)], state_dir=str(state), reload_interval=0
    )
    client = await aiohttp_client(create_app(config))
    yield Env(client, keys_jwt.KeyStore(state))
    if previous is None:
        keys_jwt._ACTIVE.pop("store", None)
    else:
        keys_jwt._ACTIVE["store"] = previous


class Env:
    def __init__(self, client, keys):
        self.client = client
        self.keys = keys

    async def callback(self, flow, trigger="manual"):
        resp = await self.client.post(f"/workflows/{flow}/triggers/{trigger}/listCallbackUrl", json={})
        assert resp.status == 200, await resp.text()
        return await resp.json()

    async def call(
        self, flow, *, token=None, scheme="Bearer", sig=True, bad_sig=False, headers=None, body=None
    ):
        cb = await self.callback(flow)
        query = dict(cb["queries"])
        if bad_sig:
            query["sig"] = "A" * 43
        if not sig:
            query = {"api-version": query["api-version"]}
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = f"{scheme} {token}".strip()
        path = cb["basePath"].split("://", 1)[1].split("/", 1)[1]
        resp = await self.client.post(
            "/" + path, params=query, headers=hdrs, json=body if body is not None else {}
        )
        text = await resp.text()
        return resp, (json.loads(text) if text.strip().startswith("{") else text)

    def token(self, aud=AUD, tenant=TENANT, **kw):
        return self.keys.mint(tenant, aud, **kw)


def error(resp, data, status, code, message=None):
    assert resp.status == status, (resp.status, data)
    assert data["error"]["code"] == code, data
    assert resp.headers["Content-Type"].startswith("application/json")
    if message is not None:
        assert data["error"]["message"] == message


# -- the demo flow ---------------------------------------------------------------------------------------


async def test_demo_flow_walkthrough(env):
    token = env.keys.mint(DEMO_TENANT, "https://management.azure.com/")
    resp, data = await env.call("oauth-protected", token=token, sig=False, body={"name": "Ada"})
    assert resp.status == 200, data
    assert data == {"greeting": "Hello Ada", "authorizationHeaderInOutputs": False}
    wrong = env.keys.mint(DEMO_TENANT, "https://graph.microsoft.com/")
    resp, data = await env.call("oauth-protected", token=wrong, sig=False)
    error(resp, data, 401, "MisMatchingOAuthClaims", MISMATCH)
    resp, data = await env.call("oauth-protected")  # SAS is disabled on the demo
    error(resp, data, 401, "DirectApiInvalidAuthorizationScheme")


# -- SAS and OAuth side by side --------------------------------------------------------------------------


async def test_sas_still_works_next_to_oauth(env):
    resp, data = await env.call("oauth")
    assert resp.status == 200, data


async def test_bad_sig_next_to_oauth(env):
    resp, data = await env.call("oauth", bad_sig=True)
    error(resp, data, 401, "DirectApiInvalidAuthorizationSignature")


async def test_no_credentials(env):
    resp, data = await env.call("oauth", sig=False)
    error(
        resp,
        data,
        401,
        "DirectApiAuthorizationRequired",
        "The request must be authenticated only by Shared Access scheme.",
    )


async def test_token_accepted(env):
    resp, data = await env.call("oauth", token=env.token(), sig=False)
    assert resp.status == 200, data
    assert "Authorization" not in data["headers"] and "authorization" not in data["headers"]


async def test_authorization_kept_with_operation_option(env):
    token = env.token()
    resp, data = await env.call("withauth", token=token, sig=False)
    assert resp.status == 200, data
    found = {k.lower(): v for k, v in data["headers"].items()}
    assert found["authorization"] == f"Bearer {token}"


@pytest.mark.parametrize("scheme", ["Bearer", "HMAC"])
async def test_sig_and_token(env, scheme):
    resp, data = await env.call("oauth", token=env.token(), scheme=scheme)
    error(
        resp,
        data,
        401,
        "DirectApiRequestHasMoreThanOneAuthorization",
        f"The request has SAS authentication scheme, '{scheme}' authorization scheme or internal token scheme. "
        "Only one scheme should be used.",
    )


async def test_non_bearer_scheme(env):
    resp, data = await env.call("oauth", token="dXNlcjpwYXNz", scheme="Basic", sig=False)
    error(resp, data, 401, "DirectApiInvalidAuthorizationScheme")
    assert "'Basic'" in data["error"]["message"]


async def test_bearer_without_policy(env):
    resp, data = await env.call("plain", token=env.token(), sig=False)
    error(resp, data, 401, "OAuthAccessPolicyNotFound")


@pytest.mark.parametrize(
    "make, detail",
    [
        (lambda e: e.token(aud="api://other"), "no policy"),
        (lambda e: e.token(tenant="another-tenant"), "no policy"),
        (lambda e: e.token(issuer_style="v2"), "no policy"),
        (lambda e: e.token(expires_in=-3600), "expired"),
        (lambda e: e.token(claims={"nbf": 4102444800, "exp": 4102448400}), "not valid yet"),
        (lambda e: e.token()[:-6] + "AAAAAA", "signature"),
        (lambda e: "not-a-jwt", "well-formed"),
        (lambda e: e.token(claims={"iss": "https://issuer.example/"}), "issuer"),
    ],
)
async def test_token_failures(env, make, detail):
    resp, data = await env.call("oauth", token=make(env), sig=False)
    error(resp, data, 401, "MisMatchingOAuthClaims", MISMATCH)
    assert detail in resp.headers[DETAIL_HEADER]


async def test_one_policy_must_match_fully(env):
    ok = env.token(claims={"roles": ["Orders.Read", "Orders.Submit"]})
    assert (await env.call("oauthroles", token=ok, sig=False))[0].status == 200
    second = env.token(aud="api://b")
    assert (await env.call("oauthroles", token=second, sig=False))[0].status == 200
    missing = env.token(claims={"roles": ["Orders.Read"]})
    resp, data = await env.call("oauthroles", token=missing, sig=False)
    error(resp, data, 401, "MisMatchingOAuthClaims")


async def test_token_from_the_issuer_endpoint(env):
    form = {"grant_type": "client_credentials", "client_id": "caller", "scope": f"{AUD}/.default"}
    resp = await env.client.post(f"/{TENANT}/oauth2/v2.0/token", data=form)
    token = (await resp.json())["access_token"]
    assert (await env.call("oauth", token=token, sig=False))[0].status == 200


async def test_discovery_documents_on_the_server(env):
    doc = await (await env.client.get(f"/{TENANT}/v2.0/.well-known/openid-configuration")).json()
    assert doc["issuer"] == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    jwks = await (await env.client.get(doc["jwks_uri"].split(str(env.client.port), 1)[1])).json()
    assert jwks == env.keys.jwks()
    v1 = await (await env.client.get(f"/{TENANT}/.well-known/openid-configuration")).json()
    assert v1["issuer"] == ISS
    assert (await env.client.get(f"/{TENANT}/discovery/keys")).status == 200


# -- SAS disabled ----------------------------------------------------------------------------------------


async def test_sas_disabled(env):
    resp, data = await env.call("oauthonly")
    error(
        resp,
        data,
        401,
        "DirectApiInvalidAuthorizationScheme",
        "The request has SAS authentication scheme while it is disabled under your access control policy.",
    )
    resp, data = await env.call("oauthonly", sig=False)
    error(resp, data, 401, "DirectApiAuthorizationRequired")
    assert (await env.call("oauthonly", token=env.token(), sig=False))[0].status == 200


async def test_sidecar_on_standard_workflow(env):
    resp, data = await env.call("sidecar")
    error(resp, data, 401, "DirectApiInvalidAuthorizationScheme")
    resp, data = await env.call("sidecar", token=env.token(), sig=False)
    assert resp.status == 200, data
    resp, data = await env.call("sidecar", token=env.token(), sig=True)
    error(resp, data, 400, "DirectApiRequestHasMoreThanOneAuthorization")  # BadRequest on Standard


# -- IP allow-lists --------------------------------------------------------------------------------------

IP_MESSAGE = (
    "The client IP address '127.0.0.1' is not in the allowed caller IP address ranges specified in the "
    "workflow access control configuration."
)


async def test_ip_allowed(env):
    assert (await env.call("iplocal"))[0].status == 200


@pytest.mark.parametrize("flow", ["ipv6", "iprange"])
async def test_ip_blocked(env, flow):
    resp, data = await env.call(flow)
    error(resp, data, 401, "AuthorizationFailed", IP_MESSAGE)
    resp, data = await env.call(flow, token=env.token(), sig=True)  # the IP check comes first
    error(resp, data, 401, "AuthorizationFailed")


async def test_ip_empty_list_only_other_workflows(env):
    resp, data = await env.call("ipempty")
    error(resp, data, 401, "AuthorizationFailed", IP_MESSAGE)


async def test_forwarded_for_is_not_trusted_by_default(env):
    resp, data = await env.call("iprange", headers={"X-Forwarded-For": "10.0.0.5"})
    error(resp, data, 401, "AuthorizationFailed", IP_MESSAGE)


# -- Power Automate --------------------------------------------------------------------------------------


async def test_pa_tenant(env):
    assert (await env.call("patenant", token=env.token(aud=PA_AUD), sig=False))[0].status == 200
    resp, data = await env.call("patenant", token=env.token(aud=PA_AUD.rstrip("/")), sig=False)
    error(resp, data, 403, "MisMatchingOAuthClaims", MISMATCH)
    resp, data = await env.call("patenant", sig=False)
    error(resp, data, 401, "DirectApiAuthorizationRequired")


async def test_pa_specific_users(env):
    allowed = env.token(aud=PA_AUD, claims={"oid": "11111111-1111-4111-8111-111111111111"})
    assert (await env.call("pauser", token=allowed, sig=False))[0].status == 200
    resp, data = await env.call("pauser", token=env.token(aud=PA_AUD), sig=False)
    error(resp, data, 403, "MisMatchingOAuthClaims")


async def test_pa_anyone(env):
    assert (await env.call("paanyone"))[0].status == 200
    resp, data = await env.call("paanyone", token=env.token(aud=PA_AUD), sig=False)
    error(resp, data, 401, "OAuthAccessPolicyNotFound")


async def test_forwarded_for_from_trusted_proxy(aiohttp_client, tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "iprange.json").write_text(json.dumps(FLOWS["iprange"]))
    config = ServerConfig(
        paths=[str(flows)],
        state_dir=str(tmp_path / "state"),
        reload_interval=0,
        trusted_proxies=["127.0.0.1"],
    )
    previous = keys_jwt._ACTIVE.get("store")
    try:
        env = Env(await aiohttp_client(create_app(config)), keys_jwt.KeyStore(tmp_path / "state"))
        resp, data = await env.call("iprange", headers={"X-Forwarded-For": "192.0.2.1, 10.0.0.5"})
        assert resp.status == 200, data
        resp, data = await env.call("iprange", headers={"X-Forwarded-For": "10.0.0.5, 192.0.2.1"})
        error(resp, data, 401, "AuthorizationFailed", IP_MESSAGE.replace("127.0.0.1", "192.0.2.1"))
    finally:
        if previous is None:
            keys_jwt._ACTIVE.pop("store", None)
        else:
            keys_jwt._ACTIVE["store"] = previous
