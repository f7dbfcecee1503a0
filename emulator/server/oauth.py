"""OAuth authorization policies: Logic Apps ``openAuthenticationPolicies`` and Power Automate's
"Who can trigger the flow?" (``triggerAuthenticationType`` / ``triggerAllowedUsers``), and claim matching.

Matching (Logic Apps): a token is accepted when **every** claim of **at least one** policy equals the token's
claim (the token may carry more). Comparison is exact and case-sensitive; a token claim holding an array (e.g.
``roles``) matches when one of its elements equals the policy value; numbers and booleans compare by their JSON
text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .keys_jwt import tenant_of_issuer

POLICY_TYPES = ("AAD", "AADPOP")
MAX_POLICIES, MAX_CLAIMS, MAX_CLAIM_LENGTH = 5, 10, 150
ISSUER_PREFIXES = ("https://sts.windows.net/", "https://login.microsoftonline.com/")
# The portal's names for the standard claims, as they may appear when copied by hand.
CLAIM_ALIASES = {"issuer": "iss", "audience": "aud", "subject": "sub", "jwt id": "jti", "jwtid": "jti"}

# Power Automate flow service audiences (public, GCC, GCC High, China, DoD); the trailing slash matters.
PA_AUDIENCES = (
    "https://service.flow.microsoft.com/",
    "https://gov.service.flow.microsoft.us/",
    "https://high.service.flow.microsoft.us/",
    "https://service.powerautomate.cn/",
    "https://service.flow.appsplatform.us/",
)
PA_MODES = {"all": "All", "anyone": "All", "tenant": "Tenant", "user": "User", "specificusers": "User"}
_USER_CLAIMS = ("upn", "email", "preferred_username", "unique_name")


@dataclass(frozen=True)
class OAuthPolicy:
    name: str
    type: str
    claims: tuple[tuple[str, str], ...]

    def matches(self, token_claims: dict) -> bool:
        return all(claim_matches(token_claims.get(name), value) for name, value in self.claims)


def claim_matches(token_value, expected: str) -> bool:
    if token_value is None:
        return False
    if isinstance(token_value, list):
        return any(claim_matches(item, expected) for item in token_value)
    if isinstance(token_value, str):
        return token_value == expected
    return json.dumps(token_value) == expected


def parse_policies(open_auth, problems: list[str]) -> list[OAuthPolicy]:
    """``triggers.openAuthenticationPolicies`` -> valid policies; what ARM would reject goes to ``problems``
    and (for a wrong type or a missing issuer) the policy is left out, so it never admits a caller."""
    if open_auth is None:
        return []
    raw = open_auth.get("policies") if isinstance(open_auth, dict) else None
    if not isinstance(raw, dict):
        problems.append(
            "openAuthenticationPolicies must hold an object 'policies' mapping names to policies."
        )
        return []
    if len(raw) > MAX_POLICIES:
        problems.append(f"{len(raw)} OAuth policies exceed the limit of {MAX_POLICIES} per logic app.")
    policies = []
    for name, body in raw.items():
        policy = _parse_policy(str(name), body, problems)
        if policy is not None:
            policies.append(policy)
    return policies


def _parse_policy(name: str, body, problems: list[str]) -> OAuthPolicy | None:
    prefix = f"OAuth authentication policy '{name}' in access control configuration of workflow is not valid."
    if not isinstance(body, dict):
        problems.append(f"{prefix} A policy must be an object with 'type' and 'claims'.")
        return None
    ptype = str(body.get("type") or "AAD").upper()
    if ptype not in POLICY_TYPES:
        problems.append(f"{prefix} The 'type' property of authentication policy should be set to AAD.")
        return None
    claims = []
    for item in body.get("claims") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or "value" not in item:
            problems.append(
                f"{prefix} Each claim needs a string 'name' and a 'value' (got {json.dumps(item)})."
            )
            continue
        value = item["value"]
        if not isinstance(value, str):
            problems.append(f"{prefix} The claim '{item['name']}' must have one string value.")
            value = json.dumps(value)
        if len(value) > MAX_CLAIM_LENGTH:
            problems.append(
                f"{prefix} The provided claims value '{item['name']}' have a length of '{len(value)}' "
                f"respectively which exceeds the maximum limit of '{MAX_CLAIM_LENGTH}'."
            )
        cname = item["name"].strip()
        claims.append((CLAIM_ALIASES.get(cname.lower(), cname), value))
    if len(claims) > MAX_CLAIMS:
        problems.append(f"{prefix} {len(claims)} claims exceed the limit of {MAX_CLAIMS} per policy.")
    issuers = [v for n, v in claims if n == "iss"]
    if not issuers or not any(v.startswith(ISSUER_PREFIXES) for v in issuers):
        problems.append(
            f"{prefix} It must contain an issuer claim ('iss') starting with "
            f"'{ISSUER_PREFIXES[0]}' or '{ISSUER_PREFIXES[1]}'."
        )
        return None
    return OAuthPolicy(name, ptype, tuple(claims))


@dataclass(frozen=True)
class PowerAutomateRule:
    """ "Any user in my tenant" (``Tenant``) or "Specific users in my tenant" (``User``)."""

    mode: str
    tenant: str | None = None
    allowed_users: tuple[str, ...] = field(default_factory=tuple)

    def matches(self, claims: dict) -> bool:
        if claims.get("aud") not in PA_AUDIENCES:
            return False
        tid = claims.get("tid")
        if not isinstance(tid, str) or tenant_of_issuer(claims.get("iss")) != tid:
            return False
        if self.tenant is not None and tid.lower() != self.tenant.lower():
            return False
        if self.mode != "User" or not self.allowed_users:  # a blank list means the whole tenant
            return True
        ids = {str(claims.get("oid") or "").lower()}
        ids.update(str(claims.get(name) or "").lower() for name in _USER_CLAIMS)
        ids.discard("")
        return any(user.lower() in ids for user in self.allowed_users)


def parse_allowed_users(value) -> tuple[str, ...]:
    """``triggerAllowedUsers``: a string of ids/emails separated by commas, semicolons or spaces (or a list)."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value))
    return tuple(str(item).strip() for item in items if str(item).strip())


def pa_mode(value) -> str | None:
    """Normalise ``triggerAuthenticationType`` to ``All`` / ``Tenant`` / ``User`` (None when unknown)."""
    if not isinstance(value, str):
        return None
    return PA_MODES.get(value.replace(" ", "").lower())
