"""What the audit knows about one loaded workflow: its request triggers, the names its expressions can
reach (:class:`~.sources.Scope`), every string of its definition as expression trees, and the token checks
it makes itself (trigger conditions, If/Condition actions, Switch cases).

Paths are JSON paths relative to the workflow definition, spelled as the loader spells them
(``triggers.manual.conditions[0].expression``, ``actions.Check_token.else.actions.Unauthorized``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..definitions import Action, Trigger, Workflow
from .sources import (
    Comparison,
    Scope,
    Source,
    comparisons,
    is_scheme_check,
    is_token_check,
    secret_like,
    secret_of,
    source_of,
)
from .tree import Call, Lit, as_node, expressions_in, key_path, strings

KEYVAULT_MARKERS = ("keyvault", "key_vault", "key-vault")


@dataclass
class Check:
    """A token check the flow makes itself."""

    path: str                   # the condition / case value, relative to the definition
    place: str                  # "trigger-condition" | "condition" | "switch" | "expression" (in action inputs)
    comparison: Comparison
    trigger: Trigger | None = None
    action: Action | None = None

    def to_dict(self) -> dict:
        cmp = self.comparison
        return {"kind": self.place, "path": self.path, "reads": cmp.source.label(),
                "against": cmp.other.label() if cmp.other else "an expression",
                "comparison": cmp.op, "negated": cmp.negated}


@dataclass
class Refusal:
    """Where a caller goes when an in-flow token check fails."""

    check: Check
    branch_path: str            # the failing branch: actions.A.else, actions.A.actions (negated), actions.S.default
    answers: list               # the Response actions in that branch
    later: list                 # Responses in what runs after the check (the answer when the branch has none)


class FlowFacts:
    def __init__(self, wf: Workflow, access, backends=()):
        self.wf = wf
        self.access = access             # the workflow's access policy (see runner.audit_paths)
        self.backends = list(backends)   # gateway APIs whose backend is this workflow (see .gateway)
        self.file = str(wf.source)
        self.definition = wf.definition if isinstance(wf.definition, dict) else {}
        self._prefix = wf.json_path
        self.request_triggers = wf.request_triggers()
        self.trigger_name = self.request_triggers[0].name if self.request_triggers else ""
        self.scope = self._scope()

    @property
    def ip_restricted(self) -> bool:
        """Caller IP rules that keep someone out: an empty list (only other workflows) or ranges that do not
        cover every address (``0.0.0.0/0``, ``0.0.0.0-255.255.255.255`` and ``::/0`` restrict nothing)."""
        ranges = self.access.ip_ranges
        return ranges is not None and not any(_covers_everything(r) for r in ranges)

    @cached_property
    def scheme_checks(self) -> list[Check]:
        """Trigger conditions that only admit a scheme (``startsWith(...['Authorization'], 'Bearer')``): the
        documented way to refuse SAS callers when an OAuth policy is set."""
        return [Check(path, "scheme-check", c, trigger=trigger)
                for trigger, path, c in self._condition_comparisons() if is_scheme_check(c)]

    def _condition_comparisons(self):
        """``(trigger, relative_path, comparison)`` for every comparison in a Request trigger's conditions."""
        for trigger in self.request_triggers:
            for i, cond in enumerate(trigger.raw.get("conditions") or []):
                if isinstance(cond, dict) and isinstance(cond.get("expression"), str):
                    path = f"{self.rel(trigger.path)}.conditions[{i}].expression"
                    for node in expressions_in(cond["expression"]):
                        for c in comparisons(node, self.scope):
                            yield trigger, path, c

    # -- paths -------------------------------------------------------------------------------------
    def rel(self, path: str) -> str:
        """A loader path (``$.definition.actions.X``) relative to the definition (``actions.X``)."""
        prefix = self._prefix
        if path == prefix:
            return ""
        if path.startswith(prefix):
            rest = path[len(prefix):]
            return rest[1:] if rest.startswith(".") else rest
        return path

    def loader_path(self, key: str) -> str:
        """The loader's path of a top-level part of the definition (``$.definition.actions``)."""
        return key_path(self._prefix, key)

    def expressions(self, value, path: str):
        """``(relative_path, node)`` for every expression in a JSON value found at the loader path ``path``."""
        for sub_path, text in strings(value, self.rel(path)):
            for node in expressions_in(text):
                if isinstance(node, Call):
                    yield sub_path, node

    # -- names -------------------------------------------------------------------------------------
    def _scope(self) -> Scope:
        values, variables, keyvault = {}, {}, set()
        for action in self.wf.all_actions.values():
            inputs = action.raw.get("inputs")
            if action.type == "ParseJson" and isinstance(inputs, dict):
                node = as_node(inputs.get("content"))
                if isinstance(node, Call):
                    values[action.name] = ("body", node)
            elif action.type == "Compose" and isinstance(inputs, str):
                node = as_node(inputs)
                if isinstance(node, Call):
                    values[action.name] = ("outputs", node)
            elif action.type in ("InitializeVariable", "SetVariable") and isinstance(inputs, dict):
                specs = inputs.get("variables") if action.type == "InitializeVariable" else [inputs]
                for spec in specs if isinstance(specs, list) else []:
                    if isinstance(spec, dict) and isinstance(spec.get("name"), str):
                        node = as_node(spec.get("value"))
                        if isinstance(node, Call):
                            variables.setdefault(spec["name"], node)
            if _reads_keyvault_secret(action):
                keyvault.add(action.name)
        params = self.definition.get("parameters") if isinstance(self.definition.get("parameters"), dict) else {}
        return Scope(self.wf.triggers, values, variables, keyvault, params)

    # -- the flow's own checks ---------------------------------------------------------------------
    @cached_property
    def checks(self) -> list[Check]:
        found = [Check(path, "trigger-condition", c, trigger=trigger)
                 for trigger, path, c in self._condition_comparisons() if is_token_check(c)]
        for action in self.wf.all_actions.values():
            if action.type == "If" and "expression" in action.raw:
                path = f"{self.rel(action.path)}.expression"
                node = designer_node(action.raw["expression"])
                found += [Check(path, "condition", c, action=action)
                          for c in comparisons(node, self.scope) if is_token_check(c)]
            elif action.type == "Switch":
                found += self._switch_checks(action)
            else:  # a check written inline: "statusCode": "@if(equals(<header>, <secret>), 200, 401)"
                found += [Check(path, "expression", c, action=action)
                          for path, node in self.action_inputs(action)
                          for c in comparisons(node, self.scope) if is_token_check(c)]
        return found

    def _switch_checks(self, action: Action) -> list[Check]:
        source = source_of(as_node(action.raw.get("expression")), self.scope)
        cases = action.raw.get("cases")
        if source is None or not source.specific or not isinstance(cases, dict):
            return []
        out = []
        for name, case in cases.items():
            if isinstance(case, dict) and "case" in case:
                value = case["case"]
                other = secret_of(Lit(value), self.scope)
                cmp = Comparison("equals", source, other, False, False)
                if other is not None and is_token_check(cmp):
                    out.append(Check(f"{key_path(self.rel(action.path) + '.cases', name)}.case", "switch", cmp,
                                     action=action))
        return out

    @cached_property
    def checked(self) -> list[Source]:
        """The caller values the flow checks as tokens."""
        out: list[Source] = []
        for check in self.checks:
            if not any(check.comparison.source.same_value(s) for s in out):
                out.append(check.comparison.source)
        return out

    def holds_token(self, source: Source) -> bool:
        """``source`` carries a checked token, or a credential-named caller value."""
        if any(source.covers(c) for c in self.checked):
            return True
        return source.specific and secret_like(source.key)

    @cached_property
    def refusals(self) -> list[Refusal]:
        """One per If/Switch that checks a token (its first check decides the polarity)."""
        out, seen = [], set()
        for check in self.checks:
            action = check.action
            if check.place not in ("condition", "switch") or action.name in seen:
                continue
            seen.add(action.name)
            key = "default" if check.place == "switch" else ("actions" if check.comparison.negated else "else")
            later = [r for a in self._runs_after(action) for r in responses_in([a])]
            out.append(Refusal(check, f"{self.rel(action.path)}.{key}", responses_in(action.branches.get(key)),
                               later))
        return out

    def _runs_after(self, action: Action) -> list[Action]:
        """Actions of the same list that run after ``action``, directly or through others."""
        if action.parent is None:
            branch = self.wf.actions
        else:
            branch = next((b for b in action.parent.branches.values() if action.name in b.actions), None)
        if branch is None:
            return []
        after, names = [], {action.name}
        changed = True
        while changed:
            changed = False
            for a in branch:
                if a.name not in names and any(dep in names for dep in a.run_after):
                    names.add(a.name)
                    after.append(a)
                    changed = True
        return after

    def action_inputs(self, action: Action):
        """``(relative_path, node)`` for every expression in an action's ``inputs``."""
        if "inputs" in action.raw:
            yield from self.expressions(action.raw["inputs"], f"{action.path}.inputs")

    def trigger_label(self, trigger: Trigger | None = None) -> str:
        return trigger.name if trigger is not None else self.trigger_name


