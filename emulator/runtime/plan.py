"""What the engine needs to know about a loaded workflow, worked out once instead of on every run.

``workflow_plan(wf)``: triggers by lower-case name, the Response actions, the compiled run outputs;
``plan.branch(branch)``: each action's predecessors inside its branch and the branch's last actions;
``plan.timeout(action)``: the ``limit.timeout`` of an action in seconds.

Keyed caches, nothing stored on the definitions' objects: plans by workflow (weakly, so a reloaded
workflow -- new objects -- gets new plans and the old ones go with it), branch plans and timeouts by
object inside their workflow's plan.
"""

from __future__ import annotations

import weakref

from ..expressions import compile_value
from .clock import parse_duration


class WorkflowPlan:
    __slots__ = ("triggers", "default_trigger", "has_response", "response_is_async", "outputs", "has_loops",
                 "holds_response", "response_name", "_branches", "_timeouts")

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
        self._branches: dict = {}  # Branch -> BranchPlan
        self._timeouts: dict = {}  # Action -> seconds (0.0: none)

    def branch(self, branch) -> BranchPlan:
        plan = self._branches.get(branch)
        if plan is None or plan.actions is not branch.actions or plan.size != len(branch.actions):
            plan = self._branches[branch] = BranchPlan(branch)
            plan.never_waits = self._never_waits(plan)
        return plan

    def _never_waits(self, plan: BranchPlan) -> bool:
        """True for a chain none of whose actions can wait: handlers that never wait, no ``limit``, and
        containers that choose a branch (Scope, If, Switch) whose every branch is such a chain or empty."""
        if plan.chain is None:
            return False
        for action in plan.chain:
            handler = action.handler
            if action.limit:
                return False
            if handler.chooses_branch:
                if not all(self.branch(b).never_waits for b in action.branches.values() if b.actions):
                    return False
            elif handler.waits:
                return False
        return True

    def timeout(self, action) -> float | None:
        """The action's ``limit.timeout`` in seconds (None without one; loops time themselves)."""
        found = self._timeouts.get(action)
        if found is None:
            timeout = parse_duration(action.limit.get("timeout")) if action.limit and not \
                action.handler.is_loop else None
            found = self._timeouts[action] = timeout or _NO_TIMEOUT
        return found or None


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


# Plans by id(workflow); an entry goes when its workflow is collected (weakref.finalize), before the id can be
# reused. (A WeakKeyDictionary does the same but makes a weak reference on every lookup: 3x slower per run.)
_PLANS: dict[int, WorkflowPlan] = {}


def workflow_plan(workflow) -> WorkflowPlan:
    plan = _PLANS.get(id(workflow))
    if plan is None:
        plan = _PLANS[id(workflow)] = WorkflowPlan(workflow)
        weakref.finalize(workflow, _PLANS.pop, id(workflow), None)
    return plan


class BranchPlan:
    """``never_waits``: a chain the engine runs as plain calls, no coroutine (set by :meth:`WorkflowPlan.branch`)."""

    __slots__ = ("actions", "size", "deps", "leaves", "chain", "never_waits")

    def __init__(self, branch):
        actions = branch.actions
        self.actions = actions
        self.size = len(actions)
        self.deps = {name: tuple(d for d in a.run_after if d in actions) for name, a in actions.items()}
        referenced = {dep for a in actions.values() for dep in a.run_after}
        self.leaves = tuple(n for n in actions if n not in referenced)
        self.chain = _chain(actions, self.deps)
        self.never_waits = False


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


_NO_TIMEOUT = 0.0
