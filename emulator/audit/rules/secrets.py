"""Secrets in the definition: typed in as literals, or kept where the run history shows them."""

from __future__ import annotations

import re

from ..sources import names_a_secret, returned_sources
from ..tree import Call, key_path, walk
from . import Hit, rule

SECURE_TYPES = ("securestring", "secureobject")
# parameter names that say "secret" on their own (a bare "key" is too common: partitionKey, keyVaultName)
_SECRET_NAME = re.compile(r"token|secret|passw|pwd|apikey|api_key|api-key|accesskey|sharedkey|clientkey|"
                          r"signature|credential|sas_?key|subscriptionkey|privatekey|connectionstring", re.I)
# inputs an action shows in its run history entry; control actions and Response are judged elsewhere
_NOT_HISTORY = {"If", "Switch", "Scope", "Foreach", "Until", "Terminate", "Response"}
_CARRIES_OUTPUTS = {"ParseJson", "Compose", "InitializeVariable", "SetVariable", "Select", "Query"}


@rule("hardcoded-secret", "high", "Secret typed into the definition",
      """A caller's header, query parameter, path parameter or body field is compared with a literal in a
      trigger condition, Condition or Switch. The secret is in the definition for everyone who can read it
      (source control, exports, the designer, the run history) and cannot be rotated without a redeploy.""",
      "Compare with a SecureString parameter (or an app setting / Key Vault secret) instead of a literal, and "
      "rotate the exposed value.")
def hardcoded_secret(facts):
    for check in facts.checks:
        other = check.comparison.other
        if other is not None and other.typed_in:
            where = {"trigger-condition": "a trigger condition", "condition": f"the condition '{_name(check)}'",
                     "switch": f"a case of the Switch '{_name(check)}'",
                     "expression": f"an expression of '{_name(check)}'"}[check.place]
            what = "a literal" if other.kind == "literal" else "a list of literals"
            yield Hit(check.path, f"{check.comparison.source.label().capitalize()} is compared with {what} "
                      f"in {where}: the secret is written in the definition.",
                      trigger=facts.trigger_label(check.trigger))


@rule("secret-not-securestring", "medium", "Secret visible in the run history",
      """A parameter used as a secret is not of type SecureString/SecureObject, or an action reads a secret
      (the checked token, an app setting or Key Vault secret) without secure inputs/outputs, so the value
      shows in the run history.""",
      "Declare the parameter as SecureString, and set runtimeConfiguration.secureData.properties to "
      "[\"inputs\", \"outputs\"] on actions that read the secret.")
def secret_not_securestring(facts):
    params = facts.scope.parameters
    flagged = set()
    for name in _secret_parameters(facts):
        spec = params.get(name)
        if isinstance(spec, dict) and str(spec.get("type", "")).lower() not in SECURE_TYPES and name not in flagged:
            flagged.add(name)
            yield Hit(key_path("parameters", name), f"The parameter '{name}' is used as a secret but its type is "
                      f"'{spec.get('type')}': its value shows in the definition's parameters and the run history.",
                      fix=f"Give the parameter '{name}' the type SecureString (SecureObject for an object).")
    for action in facts.wf.all_actions.values():
        if action.type in _NOT_HISTORY:
            continue
        if action.name in facts.scope.keyvault:
            if not action.secure_outputs:
                yield Hit(facts.rel(action.path), f"The action '{action.name}' gets a Key Vault secret without "
                          "secure outputs: the secret shows in the run history.",
                          fix=f"Set runtimeConfiguration.secureData.properties to [\"outputs\"] on '{action.name}'.")
            continue
        what = _secret_read(facts, action)
        if what is None:
            continue
        needs_outputs = action.type in _CARRIES_OUTPUTS
        if action.secure_inputs and (action.secure_outputs or not needs_outputs):
            continue
        hidden = "inputs and outputs" if needs_outputs else "inputs"
        yield Hit(facts.rel(action.path), f"The action '{action.name}' reads {what} without secure {hidden}: "
                  "the value shows in the run history.",
                  fix=f"Set runtimeConfiguration.secureData.properties to {_json_list(needs_outputs)} on "
                  f"'{action.name}'.")


def _name(check) -> str:
    return check.action.name if check.action is not None else ""


def _json_list(both: bool) -> str:
    return '["inputs", "outputs"]' if both else '["inputs"]'


def _secret_parameters(facts):
    """Parameters compared with a caller's token, or named as secrets and read by the flow."""
    for check in facts.checks:
        other = check.comparison.other
        if other is not None and other.kind in ("parameter", "list") and other.name:
            yield other.name
    used = set()
    for part in ("triggers", "actions"):
        for _, node in facts.expressions(facts.definition.get(part) or {}, facts.loader_path(part)):
            used.update(sub.arg_text(0) for sub in walk(node)
                        if isinstance(sub, Call) and sub.name == "parameters" and sub.arg_text(0))
    yield from sorted(n for n in used if _SECRET_NAME.search(n) and names_a_secret(n))


def _secret_read(facts, action) -> str | None:
    """What secret the action's inputs read (a description), or None."""
    for _, node in facts.action_inputs(action):
        for source in returned_sources(node, facts.scope):
            if any(source.covers(c) for c in facts.checked):
                return f"the caller's token ({source.label()})"
        for sub in walk(node):
            if not isinstance(sub, Call):
                continue
            name = sub.arg_text(0)
            if sub.name == "appsetting" and name and ((_SECRET_NAME.search(name) and names_a_secret(name))
                                                      or _checked_setting(facts, name)):
                return f"the app setting '{name}'"
            if sub.name in ("body", "outputs") and name in facts.scope.keyvault:
                return f"the Key Vault secret from '{name}'"
    return None


def _checked_setting(facts, name: str) -> bool:
    return any(c.comparison.other is not None and c.comparison.other.kind == "appsetting"
               and c.comparison.other.name == name for c in facts.checks)