def designer_node(raw):
    """An If ``expression``, in either form, as one node: the designer's ``{"and": [{"equals": [a, b]}]}``
    becomes ``and(equals(a, b))``."""
    if isinstance(raw, dict) and len(raw) == 1:
        (op, operand), = raw.items()
        key = str(op).lower()
        if key in ("and", "or"):
            items = operand if isinstance(operand, list) else [operand]
            return Call(key, tuple(designer_node(x) for x in items))
        if key == "not":
            return Call("not", (designer_node(operand),))
        args = operand if isinstance(operand, list) else [operand]
        return Call(key, tuple(as_node(a) or Lit(None) for a in args))
    if isinstance(raw, str):
        nodes = expressions_in(raw)
        return nodes[0] if len(nodes) == 1 else Lit(None)
    return Lit(raw)


def _reads_keyvault_secret(action: Action) -> bool:
    inputs = action.raw.get("inputs")
    if not isinstance(inputs, dict):
        return False
    if action.type == "ServiceProvider":
        config = inputs.get("serviceProviderConfiguration") or {}
        provider = str(config.get("serviceProviderId", "")).lower() if isinstance(config, dict) else ""
        operation = str(config.get("operationId", "")).lower() if isinstance(config, dict) else ""
        return any(m in provider for m in KEYVAULT_MARKERS) and "secret" in operation
    if action.type == "ApiConnection":
        text = str(inputs.get("host", "")).lower()
        path = str(inputs.get("path", "")).lower()
        return "/secrets/" in path and (any(m in text for m in KEYVAULT_MARKERS) or path.endswith("/value"))
    return False


def responses_in(branch) -> list[Action]:
    """Every Response action in a branch (or a list of actions), nested containers included."""
    if branch is None:
        return []
    found, stack = [], list(branch)
    while stack:
        action = stack.pop(0)
        if action.type == "Response":
            found.append(action)
        stack.extend(action.children())
    return found


def static_status(response: Action) -> int | None:
    """The statusCode of a Response when it is written as a number (default 200); None when computed."""
    inputs = response.raw.get("inputs") if isinstance(response.raw.get("inputs"), dict) else {}
    value = inputs.get("statusCode", 200)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _covers_everything(address_range) -> bool:
    first, last = address_range.first, address_range.last
    return int(first) == 0 and int(last) == (1 << first.max_prefixlen) - 1
