"""A local Entra ID look-alike: per-tenant OpenID discovery documents, JWKS and a client-credentials token
endpoint, so clients that fetch metadata or tokens work offline. Trust-all by design: anyone who can reach the
emulator can get a token (the client secret is not checked); it is a development tool, not a security boundary.

Routes (``{tenant}`` is any tenant id or name):
- ``GET /{tenant}/v2.0/.well-known/openid-configuration`` (issuer ``https://login.microsoftonline.com/{tenant}/v2.0``)
- ``GET /{tenant}/.well-known/openid-configuration`` (issuer ``https://sts.windows.net/{tenant}/``)
- ``GET /{tenant}/discovery/v2.0/keys`` and ``GET /{tenant}/discovery/keys`` (JWKS of the state dir's key)
- ``POST /{tenant}/oauth2/v2.0/token`` (``scope=<audience>/.default``) and ``POST /{tenant}/oauth2/token``
  (``resource=<audience>``), ``grant_type=client_credentials``.
"""

from __future__ import annotations

import base64
import re
import uuid

from aiohttp import web

from . import keys_jwt

KEYSTORE_KEY = web.AppKey("access_keystore", keys_jwt.KeyStore)
_TENANT = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
TOKEN_LIFETIME = 3599


def add_routes(app: web.Application, store: keys_jwt.KeyStore) -> None:
    """Serve the issuer on ``app`` with ``store``'s key (the one inbound bearer tokens are verified against)."""
    app[KEYSTORE_KEY] = store
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", _openid_v2)
    app.router.add_get("/{tenant}/.well-known/openid-configuration", _openid_v1)
    app.router.add_get("/{tenant}/discovery/v2.0/keys", _jwks)
    app.router.add_get("/{tenant}/discovery/keys", _jwks)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", _token_v2)
    app.router.add_post("/{tenant}/oauth2/token", _token_v1)


def _tenant(request: web.Request) -> str:
    tenant = request.match_info["tenant"]
    if not _TENANT.match(tenant):
        raise web.HTTPNotFound()
    return tenant


def _base(request: web.Request) -> str:
    return str(request.url.origin())


async def _openid_v2(request: web.Request) -> web.Response:
    tenant, base = _tenant(request), _base(request)
    return web.json_response(
        {
            "issuer": keys_jwt.issuer_for(tenant, "v2"),
            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [keys_jwt.ALGORITHM],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "azp", "roles"],
            "tenant_region_scope": None,
            "cloud_instance_name": "microsoftonline.com",
        }
    )


async def _openid_v1(request: web.Request) -> web.Response:
    tenant, base = _tenant(request), _base(request)
    return web.json_response(
        {
            "issuer": keys_jwt.issuer_for(tenant, "v1"),
            "authorization_endpoint": f"{base}/{tenant}/oauth2/authorize",
            "token_endpoint": f"{base}/{tenant}/oauth2/token",
            "jwks_uri": f"{base}/{tenant}/discovery/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [keys_jwt.ALGORITHM],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid", "roles"],
            "cloud_instance_name": "microsoftonline.com",
        }
    )


async def _jwks(request: web.Request) -> web.Response:
    _tenant(request)
    return web.json_response(request.app[KEYSTORE_KEY].jwks())


def _oauth_error(code: str, description: str) -> web.Response:
    return web.json_response({"error": code, "error_description": description}, status=400)


async def _token(request: web.Request, audience_field: str) -> web.Response:
    tenant = _tenant(request)
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    client_id = str(form.get("client_id") or "")
    if not client_id and request.headers.get("Authorization", "").lower().startswith("basic "):
        decoded = base64.b64decode(request.headers["Authorization"][6:].strip() + "==").decode(
            "utf-8", "replace"
        )
        client_id = decoded.split(":", 1)[0]
    if not client_id:
        return _oauth_error("invalid_request", "The request body must contain 'client_id'.")
    requested = str(form.get(audience_field) or "")
    if audience_field == "scope":
        if not requested.endswith("/.default"):
            return _oauth_error("invalid_scope", "The scope must be '<resource>/.default'.")
        # As in Entra: 'https://service.flow.microsoft.com//.default' -> aud with the trailing slash.
        audience = requested[: -len("/.default")]
    else:
        audience = requested
    if not audience:
        return _oauth_error("invalid_request", f"The request body must contain '{audience_field}'.")
    principal = str(uuid.uuid5(uuid.NAMESPACE_URL, f"logicapps-emulator:{tenant}:{client_id}"))
    # Tokens for Azure resources and the flow service are v1 tokens, whichever endpoint issued them.
    claims = {"oid": principal, "sub": principal, "appid": client_id}
    token = request.app[KEYSTORE_KEY].mint(tenant, audience, claims, expires_in=TOKEN_LIFETIME)
    body = {
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME,
        "access_token": token,
    }
    if audience_field == "resource":
        body["resource"] = audience
    return web.json_response(body)


async def _token_v2(request: web.Request) -> web.Response:
    return await _token(request, "scope")


async def _token_v1(request: web.Request) -> web.Response:
    return await _token(request, "resource")
