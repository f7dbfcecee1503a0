"""``validate-jwt``: the token from a header, a query parameter or an expression, checked against signing keys
from ``openid-config`` (discovery document + JWKS) or ``issuer-signing-keys``, then ``audiences``, ``issuers``
and ``required-claims``.

An ``openid-config`` URL on Entra's hosts (``login.microsoftonline.com``...) is answered by the emulator's own
issuer (its key, its issuer names), so a policy copied from Azure validates locally minted tokens offline; any
other URL (the emulator's ``/{tenant}/v2.0/.well-known/openid-configuration`` included) is fetched over HTTP
and cached.
"""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import urlsplit

import jwt as pyjwt
from jwt.algorithms import RSAAlgorithm

from ...server import keys_jwt
from ..csharp import Jwt
from ..errors import PolicyError
from ..policy import Policy, policy

ENTRA_HOSTS = {"login.microsoftonline.com", "login.windows.net", "sts.windows.net", "login.microsoft.com"}
ANY_TENANT = {"common", "organizations", "consumers"}
CACHE_SECONDS = 3600
_CACHE: dict[str, tuple] = {}  # url -> (expires, issuers, keys)


@policy("validate-jwt", sections=("inbound",))
class ValidateJwt(Policy):
    attributes = frozenset({"header-name", "query-parameter-name", "token-value", "failed-validation-httpcode",
                            "failed-validation-error-message", "require-expiration-time", "require-scheme",
                            "require-signed-tokens", "clock-skew", "output-token-variable-name"})
    children = frozenset({"openid-config", "issuer-signing-keys", "decryption-keys", "audiences", "issuers",
                          "required-claims"})

    def __init__(self, node, loader):
        super().__init__(node, loader)
        sources = [a for a in ("header-name", "query-parameter-name", "token-value") if a in node.attrs]
        if len(sources) > 1 or not sources and self.default_header is None:
            raise node.error("exactly one of 'header-name', 'query-parameter-name' or 'token-value' is required")
        if sources:
            self.source, self.where = sources[0], loader.value(node, sources[0])
        else:
            self.source, self.where = "header-name", loader.compile(node, self.default_header)
        self.status = loader.value(node, "failed-validation-httpcode", default="401")
        self.message = loader.value(node, "failed-validation-error-message")
        self.require_exp = loader.flag(node, "require-expiration-time", True)
        self.require_signed = loader.flag(node, "require-signed-tokens", True)
        self.scheme = node.attrs.get("require-scheme")
        self.skew = loader.number(node, "clock-skew", default=0)
        self.output = node.attrs.get("output-token-variable-name")
        self.openid = []
        for child in node.elements("openid-config"):
            loader.check(child, {"url", "validate-connectivity"}, ())
            if "url" not in child.attrs:
                raise child.error("the attribute 'url' is required")
            self.openid.append(child.attrs["url"])
        self.keys = []
        for group in node.elements("issuer-signing-keys"):
            loader.check(group, (), {"key"})
            for key in group.elements("key"):
                self.keys.append(_static_key(key, loader))
        if node.elements("decryption-keys"):
            raise node.child("decryption-keys").error("encrypted tokens (decryption-keys) are not supported")
        self.audiences = _values(node, "audiences", "audience", loader)
        self.issuers = _values(node, "issuers", "issuer", loader)
        self.claims = []
        for group in node.elements("required-claims"):
            loader.check(group, (), {"claim"})
            for claim in group.elements("claim"):
                loader.check(claim, {"name", "match", "separator"}, {"value"})
                if "name" not in claim.attrs:
                    raise claim.error("the attribute 'name' is required")
                match = loader.choice(claim, "match", ("all", "any"), "all")
                self.claims.append((claim.attrs["name"], match, claim.attrs.get("separator"),
                                    [loader.text(v) for v in claim.elements("value")]))

    default_header = None  # validate-jwt names its token's place; validate-azure-ad-token reads Authorization

    def _fail(self, ex, reason, detail, missing=False):
        default = "JWT not present." if missing else "Invalid JWT."
        message = self.message.text(ex) if self.message is not None else default
        try:
            status = int(self.status.text(ex))
        except ValueError:
            status = 401
        error = PolicyError(self.element, reason, status, message)
        error.detail = detail
        return error

    def _token(self, ex) -> str | None:
        if self.source == "token-value":
            return self.where.text(ex) or None
        name = self.where.text(ex)
        if self.source == "query-parameter-name":
            return ex.request.query.get(name) or None
        value = ex.request.headers.get(name)
        if not value:
            return None
        if self.scheme:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() != self.scheme.lower():
                raise self._fail(ex, "TokenSchemeNotAllowed", f"the token's scheme is not {self.scheme}")
            return rest.strip() or None
        scheme, _, rest = value.strip().partition(" ")
        return rest.strip() if scheme.lower() == "bearer" and rest else value.strip()

    async def run(self, ex) -> None:
        token = self._token(ex)
        if token is None:
            raise self._fail(ex, "TokenNotPresent", "JWT not present.", missing=True)
        try:
            header = pyjwt.get_unverified_header(token)
            unverified = pyjwt.decode(token, options={"verify_signature": False})
        except pyjwt.PyJWTError as exc:
            raise self._fail(ex, "TokenInvalid", f"the token is not a JWT: {exc}") from None
        keys, issuers = await self._trust(ex, unverified)
        claims = self._verify(ex, token, header, keys)
        if self.require_exp and "exp" not in claims:
            raise self._fail(ex, "TokenExpirationTimeMissing", "the token has no expiration time (exp)")
        audiences = [a.text(ex) for a in self.audiences]
        if audiences:
            aud = claims.get("aud")
            aud = aud if isinstance(aud, list) else [aud]
            if not set(map(str, aud)) & set(audiences):
                raise self._fail(ex, "TokenAudienceNotAllowed", "Audience validation failed.")
        if issuers and claims.get("iss") not in issuers:
            raise self._fail(ex, "TokenIssuerNotAllowed", "Issuer validation failed.")
        self._claims(ex, claims)
        self._more_checks(ex, claims)
        if self.output:
            ex.variables[self.output] = Jwt(claims, header, token)

    async def _trust(self, ex, unverified: dict):
        """(signing keys, accepted issuers) for this token."""
        keys, issuers = list(self.keys), [i.text(ex) for i in self.issuers]
        for url in self.openid:
            found_issuers, found_keys = await _discover(ex, url, unverified)
            keys += found_keys
            if not self.issuers:
                issuers += found_issuers
        return keys, issuers

    def _more_checks(self, ex, claims: dict) -> None:
        """Checks a subclass adds after the claims (none for validate-jwt)."""

    def _verify(self, ex, token, header, keys) -> dict:
        options = {"verify_aud": False, "verify_iss": False, "verify_iat": False,
                   "verify_exp": True, "verify_nbf": True}
        algorithm = header.get("alg")
        if algorithm in (None, "none"):
            if self.require_signed:
                raise self._fail(ex, "TokenSignatureInvalid", "the token is not signed")
            return pyjwt.decode(token, options={"verify_signature": False, **options}, leeway=self.skew)
        kid = header.get("kid")
        candidates = [k for k in keys if k[0] is None or kid is None or k[0] == kid] or keys
        if not candidates:
            raise self._fail(ex, "TokenSignatureInvalid", "no signing key is configured for the token")
        last = "the signature does not match any signing key"
        for _, key, algorithms in candidates:
            if algorithm not in algorithms:
                continue
            try:
                return pyjwt.decode(token, key, algorithms=[algorithm], options=options, leeway=self.skew)
            except pyjwt.ExpiredSignatureError:
                raise self._fail(ex, "TokenExpired", "Lifetime validation failed. The token is expired.") from None
            except pyjwt.ImmatureSignatureError:
                raise self._fail(ex, "TokenNotYetValid", "Lifetime validation failed. The token is not valid yet.") \
                    from None
            except pyjwt.PyJWTError as exc:
                last = str(exc)
        raise self._fail(ex, "TokenSignatureInvalid", f"Signature validation failed: {last}")

    def _claims(self, ex, claims: dict) -> None:
        missing = [name for name, *_ in self.claims if name not in claims]
        if missing:
            raise self._fail(ex, "TokenClaimNotFound", f"JWT is missing the following claims: {', '.join(missing)}")
        for name, match, separator, values in self.claims:
            if not values:
                continue
            raw = claims[name]
            actual = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
            if separator:
                actual = [p for a in actual for p in a.split(separator)]
            wanted = [v.text(ex) for v in values]
            ok = all(w in actual for w in wanted) if match == "all" else any(w in actual for w in wanted)
            if not ok:
                raise self._fail(ex, "TokenClaimValueNotAllowed", f"Claim {name} value of {raw} is not allowed.")


