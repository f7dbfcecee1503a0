"""The local issuer's routes, served by a tiny aiohttp app on 127.0.0.1."""

import jwt
import pytest
from aiohttp import web

from emulator.server import issuer, keys_jwt
from emulator.server.access import AccessPolicy, authorize

from .conftest import AUDIENCE, TENANT, make_workflow, oauth_control


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    previous = keys_jwt._ACTIVE.get("store")
    app = web.Application()
    issuer.add_routes(app, keys_jwt.configure(tmp_path))
    yield await aiohttp_client(app)
    if previous is None:
        keys_jwt._ACTIVE.pop("store", None)
    else:
        keys_jwt._ACTIVE["store"] = previous


async def test_openid_v2(client):
    resp = await client.get(f"/{TENANT}/v2.0/.well-known/openid-configuration")
    assert resp.status == 200
    doc = await resp.json()
    assert doc["issuer"] == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert doc["jwks_uri"] == f"http://127.0.0.1:{client.port}/{TENANT}/discovery/v2.0/keys"
    assert doc["token_endpoint"].endswith(f"/{TENANT}/oauth2/v2.0/token")
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


async def test_openid_v1(client):
    doc = await (await client.get(f"/{TENANT}/.well-known/openid-configuration")).json()
    assert doc["issuer"] == f"https://sts.windows.net/{TENANT}/"
    assert doc["jwks_uri"].endswith(f"/{TENANT}/discovery/keys")


@pytest.mark.parametrize("path", ["discovery/v2.0/keys", "discovery/keys"])
async def test_jwks_verifies_cli_style_tokens(client, tmp_path, path):
    resp = await client.get(f"/{TENANT}/{path}")
    assert resp.status == 200
    jwks = await resp.json()
    token = keys_jwt.KeyStore(tmp_path).mint(TENANT, AUDIENCE)
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid].key
    assert jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE)["tid"] == TENANT


async def test_same_keys_for_every_tenant(client):
    a = await (await client.get("/tenant-a/discovery/keys")).json()
    b = await (await client.get("/tenant-b/discovery/v2.0/keys")).json()
    assert a == b and len(a["keys"]) == 1 and a["keys"][0]["kty"] == "RSA"


async def test_bad_tenant_name_is_404(client):
    assert (await client.get("/bad%20tenant/discovery/keys")).status == 404


async def test_configured_store_verifies_inbound_tokens(client, tmp_path):
    assert keys_jwt.active_store().state_dir == tmp_path
    token = keys_jwt.KeyStore(tmp_path).mint(TENANT, AUDIENCE)
    policy = AccessPolicy.from_workflow(
        make_workflow(oauth_control({"iss": f"https://sts.windows.net/{TENANT}/"}))
    )
    assert (
        authorize(
            policy,
            method="POST",
            headers={"Authorization": f"Bearer {token}"},
            query={},
            client_ip="127.0.0.1",
            sas_check=lambda: None,
        )
        is None
    )


async def test_token_endpoint_v2_client_credentials(client):
    form = {
        "grant_type": "client_credentials",
        "client_id": "my-app",
        "client_secret": "anything",
        "scope": "https://service.flow.microsoft.com//.default",
    }
    resp = await client.post(f"/{TENANT}/oauth2/v2.0/token", data=form)
    assert resp.status == 200
    body = await resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    claims = keys_jwt.active_store().verify(body["access_token"])
    assert claims["aud"] == "https://service.flow.microsoft.com/"
    assert claims["appid"] == "my-app" and claims["tid"] == TENANT
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"


async def test_token_endpoint_single_slash_scope_drops_trailing_slash(client):
    form = {
        "grant_type": "client_credentials",
        "client_id": "a",
        "scope": "https://service.flow.microsoft.com/.default",
    }
    body = await (await client.post(f"/{TENANT}/oauth2/v2.0/token", data=form)).json()
    assert keys_jwt.active_store().verify(body["access_token"])["aud"] == "https://service.flow.microsoft.com"


async def test_token_endpoint_v1_resource_and_basic_auth(client):
    form = {"grant_type": "client_credentials", "resource": AUDIENCE}
    resp = await client.post(
        f"/{TENANT}/oauth2/token", data=form, headers={"Authorization": "Basic YXBwMTpzZWNyZXQ="}
    )
    body = await resp.json()
    assert resp.status == 200 and body["resource"] == AUDIENCE
    claims = keys_jwt.active_store().verify(body["access_token"])
    assert claims["aud"] == AUDIENCE and claims["appid"] == "app1"


@pytest.mark.parametrize(
    "form, error",
    [
        ({"grant_type": "password", "client_id": "a", "scope": "x/.default"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "x/.default"}, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": "a", "scope": "openid"}, "invalid_scope"),
        ({"grant_type": "client_credentials", "client_id": "a", "scope": "/.default"}, "invalid_request"),
    ],
)
async def test_token_endpoint_errors(client, form, error):
    resp = await client.post(f"/{TENANT}/oauth2/v2.0/token", data=form)
    assert resp.status == 400 and (await resp.json())["error"] == error
