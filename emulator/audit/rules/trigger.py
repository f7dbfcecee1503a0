"""The Request trigger's own settings: what protects it, what it keeps in its outputs, what it validates."""

from __future__ import annotations

from ..sources import sources_in
from ..tree import Call, walk
from . import Hit, rule

_NOT_PASSING = {"If", "Switch", "Scope", "Foreach", "Until", "Terminate", "Response"}


@rule("sas-only", "info", "Only the SAS URL protects the trigger",
      """Nothing but the SAS signature in the callback URL protects the trigger: no OAuth policy with SAS
      disabled, no caller IP restriction, no gateway lock-down and no token check in the flow. Anyone who
      gets the URL (a log, a browser history, a forwarded message) can call the flow until the key is
      regenerated.""",
      "Add an Entra ID (OAuth) policy and disable SAS, restrict allowedCallerIpAddresses, put the flow behind "
      "the gateway with gatewayOnly, or check a token held in a SecureString parameter.")
def sas_only(facts):
    policy = facts.access
    if not policy.sas_enabled or facts.ip_restricted or facts.checks:
        return
    if any(b.gateway_only for b in facts.backends):
        return
    for trigger in facts.request_triggers:
        if any(c.trigger is trigger for c in facts.scheme_checks) and policy.has_oauth:
            continue
        extra = (" The OAuth policy does not change that: SAS is still enabled, so the URL alone gets in."
                 if policy.has_oauth else "")
        yield Hit(facts.rel(trigger.path), f"Only the SAS URL protects the trigger '{trigger.name}': anyone "
                  f"with the URL can call it.{extra}", trigger=trigger.name)


@rule("authorization-header-in-outputs", "medium", "Authorization header kept in the trigger outputs",
      """The trigger has operationOptions IncludeAuthorizationHeadersInOutputs without secure outputs: the
      caller's bearer token is stored in the trigger outputs and shown in the run history to everyone who can
      read runs.""",
      "Set runtimeConfiguration.secureData.properties to [\"outputs\"] on the trigger, or drop the option if "
      "the flow does not read the token.")
def authorization_header_in_outputs(facts):
    for trigger in facts.request_triggers:
        if "includeauthorizationheadersinoutputs" not in trigger.operation_options:
            continue
        secure = ((trigger.runtime_configuration or {}).get("secureData") or {}).get("properties") or []
        if "outputs" in secure:
            continue
        yield Hit(f"{facts.rel(trigger.path)}.operationOptions", f"The trigger '{trigger.name}' keeps the "
                  "Authorization header in its outputs without secure outputs: bearer tokens show in the run "
                  "history.", trigger=trigger.name)


@rule("schema-validation-off", "low", "Request body passed on without schema validation",
      """The flow passes fields of the request body to actions, but the trigger does not have operationOptions
      EnableSchemaValidation: a body of any shape reaches them (missing fields become nulls, wrong types and
      extra fields go through).""",
      "Give the trigger a JSON schema of the body and set operationOptions to EnableSchemaValidation (the "
      "caller then gets 400 for a body that does not match).")
def schema_validation_off(facts):
    for trigger in facts.request_triggers:
        if "enableschemavalidation" in trigger.operation_options:
            continue
        user = _first_body_user(facts)
        if user is None:
            return
        schema = "" if trigger.schema else " The trigger has no schema either."
        yield Hit(facts.rel(trigger.path), f"The trigger '{trigger.name}' does not validate the body, and "
                  f"'{user}' uses body fields.{schema}", trigger=trigger.name)


def _first_body_user(facts) -> str | None:
    for action in facts.wf.all_actions.values():
        if action.type == "Foreach" and _uses_items(facts, action):  # the loop hands the body's items on
            nodes = [n for _, n in facts.expressions(action.raw.get("foreach"), f"{action.path}.foreach")]
        elif action.type in _NOT_PASSING:
            continue
        else:
            nodes = [n for _, n in facts.action_inputs(action)]
        if any(s.kind in ("body", "trigger") for node in nodes for s in sources_in(node, facts.scope)):
            return action.name
    return None


def _uses_items(facts, loop) -> bool:
    """An action inside ``loop`` (not a control action) reads its current item: ``item()``, ``items('<loop>')``."""
    stack = list(loop.children())
    while stack:
        action = stack.pop()
        stack.extend(action.children())
        if action.type in _NOT_PASSING:
            continue
        for _, node in facts.action_inputs(action):
            if any(isinstance(n, Call) and (n.name == "item" or (n.name == "items" and n.arg_text(0) == loop.name))
                   for n in walk(node)):
                return True
    return False
