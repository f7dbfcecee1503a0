"""The local token issuer's RSA signing key, minting and verifying Entra-shaped JWTs (PyJWT).

One RSA-2048 key is generated the first time it is needed and kept in ``<state dir>/issuer/signing-key.json``
(private PEM plus key id), so tokens minted by ``python -m emulator token`` stay valid across server restarts.
The same key signs for every tenant, and any Entra issuer name is accepted for it: tenant isolation comes
from the policies' ``iss``/``tid`` claims, exactly as in the cloud.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .state import SigningKeyState
from .state.files import FileSigningKey

KEY_FILE = Path("issuer") / "signing-key.json"
ALGORITHM = "RS256"
DEFAULT_STATE_DIR = ".state"  # the server's default --state-dir
STATE_DIR_ENV = "LOGICAPPS_EMULATOR_STATE_DIR"
# Microsoft.IdentityModel's default clock skew: exp/nbf are checked with this much tolerance.
LEEWAY_SECONDS = 300

_V1 = re.compile(r"^https://sts\.windows\.net/(?P<tenant>[^/]+)/$")
_V2 = re.compile(r"^https://login\.microsoftonline\.com/(?P<tenant>[^/]+)/v2\.0$")


class TokenError(Exception):
    """A token that cannot be trusted; ``str()`` says why (used in a diagnostic header, not the body)."""


def issuer_for(tenant: str, style: str = "v1") -> str:
    """The Entra issuer name of ``tenant`` for v1 (``sts.windows.net``) or v2 (``login.microsoftonline.com``)."""
    if style == "v2":
        return f"https://login.microsoftonline.com/{tenant}/v2.0"
    return f"https://sts.windows.net/{tenant}/"


def tenant_of_issuer(iss) -> str | None:
    """The tenant named by an Entra issuer (v1 or v2 form), or None when ``iss`` is not one."""
    if not isinstance(iss, str):
        return None
    match = _V1.match(iss) or _V2.match(iss)
    return match.group("tenant") if match else None


def default_state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR)


def _new_key() -> dict:
    """A fresh RSA-2048 signing key as stored: ``{"kid", "alg", "privateKeyPem"}``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = base64.urlsafe_b64encode(hashlib.sha1(public_der).digest()).rstrip(b"=").decode("ascii")
    return {"kid": kid, "alg": ALGORITHM, "privateKeyPem": pem}


def _b64u_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class KeyStore:
    """The signing key of one state dir (created on first use, read back afterwards)."""

    def __init__(self, state_dir: str | os.PathLike | None = None, store: SigningKeyState | None = None):
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.path = self.state_dir / KEY_FILE
        self.store = store if store is not None else FileSigningKey(self.path)
        self._lock = threading.Lock()
        self._key = None
        self._kid = None

    # -- key material -----------------------------------------------------------------------------
    def _load(self):
        with self._lock:
            if self._key is None:
                data = self.store.get_or_create(_new_key)
                self._key = serialization.load_pem_private_key(data["privateKeyPem"].encode("ascii"), None)
                self._kid = data["kid"]
        return self._key, self._kid

    @property
    def kid(self) -> str:
        return self._load()[1]

    def jwks(self) -> dict:
        key, kid = self._load()
        numbers = key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": ALGORITHM,
                    "kid": kid,
                    "n": _b64u_uint(numbers.n),
                    "e": _b64u_uint(numbers.e),
                }
            ]
        }

    # -- tokens -----------------------------------------------------------------------------------
    def mint(
        self,
        tenant: str,
        audience: str,
        claims: dict | None = None,
        *,
        expires_in: int = 3600,
        issuer_style: str = "v1",
        now: float | None = None,
    ) -> str:
        """A signed access token shaped like Entra's (v1: ``appid``, v2: ``azp``); ``claims`` override."""
        key, kid = self._load()
        issued = int(now if now is not None else time.time())
        subject = str(uuid.uuid5(uuid.NAMESPACE_URL, f"logicapps-emulator:{tenant}:caller"))
        client = str(uuid.uuid5(uuid.NAMESPACE_URL, "logicapps-emulator:client"))
        payload = {
            "aud": audience,
            "iss": issuer_for(tenant, issuer_style),
            "iat": issued,
            "nbf": min(issued, issued + expires_in),
            "exp": issued + expires_in,
            "tid": tenant,
            "oid": subject,
            "sub": subject,
            "idtyp": "app",
            "ver": "2.0" if issuer_style == "v2" else "1.0",
            "jti": uuid.uuid4().hex,
        }
        payload["azp" if issuer_style == "v2" else "appid"] = client
        payload.update(claims or {})
        return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})

    def verify(self, token: str, *, leeway: int = LEEWAY_SECONDS) -> dict:
        """The claims of a token signed by this store's key, with ``exp``/``nbf`` checked and an Entra
        issuer; raises ``TokenError`` otherwise. ``aud`` is left to the access policy's claims."""
        key, kid = self._load()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError(f"the token is not a well-formed JWT ({exc})") from None
        if header.get("alg") != ALGORITHM:
            raise TokenError(f"the token's algorithm '{header.get('alg')}' is not {ALGORITHM}")
        if header.get("kid") not in (None, kid):
            raise TokenError(f"the token's key id '{header.get('kid')}' is not a key of the local issuer")
        try:
            claims = jwt.decode(
                token,
                key.public_key(),
                algorithms=[ALGORITHM],
                leeway=leeway,
                options={"verify_aud": False, "verify_iat": False, "require": ["exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("the token has expired (exp)") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("the token is not valid yet (nbf)") from None
        except jwt.InvalidSignatureError:
            raise TokenError("the token's signature does not match the local issuer's key") from None
        except jwt.PyJWTError as exc:
            raise TokenError(f"the token is not valid ({exc})") from None
        if tenant_of_issuer(claims.get("iss")) is None:
            raise TokenError(f"the token's issuer '{claims.get('iss')}' is not an Entra ID issuer name")
        return claims


_ACTIVE: dict[str, KeyStore] = {}


def configure(state_dir: str | os.PathLike | None, store: SigningKeyState | None = None) -> KeyStore:
    """Make the key store of ``state_dir`` (or ``store``) the one inbound tokens are checked against (called by
    the server)."""
    store = KeyStore(state_dir, store)
    _ACTIVE["store"] = store
    return store


def active_store() -> KeyStore:
    """The configured key store, or the default state dir's (``$LOGICAPPS_EMULATOR_STATE_DIR``)."""
    if "store" not in _ACTIVE:
        _ACTIVE["store"] = KeyStore(None)
    return _ACTIVE["store"]