@policy("validate-azure-ad-token", sections=("inbound",))
class ValidateAzureAdToken(ValidateJwt):
    """A token issued by the Entra tenant ``tenant-id`` (here: the local issuer), from one of the
    ``client-application-ids``, for one of the ``audiences`` / ``backend-application-ids``."""

    attributes = frozenset({"tenant-id", "header-name", "query-parameter-name", "token-value",
                            "failed-validation-httpcode", "failed-validation-error-message",
                            "output-token-variable-name"})
    children = frozenset({"client-application-ids", "backend-application-ids", "audiences", "required-claims",
                          "decryption-keys"})
    default_header = "Authorization"

    def __init__(self, node, loader):
        super().__init__(node, loader)
        self.tenant = loader.value(node, "tenant-id", required=True)
        self.clients = _values(node, "client-application-ids", "application-id", loader)
        self.backends = _values(node, "backend-application-ids", "application-id", loader)
        if not self.clients:
            raise node.error("<client-application-ids> with at least one <application-id> is required")

    async def _trust(self, ex, unverified: dict):
        tenant = self.tenant.text(ex).strip().rstrip("/").split("://")[-1]
        return _jwks_keys(ex.gateway.local_jwks()), _both_styles([keys_jwt.issuer_for(tenant, "v2")])

    def _more_checks(self, ex, claims: dict) -> None:
        client = claims.get("azp") or claims.get("appid")
        if client not in {c.text(ex) for c in self.clients}:
            raise self._fail(ex, "TokenClientApplicationNotAllowed", f"Client application '{client}' is not allowed.")
        backends = {b.text(ex) for b in self.backends}
        if backends:
            aud = claims.get("aud")
            auds = {str(a) for a in (aud if isinstance(aud, list) else [aud])}
            if not auds & (backends | {f"api://{b}" for b in backends}):
                raise self._fail(ex, "TokenAudienceNotAllowed", "Audience validation failed.")


