"""What the engine needs to know about a loaded workflow, worked out once instead of on every run.

``workflow_plan(wf)``: triggers by lower-case name, the Response actions, the compiled run outputs.
``branch_plan(branch)``: each action's predecessors inside its branch and the branch's last actions.
``action_timeout(action)``: the ``limit.timeout`` of an action in seconds.

Plans are kept on the objects they describe, so a reloaded workflow (new objects) gets new plans.
"""

from __future__ import annotations

from ..expressions import compile_value
from .clock import parse_duration

_PLAN = "_runtime_plan"


class WorkflowPlan:
    __slots__ = ("triggers", "default_trigger", "has_response", "response_is_async", "outputs", "has_loops",
                 "holds_response", "response_name")

    def __init__(self, workflow):
        # Standard stateless workflows answer the caller only when the run ends (spec §8)
        self.holds_response = str(getattr(workflow, "kind", "") or "").lower() == "stateless"
        self.triggers = {name.lower(): trig for name, trig in workflow.triggers.items()}
        requests = workflow.request_triggers() or list(workflow.triggers.values())
        self.default_trigger = requests[0] if requests else None
        responses = [a for a in workflow.all_actions.values() if a.type == "Response"]
        self.has_response = bool(responses)
        self.response_is_async = any("asynchronous" in a.operation_options for a in responses)
        definition = workflow.definition if isinstance(workflow.definition, dict) else {}
        self.response_name = _first_response(definition.get("actions")) or "Response"  # named in a 504
        self.has_loops = any(getattr(a.handler, "is_loop", False) for a in workflow.all_actions.values())
        defs = definition.get("outputs")
        self.outputs = []  # (name, type, CompiledValue)
        if isinstance(defs, dict):
            for name, spec in defs.items():
                if isinstance(spec, dict) and "value" in spec:
                    self.outputs.append((name, spec.get("type"), compile_value(spec["value"])))


def _first_response(actions) -> str | None:
    """The first Response action of a raw definition, depth first in the file's order."""
    for name, action in (actions or {}).items():
        if not isinstance(action, dict):
            continue
        if str(action.get("type", "")).lower() == "response":
            return name
        for key in ("actions", "else", "default"):
            inner = action.get(key)
            if isinstance(inner, dict):
                found = _first_response(inner.get("actions", inner) if key != "actions" else inner)
                if found:
                    return found
        for case in (action.get("cases") or {}).values():
            found = _first_response((case or {}).get("actions"))
            if found:
                return found
    return None


def workflow_plan(workflow) -> WorkflowPlan:
    plan = workflow.__dict__.get(_PLAN)
    if plan is None:
        plan = WorkflowPlan(workflow)
        workflow.__dict__[_PLAN] = plan
    return plan


class BranchPlan:
    __slots__ = ("actions", "size", "deps", "leaves", "chain")

    def __init__(self, branch):
        actions = branch.actions
        self.actions = actions
        self.size = len(actions)
        self.deps = {name: tuple(d for d in a.run_after if d in actions) for name, a in actions.items()}
        referenced = {dep for a in actions.values() for dep in a.run_after}
        self.leaves = tuple(n for n in actions if n not in referenced)
        self.chain = _chain(actions, self.deps)


def _chain(actions: dict, deps: dict) -> tuple | None:
    """The actions in order when each runs after exactly the one before it (None otherwise)."""
    roots = [name for name, d in deps.items() if not d]
    if len(roots) != 1:
        return None
    after: dict[str, str] = {}
    for name, d in deps.items():
        if len(d) > 1 or (d and d[0] in after):
            return None
        if d:
            after[d[0]] = name
    order = [roots[0]]
    while order[-1] in after:
        order.append(after[order[-1]])
    if len(order) != len(actions):
        return None
    return tuple(actions[name] for name in order)


def branch_plan(branch) -> BranchPlan:
    plan = branch.__dict__.get(_PLAN)
    if plan is None or plan.actions is not branch.actions or plan.size != len(branch.actions):
        plan = BranchPlan(branch)
        branch.__dict__[_PLAN] = plan
    return plan


_NO_TIMEOUT = 0.0


def action_timeout(action) -> float | None:
    """The action's ``limit.timeout`` in seconds (None without one; loops time themselves)."""
    found = action.__dict__.get(_PLAN)
    if found is None:
        timeout = parse_duration(action.limit.get("timeout")) if action.limit and not \
            action.handler.is_loop else None
        found = timeout or _NO_TIMEOUT
        action.__dict__[_PLAN] = found
    return found or None
