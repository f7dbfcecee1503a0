"""Per Request trigger: the ways in, the checks the flow makes itself, and what a refused caller gets."""

from __future__ import annotations

from .flow import static_status
from .model import TriggerReport
from .rules.responses import outcome_without_response
from .sources import source_of


def trigger_report(facts, trigger) -> TriggerReport:
    report = TriggerReport(facts.file, facts.wf.name, trigger.name, facts.rel(trigger.path),
                           trigger.method, trigger.relative_path)
    policy = facts.access
    report.ways_in = _ways_in(facts, policy)
    report.checks = [c.to_dict() for c in facts.scheme_checks if c.trigger is trigger]
    report.checks += [c.to_dict() for c in facts.checks if c.trigger is None or c.trigger is trigger]
    report.checks += _parse_json_of_headers(facts)
    report.refused = _refused(facts, trigger, policy)
    return report


def _ways_in(facts, policy) -> list[dict]:
    ways: list[dict] = []
    if policy.sas_enabled:
        ways.append({"kind": "sas", "detail": "anyone with the callback URL (its sig) can call"})
    else:
        ways.append({"kind": "sas-disabled", "detail": "the callback URL's sig is refused"})
    for p in policy.oauth_policies:
        ways.append({"kind": "oauth", "policy": p.name, "type": p.type,
                     "claims": {name: value for name, value in p.claims}})
    if policy.power_automate is not None:
        rule = policy.power_automate
        ways.append({"kind": "power-automate", "mode": rule.mode, "tenant": rule.tenant,
                     "allowedUsers": list(rule.allowed_users)})
    elif policy.pa_mode == "All":
        ways.append({"kind": "power-automate", "mode": "All", "detail": "anyone with the URL"})
    if policy.ip_ranges is not None:
        ranges = [r.text for r in policy.ip_ranges]
        detail = "only these caller addresses" if ranges else "only other workflows"
        ways.append({"kind": "ip-rules", "ranges": ranges,
                     "detail": detail if facts.ip_restricted else "every address: no restriction"})
    for b in facts.backends:
        ways.append({"kind": "gateway", "api": b.api, "gatewayOnly": b.gateway_only,
                     "detail": "only through the gateway" if b.gateway_only else "through the gateway, and directly"})
    if policy.config_error:
        ways.append({"kind": "configuration-problem", "detail": policy.config_error + " (every call gets 500)"})
    for problem in policy.problems:
        ways.append({"kind": "configuration-problem", "detail": problem})
    return ways


def _parse_json_of_headers(facts) -> list[dict]:
    out = []
    for name, (_, node) in facts.scope.values.items():
        action = facts.wf.all_actions.get(name)
        if action is None or action.type != "ParseJson":
            continue
        source = source_of(node, facts.scope)
        if source is not None and source.kind in ("headers", "header"):
            required = (action.raw.get("inputs") or {}).get("schema", {})
            out.append({"kind": "parse-json", "path": f"{facts.rel(action.path)}.inputs.content",
                        "reads": source.label(),
                        "against": "its schema" + (" (required fields)" if isinstance(required, dict)
                                                   and required.get("required") else ""),
                        "comparison": "schema", "negated": False})
    return out


def _refused(facts, trigger, policy) -> list[dict]:
    out: list[dict] = []
    if policy.ip_ranges is not None:
        out.append({"status": 401, "code": "AuthorizationFailed", "when": "the caller's IP address is not allowed"})
    if policy.sas_enabled:
        out.append({"status": 401, "code": "DirectApiAuthorizationRequired",
                    "when": "no SAS signature (a wrong one: 401 DirectApiAuthorizationFailed)"})
    else:
        out.append({"status": 401, "code": "DirectApiAuthorizationRequired", "when": "no bearer token"})
    if policy.has_oauth:
        out.append({"status": policy.mismatch_status, "code": "MisMatchingOAuthClaims",
                    "when": "a token without the policy's claims"})
    for check in facts.scheme_checks + facts.checks:
        if check.trigger is trigger:
            out.append({"status": 202, "when": "a trigger condition is false (no run; the caller is not told)",
                        "path": check.path})
    for refusal in facts.refusals:
        name = refusal.check.action.name
        if not refusal.answers:
            status = 502 if facts.wf.has_response_action else 202
            if refusal.later:
                statuses = {static_status(r) for r in refusal.later}
                status = statuses.pop() if len(statuses) == 1 and None not in statuses else "computed"
            out.append({"status": status, "when": f"the check in '{name}' fails: "
                        + outcome_without_response(facts, refusal), "path": refusal.branch_path,
                        "leaks": not (isinstance(status, int) and 400 <= status < 500)})
        for response in refusal.answers:
            status = static_status(response)
            out.append({"status": status if status is not None else "computed",
                        "when": f"the check in '{name}' fails", "path": facts.rel(response.path),
                        "leaks": status is not None and 200 <= status < 300})
    return out