def _values(node, group_tag, item_tag, loader):
    out = []
    for group in node.elements(group_tag):
        loader.check(group, (), {item_tag})
        out.extend(loader.text(item) for item in group.elements(item_tag))
    return out


_HMAC = ("HS256", "HS384", "HS512")
_RSA = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")


def _static_key(node, loader):
    """``<key>`` base64 symmetric key, ``<key n="" e=""/>`` RSA, or ``certificate-id`` (unsupported)."""
    loader.check(node, {"id", "certificate-id", "n", "e"}, ())
    if "certificate-id" in node.attrs:
        raise node.error("certificate-id keys need APIM's certificate store and are not supported; use n/e")
    if "n" in node.attrs or "e" in node.attrs:
        jwk = {"kty": "RSA", "n": node.attrs.get("n", ""), "e": node.attrs.get("e", "")}
        try:
            return node.attrs.get("id"), RSAAlgorithm.from_jwk(jwk), _RSA
        except Exception as exc:  # noqa: BLE001 - any malformed modulus/exponent
            raise node.error(f"the RSA key is not valid: {exc}") from None
    text = re.sub(r"\s+", "", node.text)
    try:
        secret = base64.b64decode(text, validate=True)
    except ValueError:
        raise node.error("the key must be Base64 encoded") from None
    if not secret:
        raise node.error("the key is empty")
    return node.attrs.get("id"), secret, _HMAC


async def _discover(ex, url: str, claims: dict):
    """(issuers, keys) of an ``openid-config`` URL."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() in ENTRA_HOSTS:
        return _local_entra(ex, parts.path, claims)
    cached = _CACHE.get(url)
    if cached is not None and cached[0] > time.time():
        return cached[1], cached[2]
    session = ex.gateway.session
    try:
        async with session.get(url) as resp:
            config = await resp.json(content_type=None)
        async with session.get(config["jwks_uri"]) as resp:
            jwks = await resp.json(content_type=None)
    except Exception as exc:  # noqa: BLE001 - unreachable or malformed metadata fails the validation
        error = PolicyError("validate-jwt", "OpenIdConfigUnavailable", 500, "Internal server error")
        error.detail = f"The OpenID configuration '{url}' could not be read: {type(exc).__name__}: {exc}"
        raise error from None
    keys = _jwks_keys(jwks)
    issuers = [config["issuer"]] if isinstance(config.get("issuer"), str) else []
    issuers = _both_styles([_tenant_issuer(i, claims) for i in issuers])
    _CACHE[url] = (time.time() + CACHE_SECONDS, issuers, keys)
    return issuers, keys


def _jwks_keys(jwks: dict) -> list:
    keys = []
    for jwk in jwks.get("keys") or []:
        try:
            keys.append((jwk.get("kid"), pyjwt.PyJWK(jwk).key, _RSA if jwk.get("kty") == "RSA" else _HMAC))
        except pyjwt.PyJWTError:
            continue
    return keys


def _tenant_issuer(issuer: str, claims: dict) -> str:
    """Entra's multi-tenant documents name ``{tenantid}``: the token's own tenant fills it in."""
    return issuer.replace("{tenantid}", str(claims.get("tid", "{tenantid}")))


def _local_entra(ex, path: str, claims: dict):
    """Entra's own document, answered locally: the tenant's issuer names and the local issuer's key."""
    segments = [s for s in path.split("/") if s]
    tenant = segments[0] if segments else "common"
    if tenant.lower() in ANY_TENANT:
        tenant = str(claims.get("tid", tenant))
    return _both_styles([keys_jwt.issuer_for(tenant, "v2")]), _jwks_keys(ex.gateway.local_jwks())


def _both_styles(issuers: list) -> list:
    """An Entra issuer name in both its v1 and v2 forms, same tenant: the emulator's ``token`` mints v1 tokens
    by default and policies usually name the v2 document (docs/fidelity.md)."""
    out = []
    for issuer in issuers:
        tenant = keys_jwt.tenant_of_issuer(issuer)
        out += [keys_jwt.issuer_for(tenant, "v1"), keys_jwt.issuer_for(tenant, "v2")] if tenant else [issuer]
    return out
