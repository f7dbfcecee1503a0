"""validate-jwt: issuer-signing-keys (symmetric, RSA n/e), openid-config on Entra's hosts answered by the
local issuer, audiences, issuers, required-claims, require-scheme, failure statuses and messages."""

from __future__ import annotations

import base64
import time

import jwt
import pytest

from emulator.server import keys_jwt
from tests.gateway.conftest import SUB_KEY, inbound

SECRET = b"0123456789abcdef0123456789abcdef"
B64 = base64.b64encode(SECRET).decode()


def hs(claims: dict) -> str:
    return jwt.encode({"exp": int(time.time()) + 600, **claims}, SECRET, algorithm="HS256")


def policy(extra: str = "", attrs: str = "") -> str:
    return inbound(f'<validate-jwt header-name="Authorization" {attrs}>'
                   f'<issuer-signing-keys><key>{B64}</key></issuer-signing-keys>{extra}</validate-jwt>')


def call(client, token=None, scheme="Bearer"):
    headers = {"Ocp-Apim-Subscription-Key": SUB_KEY}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}" if scheme else token
    return client.get("/echo/x", headers=headers)


async def test_missing_and_valid_token(gateway):
    client = await gateway(api_policy=policy())
    resp = await call(client)
    assert resp.status == 401 and await resp.json() == {"statusCode": 401, "message": "JWT not present."}
    resp = await call(client, hs({"sub": "me"}))
    assert resp.status == 200
    assert (await resp.json())["headers"]["Authorization"].startswith("Bearer ")  # never stripped by itself


async def test_bad_signature_expired_and_unsigned(gateway):
    client = await gateway(api_policy=policy(attrs='failed-validation-httpcode="403" '
                                                   'failed-validation-error-message="Go away"'))
    wrong = jwt.encode({"exp": int(time.time()) + 60}, b"x" * 32, algorithm="HS256")
    expired = jwt.encode({"exp": int(time.time()) - 60}, SECRET, algorithm="HS256")
    unsigned = jwt.encode({"exp": int(time.time()) + 60}, None, algorithm="none")
    for token in (wrong, expired, unsigned, "not-a-jwt"):
        resp = await call(client, token)
        assert resp.status == 403 and await resp.json() == {"statusCode": 403, "message": "Go away"}, token


async def test_expiration_required_by_default(gateway):
    client = await gateway(api_policy=policy())
    token = jwt.encode({"sub": "x"}, SECRET, algorithm="HS256")
    assert (await call(client, token)).status == 401
    client = await gateway(api_policy=policy(attrs='require-expiration-time="false"'))
    assert (await call(client, token)).status == 200


async def test_audiences_issuers_and_claims(gateway):
    client = await gateway(api_policy=policy(
        "<audiences><audience>api://a</audience><audience>api://b</audience></audiences>"
        "<issuers><issuer>https://issuer.test/</issuer></issuers>"
        '<required-claims><claim name="roles" match="any"><value>Admin</value><value>Writer</value></claim>'
        '<claim name="scp" match="all" separator=" "><value>read</value><value>write</value></claim>'
        '<claim name="tid" /></required-claims>'))
    good = {"aud": "api://b", "iss": "https://issuer.test/", "roles": ["Reader", "Writer"], "scp": "write read",
            "tid": "t"}
    assert (await call(client, hs(good))).status == 200
    for change in ({"aud": "api://c"}, {"iss": "https://other/"}, {"roles": ["Reader"]}, {"scp": "read"}):
        assert (await call(client, hs({**good, **change}))).status == 401, change
    missing = dict(good)
    del missing["tid"]
    assert (await call(client, hs(missing))).status == 401


