"""Who may call a Request trigger: SAS, Entra ID (OAuth) policies, Power Automate modes and IP allow-lists.

Where the access control comes from (first found wins):
1. ``workflow.access_control`` as loaded with the workflow (ARM resource / code view ``properties.accessControl``);
2. a sidecar file beside the flow, ``<flow>.access.json`` (for ``flows/x.json``: ``flows/x.access.json``; for a
   Standard project ``wf/workflow.json``: ``wf/workflow.access.json``), holding the same shape as
   ``properties.accessControl`` either bare (``{"triggers": {...}}``), under ``"accessControl"`` or under
   ``"properties": {"accessControl": ...}``; an optional top-level ``"tenantId"`` names the home tenant of a
   Power Automate flow for its "Tenant"/"User" modes.
Power Automate modes come from the Request trigger's ``inputs.triggerAuthenticationType`` /
``inputs.triggerAllowedUsers``. See docs/access-control.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import jwt

from . import keys_jwt
from .errors import HttpError
from .ipfilter import AddressRange, in_ranges, parse_range
from .ipfilter import client_ip as client_ip  # re-exported: part of the access API
from .oauth import OAuthPolicy, PowerAutomateRule, pa_mode, parse_allowed_users, parse_policies

DETAIL_HEADER = "x-ms-emulator-auth-detail"
SIDECAR_SUFFIX = ".access.json"

MSG_AUTH_REQUIRED = "The request must be authenticated only by Shared Access scheme."
MSG_MORE_THAN_ONE = (
    "The request has SAS authentication scheme, '{scheme}' authorization scheme or internal token scheme. "
    "Only one scheme should be used."
)
MSG_SAS_DISABLED = (
    "The request has SAS authentication scheme while it is disabled under your access control policy."
)
MSG_BAD_SCHEME = (  # emulator wording: the host's text for this case was not captured
    "The request has '{scheme}' authorization scheme which is not supported. "
    "Only 'Bearer' authorization scheme is supported."
)
MSG_NO_POLICY = (  # emulator wording: the host's text for this case was not captured
    "The request has '{scheme}' authorization scheme but there is no open authentication access control "
    "policy defined for the workflow."
)
MSG_MISMATCH = (
    "One or more claims either missing or does not match with the open authentication access control policy."
)
MSG_IP = (
    "The client IP address '{ip}' is not in the allowed caller IP address ranges specified in the workflow "
    "access control configuration."
)


@dataclass
class AccessPolicy:
    """The access control of one workflow, built once when it is loaded. Default: SAS only, any IP."""

    oauth_policies: tuple[OAuthPolicy, ...] = ()
    power_automate: PowerAutomateRule | None = None
    pa_mode: str | None = None  # "All" | "Tenant" | "User" (Power Automate "Who can trigger the flow?")
    sas_enabled: bool = True
    ip_ranges: tuple[AddressRange, ...] | None = None  # None: any caller; (): only other workflows
    flavor: str | None = None
    source: str | None = None  # where the configuration was read from
    problems: list[str] = field(default_factory=list)  # what the cloud would reject at deployment
    config_error: str | None = None  # an unreadable sidecar: every call is refused (fail closed)

    @property
    def has_oauth(self) -> bool:
        return bool(self.oauth_policies) or self.power_automate is not None

    @property
    def sas_alone(self) -> bool:
        """A call without an ``Authorization`` header is checked by its SAS signature alone (no IP list, no
        configuration error, SAS not disabled): :func:`authorize` would only call ``sas_check()``."""
        return not self.config_error and self.ip_ranges is None and self.sas_enabled

    @property
    def mismatch_status(self) -> int:
        """401 for Logic Apps, 403 for Power Automate (both reported for MisMatchingOAuthClaims)."""
        return 403 if self.flavor == "power-automate" or self.pa_mode is not None else 401

    @classmethod
    def from_workflow(cls, workflow) -> AccessPolicy:
        problems: list[str] = []
        config, source, error, tenant = workflow.access_control, "workflow", None, None
        if config is None:
            config, source, error = _read_sidecar(workflow)
        if isinstance(config, dict):
            tenant = config.get("tenantId")
            config = _unwrap(config)
        policy = cls.from_access_control(
            config, flavor=workflow.flavor, source=source, tenant=tenant, problems=problems
        )
        policy.config_error = error
        _apply_power_automate(policy, workflow, tenant)
        return policy

    @classmethod
    def from_access_control(cls, access_control, *, flavor=None, source=None, tenant=None, problems=None):
        """Build from a ``properties.accessControl`` object (or None)."""
        policy = cls(
            flavor=flavor,
            source=source if access_control is not None else None,
            problems=problems if problems is not None else [],
        )
        triggers = (access_control or {}).get("triggers") if isinstance(access_control, dict) else None
        if access_control is not None and not isinstance(access_control, dict):
            policy.problems.append("accessControl must be a JSON object.")
        if not isinstance(triggers, dict):
            return policy
        policy.oauth_policies = tuple(
            parse_policies(triggers.get("openAuthenticationPolicies"), policy.problems)
        )
        sas_policy = triggers.get("sasAuthenticationPolicy")
        state = sas_policy.get("state") if isinstance(sas_policy, dict) else None
        policy.sas_enabled = not (isinstance(state, str) and state.lower() == "disabled")
        if "allowedCallerIpAddresses" in triggers:
            policy.ip_ranges = _parse_ip_list(triggers["allowedCallerIpAddresses"], policy.problems)
        return policy


def _unwrap(config: dict):
    if isinstance(config.get("properties"), dict) and "accessControl" in config["properties"]:
        return config["properties"]["accessControl"]
    if "accessControl" in config:
        return config["accessControl"]
    return config


def _sidecar_paths(workflow) -> list[Path]:
    if workflow.source is None:
        return []
    source = Path(workflow.source)
    name = workflow.name
    if source.is_dir():
        candidates = [source / f"workflow{SIDECAR_SUFFIX}"]
        if name:
            candidates.append(source.parent / f"{name}{SIDECAR_SUFFIX}")
    else:
        candidates = [source.with_name(source.stem + SIDECAR_SUFFIX)]
        if name:
            candidates.append(source.with_name(f"{name}{SIDECAR_SUFFIX}"))
    return list(dict.fromkeys(candidates))


def _read_sidecar(workflow):
    for path in _sidecar_paths(workflow):
        if path.is_file():
            try:
                return json.loads(path.read_text(encoding="utf-8-sig")), str(path), None
            except (OSError, ValueError) as exc:
                return None, str(path), f"The access control file '{path}' could not be read: {exc}"
    return None, None, None


def _parse_ip_list(items, problems: list[str]) -> tuple[AddressRange, ...]:
    """Unparsable entries are reported and admit nobody (the list fails closed)."""
    if not isinstance(items, list):
        problems.append('allowedCallerIpAddresses must be an array of {"addressRange": ...} objects.')
        return ()
    ranges = []
    for item in items:
        text = item.get("addressRange") if isinstance(item, dict) else item
        try:
            ranges.append(parse_range(text))
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
    return tuple(ranges)


def _apply_power_automate(policy: AccessPolicy, workflow, tenant) -> None:
    for trigger in _request_triggers(workflow):
        inputs = trigger.get("inputs") if isinstance(trigger.get("inputs"), dict) else {}
        if "triggerAuthenticationType" not in inputs:
            continue
        mode = pa_mode(inputs.get("triggerAuthenticationType"))
        if mode is None:
            policy.problems.append(
                f"triggerAuthenticationType '{inputs.get('triggerAuthenticationType')}' is not one of "
                "'All', 'Tenant', 'User'; the flow is treated as 'Tenant'."
            )
            mode = "Tenant"
        policy.pa_mode = mode
        if mode != "All":
            users = parse_allowed_users(inputs.get("triggerAllowedUsers")) if mode == "User" else ()
            policy.power_automate = PowerAutomateRule(
                mode, tenant if isinstance(tenant, str) else None, users
            )
            policy.sas_enabled = False  # OAuth flows have no SAS URL
        return


def _request_triggers(workflow) -> list[dict]:
    raw = [t.raw for t in workflow.triggers.values()]
    return [t for t in raw if isinstance(t, dict) and str(t.get("type", "")).lower() == "request"]


# -- the check ----------------------------------------------------------------------------------------


def authorize(policy, *, method, headers, query, client_ip, sas_check, keys=None) -> HttpError | None:
    """The error to answer with, or None when the caller may run the trigger.

    Order: configuration error; caller IP; SAS together with an ``Authorization`` header; the header's scheme;
    the OAuth policies (token signature, ``exp``/``nbf``, issuer, claims); SAS (disabled, or ``sas_check()``).
    ``method`` is accepted for the contract and not used: no check depends on it. ``client_ip`` may be a
    callable that works the address out (only called when the policy has an IP allow-list).
    """
    policy = policy or _OPEN
    if policy.config_error:
        return HttpError(500, "InvalidAccessControlConfiguration", policy.config_error)
    if policy.ip_ranges is not None:
        if callable(client_ip):
            client_ip = client_ip()
        if not in_ranges(client_ip or "", policy.ip_ranges):
            status = 401  # spec §4 [Inf]: 401 (the documented status for "only other Logic Apps")
            return HttpError(status, "AuthorizationFailed", MSG_IP.format(ip=client_ip))
    authorization = (_first_header(headers, "authorization") or "").strip()
    query = query or {}
    has_sig = "sig" in query or any(str(k).lower() == "sig" for k in query)
    scheme, _, token = authorization.partition(" ")
    if has_sig and authorization:  # 401 observed for Consumption/PA, BadRequest in a Standard log
        status = 400 if policy.flavor == "standard" else 401
        return HttpError(
            status, "DirectApiRequestHasMoreThanOneAuthorization", MSG_MORE_THAN_ONE.format(scheme=scheme)
        )
    if authorization:
        return _check_token(policy, scheme, token.strip(), keys or keys_jwt.active_store())
    if has_sig and not policy.sas_enabled:
        return HttpError(401, "DirectApiInvalidAuthorizationScheme", MSG_SAS_DISABLED)
    if not policy.sas_enabled:  # neither scheme, and SAS is off: same message as the SAS-only case
        return HttpError(401, "DirectApiAuthorizationRequired", MSG_AUTH_REQUIRED)
    return sas_check()


_OPEN = AccessPolicy()


def _check_token(policy: AccessPolicy, scheme: str, token: str, keys) -> HttpError | None:
    kind = scheme.lower()
    pop_allowed = any(p.type == "AADPOP" for p in policy.oauth_policies)
    if kind not in ("bearer", "pop") or (kind == "pop" and not pop_allowed):
        return HttpError(401, "DirectApiInvalidAuthorizationScheme", MSG_BAD_SCHEME.format(scheme=scheme))
    wanted = "AADPOP" if kind == "pop" else "AAD"
    candidates = [p for p in policy.oauth_policies if p.type == wanted]
    rule = policy.power_automate if kind == "bearer" else None
    if not candidates and rule is None:
        return HttpError(401, "OAuthAccessPolicyNotFound", MSG_NO_POLICY.format(scheme=scheme))
    if kind == "pop":
        token = _pop_access_token(token)
    try:
        claims = keys.verify(token)
    except keys_jwt.TokenError as exc:
        return _mismatch(policy, str(exc))
    if any(p.matches(claims) for p in candidates) or (rule is not None and rule.matches(claims)):
        return None
    return _mismatch(policy, "no policy has all of its claims in the token")


def _pop_access_token(token: str) -> str:
    """A PoP signed HTTP request carries the access token in its ``at`` claim; the PoP proof itself is not
    checked (the host was reported not to enforce AADPOP policies either)."""
    try:
        inner = jwt.decode(token, options={"verify_signature": False}).get("at")
    except jwt.PyJWTError:
        return token
    return inner if isinstance(inner, str) else token


def _mismatch(policy: AccessPolicy, detail: str) -> HttpError:
    return HttpError(policy.mismatch_status, "MisMatchingOAuthClaims", MSG_MISMATCH, {DETAIL_HEADER: detail})


def _first_header(headers, name: str):
    if headers is None:
        return None
    get = getattr(headers, "getone", None)
    if get is not None:
        return get(name, None)
    for key, value in headers.items():
        if str(key).lower() == name:
            return value
    return None
