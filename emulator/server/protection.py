"""The protection in force on each Request trigger, in plain words, with why each one matters.

Read from what the server already compiled at load (the workflow's access policy, the trigger's
conditions and options, the server's ``--auth``); served read-only by the management API at
``GET /workflows/{wf}/protection`` for the dashboard (``docs/dashboard.md``). Each item is
``{"kind", "title", "detail", "why"}`` plus ``claims`` (OAuth) or ``expression`` (conditions).
"""

from __future__ import annotations

WHY = {
    "sas": "Anyone holding the full callback URL can call the flow: the URL is the secret. Keep it out of "
           "chats, logs and source; regenerating the access key revokes every URL at once.",
    "sas-off": "A URL alone opens nothing: callers must bring what the other rules ask for.",
    "no-auth": "The server was started with --auth none: every caller who can reach the URL gets in. "
               "Azure has no such switch; use it only for local experiments.",
    "oauth": "Callers prove who they are with a token from your tenant; nothing in the URL is secret. Only the "
             "claims listed are checked, so a policy with just iss and aud admits every app of that tenant.",
    "power-automate": "Power Automate checks the caller's Entra ID token itself; the flow never sees unsigned "
                      "callers.",
    "ip": "Calls from other addresses are refused before anything runs. Without IP rules any address on the "
          "internet may try the URL.",
    "ip-none": "No direct caller may start the flow: only other workflows (nested calls) can.",
    "condition": "A false condition starts no run, yet the caller still gets 202 Accepted: a filter, not a lock. "
                 "The URL alone still calls the trigger, and the secret it compares travels in every request.",
    "schema": "Bodies that do not match the trigger's JSON schema are refused with 400 before a run starts.",
    "access-error": "The access control file could not be read: every call is refused until it is fixed.",
    "gateway-only": "The gateway's checks (keys, JWT, IP, rate limits) cannot be bypassed with the flow's own "
                    "callback URL: a direct call is refused even with a valid sig.",
}


def _item(kind: str, title: str, detail: str, why_key: str | None = None, **extra) -> dict:
    return {"kind": kind, "title": title, "detail": detail, "why": WHY[why_key or kind], **extra}


def access_items(policy, auth: str) -> list[dict]:
    """What the workflow's access control (SAS, OAuth, IP rules) and the server's ``--auth`` enforce."""
    items: list[dict] = []
    if policy is not None and policy.config_error:
        items.append(_item("access-error", "Access control unreadable", policy.config_error))
    sas_on = policy is None or policy.sas_enabled
    if auth == "none":
        items.append(_item("no-auth", "No SAS check (--auth none)", "The server does not check sig on any URL."))
    elif sas_on:
        items.append(_item("sas", "Shared Access Signature (SAS)",
                           "The callback URL carries sp, sv and sig: an HMAC of the trigger's permission "
                           "signed with the workflow's access key."))
    else:
        items.append(_item("sas-off", "SAS disabled",
                           "sasAuthenticationPolicy is Disabled: a URL with sig is refused."))
    for oauth in getattr(policy, "oauth_policies", ()) or ():
        claims = [{"name": name, "value": value} for name, value in oauth.claims]
        items.append(_item("oauth", f"OAuth policy '{oauth.name}' ({oauth.type})",
                           "A bearer token in the Authorization header carrying these claims"
                           + (":" if claims else " (none listed: any token of the issuer)."),
                           claims=claims))
    rule = getattr(policy, "power_automate", None)
    if rule is not None:
        items.append(_item("power-automate", f"Power Automate: who can trigger = {rule.mode}",
                           "An Entra ID token for the flow service, from the flow's tenant"
                           + (" and one of the allowed users." if rule.mode == "User" else ".")))
    ranges = getattr(policy, "ip_ranges", None)
    if ranges is not None:
        if ranges:
            listed = ", ".join(r.text for r in ranges)
            items.append(_item("ip", "Allowed caller IP addresses", f"Only callers from {listed}."))
        else:
            items.append(_item("ip", "Only other workflows", "allowedCallerIpAddresses is empty.", "ip-none"))
    return items


def trigger_items(trig) -> list[dict]:
    """The trigger's own checks: conditions and schema validation."""
    raw = getattr(trig.trigger, "raw", None) or {}
    items = []
    for cond in raw.get("conditions") or []:
        expression = cond.get("expression") if isinstance(cond, dict) else None
        if isinstance(expression, str):
            items.append(_item("condition", "Trigger condition",
                               "The run starts only when this is true; otherwise the call is answered "
                               "202 and no run starts.", expression=expression))
    if trig.schema is not None:
        items.append(_item("schema", "Schema validation",
                           "operationOptions EnableSchemaValidation: the body is checked against the schema."))
    return items


def describe(entry, auth: str, gateway_only: bool = False) -> dict:
    """``{"value": [{"trigger", "method", "relativePath", "protections": [...]}]}`` for one workflow;
    ``gateway_only``: the server admits only the API Management gateway's calls to it."""
    shared = access_items(entry.policy, auth)
    if gateway_only:
        shared.append(_item("gateway-only", "Gateway only",
                            "Only calls forwarded by the API Management gateway get in; any other caller gets "
                            "401 AuthorizationFailed."))
    out = []
    for trig in entry.triggers.values():
        if not trig.is_request:
            continue
        out.append({"trigger": trig.name, "method": trig.method, "relativePath": trig.path.template or None,
                    "protections": shared + trigger_items(trig)})
    return {"value": out}