async def test_require_scheme_and_query_and_output_variable(gateway):
    client = await gateway(api_policy=policy(attrs='require-scheme="Bearer" output-token-variable-name="jwt"') +
                           "")
    assert (await call(client, hs({}), scheme="Token")).status == 401
    assert (await call(client, hs({}), scheme=None)).status == 401
    client = await gateway(api_policy=inbound(
        f'<validate-jwt query-parameter-name="access_token" output-token-variable-name="jwt">'
        f'<issuer-signing-keys><key>{B64}</key></issuer-signing-keys></validate-jwt>'
        '<set-header name="X-Sub" exists-action="override">'
        '<value>@(((Jwt)context.Variables["jwt"]).Subject)</value></set-header>'))
    resp = await client.get(f"/echo/x?access_token={hs({'sub': 'alice'})}",
                            headers={"Ocp-Apim-Subscription-Key": SUB_KEY})
    assert resp.status == 200 and (await resp.json())["headers"]["X-Sub"] == "alice"


async def test_rsa_key_with_modulus_and_exponent(gateway, tmp_path):
    store = keys_jwt.KeyStore(tmp_path / "state")
    key = store.jwks()["keys"][0]
    client = await gateway(api_policy=inbound(
        f'<validate-jwt header-name="Authorization"><issuer-signing-keys>'
        f'<key id="{key["kid"]}" n="{key["n"]}" e="{key["e"]}" /></issuer-signing-keys></validate-jwt>'))
    assert (await call(client, store.mint("contoso", "api://x"))).status == 200
    assert (await call(client, hs({}))).status == 401


@pytest.mark.parametrize("url, style", [
    ("https://login.microsoftonline.com/contoso/v2.0/.well-known/openid-configuration", "v2"),
    ("https://login.microsoftonline.com/contoso/.well-known/openid-configuration", "v1"),
    ("https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration", "v2"),
])
async def test_entra_openid_config_uses_the_local_issuer(gateway, tmp_path, url, style):
    store = keys_jwt.KeyStore(tmp_path / "state")
    client = await gateway(jwt_keys=store, api_policy=inbound(
        f'<validate-jwt header-name="Authorization"><openid-config url="{url}" />'
        '<audiences><audience>api://orders</audience></audiences></validate-jwt>'))
    assert (await call(client, store.mint("contoso", "api://orders", issuer_style=style))).status == 200
    other_style = "v1" if style == "v2" else "v2"  # both token versions are accepted (docs/fidelity.md)
    assert (await call(client, store.mint("contoso", "api://orders", issuer_style=other_style))).status == 200
    assert (await call(client, store.mint("contoso", "api://other", issuer_style=style))).status == 401
    if "common" not in url:
        assert (await call(client, store.mint("fabrikam", "api://orders", issuer_style=style))).status == 401


def test_certificate_keys_are_a_load_error(tmp_path):
    from emulator.gateway import GatewayLoadError
    from emulator.gateway import config as gateway_config
    from tests.gateway.conftest import write_gateway

    path = write_gateway(tmp_path, api_policy=inbound(
        '<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="c" />'
        "</issuer-signing-keys></validate-jwt>"))
    with pytest.raises(GatewayLoadError, match="certificate-id"):
        gateway_config.load(path)


async def test_validate_azure_ad_token(gateway, tmp_path):
    store = keys_jwt.KeyStore(tmp_path / "state")
    client = await gateway(jwt_keys=store, api_policy=inbound(
        '<validate-azure-ad-token tenant-id="contoso.onmicrosoft.com">'
        "<client-application-ids><application-id>client-1</application-id></client-application-ids>"
        "<backend-application-ids><application-id>backend-1</application-id></backend-application-ids>"
        "</validate-azure-ad-token>"))
    tenant = "contoso.onmicrosoft.com"
    assert (await call(client, store.mint(tenant, "api://backend-1", {"appid": "client-1"}))).status == 200
    assert (await call(client, store.mint(tenant, "backend-1", {"azp": "client-1"}, issuer_style="v2"))).status == 200
    assert (await call(client, store.mint(tenant, "api://backend-1", {"appid": "client-2"}))).status == 401
    assert (await call(client, store.mint(tenant, "api://backend-2", {"appid": "client-1"}))).status == 401
    assert (await call(client, store.mint("fabrikam", "api://backend-1", {"appid": "client-1"}))).status == 401
    assert (await call(client, None)).status == 401
