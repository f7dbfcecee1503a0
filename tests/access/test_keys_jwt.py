import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.server.keys_jwt import KeyStore, TokenError, issuer_for, tenant_of_issuer

from .conftest import AUDIENCE, TENANT


def test_key_is_created_once_and_kept(tmp_path):
    a = KeyStore(tmp_path)
    kid = a.kid
    assert (tmp_path / "issuer" / "signing-key.json").stat().st_mode & 0o777 == 0o600
    b = KeyStore(tmp_path)
    assert b.kid == kid
    token = a.mint(TENANT, AUDIENCE)
    assert b.verify(token)["aud"] == AUDIENCE


def test_jwks_verifies_minted_token(keys):
    token = keys.mint(TENANT, AUDIENCE)
    jwk = keys.jwks()["keys"][0]
    assert jwk["kid"] == jwt.get_unverified_header(token)["kid"]
    public = jwt.PyJWK(jwk).key
    claims = jwt.decode(token, public, algorithms=["RS256"], audience=AUDIENCE)
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["tid"] == TENANT and claims["ver"] == "1.0" and "appid" in claims


def test_v2_style(keys):
    claims = keys.verify(keys.mint(TENANT, "api://x", issuer_style="v2"))
    assert claims["iss"] == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert claims["ver"] == "2.0" and "azp" in claims


def test_claims_override(keys):
    claims = keys.verify(keys.mint(TENANT, AUDIENCE, {"oid": "abc", "roles": ["a", "b"]}))
    assert claims["oid"] == "abc" and claims["roles"] == ["a", "b"]


def test_expired_and_not_yet_valid(keys):
    with pytest.raises(TokenError, match="expired"):
        keys.verify(keys.mint(TENANT, AUDIENCE, expires_in=-3600))
    future = int(time.time()) + 3600
    with pytest.raises(TokenError, match="not valid yet"):
        keys.verify(keys.mint(TENANT, AUDIENCE, {"nbf": future, "exp": future + 60}))


def test_clock_skew_tolerated(keys):
    assert keys.verify(keys.mint(TENANT, AUDIENCE, expires_in=-60))


def test_foreign_key_rejected(keys):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        {"iss": issuer_for(TENANT), "aud": AUDIENCE, "exp": time.time() + 60}, other, algorithm="RS256"
    )
    with pytest.raises(TokenError, match="signature"):
        keys.verify(token)
    token = jwt.encode(
        {"iss": issuer_for(TENANT), "exp": time.time() + 60},
        other,
        algorithm="RS256",
        headers={"kid": "nope"},
    )
    with pytest.raises(TokenError, match="key id"):
        keys.verify(token)


def test_tampered_payload_rejected(keys):
    header, payload, sig = keys.mint(TENANT, AUDIENCE).split(".")
    forged = jwt.utils.base64url_encode(b'{"aud":"x","iss":"https://sts.windows.net/t/","exp":9999999999}')
    with pytest.raises(TokenError, match="signature"):
        keys.verify(".".join([header, forged.decode(), sig]))


def test_hs256_and_none_rejected(keys):
    with pytest.raises(TokenError, match="algorithm"):
        keys.verify(jwt.encode({"exp": time.time() + 60}, "s" * 40, algorithm="HS256"))
    with pytest.raises(TokenError, match="algorithm"):
        keys.verify(jwt.encode({"exp": time.time() + 60}, None, algorithm="none"))


def test_garbage_rejected(keys):
    with pytest.raises(TokenError, match="well-formed"):
        keys.verify("not a token")


def test_missing_exp_rejected(keys):
    claims = {"exp": None}
    token = keys.mint(TENANT, AUDIENCE, claims)
    with pytest.raises(TokenError):
        keys.verify(token)


def test_non_entra_issuer_rejected(keys):
    with pytest.raises(TokenError, match="issuer"):
        keys.verify(keys.mint(TENANT, AUDIENCE, {"iss": "https://evil.example/"}))


@pytest.mark.parametrize(
    "iss, tenant",
    [
        ("https://sts.windows.net/abc/", "abc"),
        ("https://login.microsoftonline.com/abc/v2.0", "abc"),
        ("https://sts.windows.net/abc", None),
        ("https://login.microsoftonline.com/abc/", None),
        (None, None),
    ],
)
def test_tenant_of_issuer(iss, tenant):
    assert tenant_of_issuer(iss) == tenant
