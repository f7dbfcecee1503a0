"""What the flow answers: the token echoed back, or no clear refusal when the token check fails."""

from __future__ import annotations

from ..sources import returned_sources
from . import Hit, rule


@rule("token-reflection", "medium", "Response echoes the caller's token",
      """A Response body or header echoes the request's headers, the whole trigger outputs, or the token the
      flow checks. Whatever the caller sent comes back, in logs, proxies and browser caches on the way, and a
      header injected by a gateway (a key, a bearer token) is handed to the caller.""",
      "Answer with the fields the caller needs only; never return triggerOutputs(), its headers or the token.")
def token_reflection(facts):
    for action in facts.wf.all_actions.values():
        if action.type != "Response":
            continue
        inputs = action.raw.get("inputs") if isinstance(action.raw.get("inputs"), dict) else {}
        for part in ("body", "headers"):
            if part not in inputs:
                continue
            for path, node in facts.expressions(inputs[part], f"{action.path}.inputs.{part}"):
                echoed = [s for s in returned_sources(node, facts.scope) if _reflects(facts, s)]
                if echoed:
                    yield Hit(path, f"The Response '{action.name}' returns {echoed[0].label()} to the caller.")


def _reflects(facts, source) -> bool:
    if source.kind in ("trigger", "headers"):
        return True
    if source.whole:  # all queries, all path parameters, the whole body: only when they hold the token
        return any(source.covers(c) for c in facts.checked)
    return facts.holds_token(source)


@rule("missing-unauthorized-branch", "medium", "Failed token check without a refusal",
      """A token check whose failing branch ends without a Response: the caller waits for a 502 (NoResponse)
      or 504 (timeout), or gets a 202 when the flow has no Response at all; or the failing branch answers
      with a 2xx status, so the caller cannot tell it was refused.""",
      "Add a Response with status 401 (or 403) to the failing branch, before any other work.")
def missing_unauthorized_branch(facts):
    seen = set()
    for check in facts.checks:
        action = check.action
        if action is None or action.name in seen:
            continue
        seen.add(action.name)
        branch_key = "default" if check.place == "switch" else ("actions" if check.comparison.negated else "else")
        branch_path = f"{facts.rel(action.path)}.{branch_key}"
        answers = responses_in(action.branches.get(branch_key))
        trigger = facts.trigger_label()
        if not answers:
            answers = [a for a in _siblings(facts, action) if a.type == "Response"]
        if not answers:
            if facts.wf.has_response_action:
                outcome = "the caller waits until the run ends and gets 502 NoResponse (or 504 on timeout)"
            else:
                outcome = "the flow has no Response, so every caller gets 202 Accepted"
            yield Hit(branch_path, f"When the token check in '{action.name}' fails, the branch ends without a "
                      f"Response: {outcome}.", trigger=trigger)
            continue
        for response in answers:
            status = static_status(response)
            if status is not None and 200 <= status < 300:
                yield Hit(f"{facts.rel(response.path)}.inputs.statusCode",
                          f"When the token check in '{action.name}' fails, '{response.name}' answers {status}: "
                          "the refused caller is told it succeeded.", trigger=trigger)


def responses_in(branch) -> list:
    """Every Response action in a branch, nested containers included."""
    if branch is None:
        return []
    found, stack = [], list(branch)
    while stack:
        action = stack.pop(0)
        if action.type == "Response":
            found.append(action)
        stack.extend(action.children())
    return found


def _siblings(facts, action) -> list:
    """Actions in the same list that run after ``action`` (when its branch had no answer of its own)."""
    parent_branch = None
    if action.parent is None:
        parent_branch = facts.wf.actions
    else:
        parent_branch = next((b for b in action.parent.branches.values() if action.name in b.actions), None)
    if parent_branch is None:
        return []
    return [a for a in parent_branch if action.name in a.run_after]


def static_status(response) -> int | None:
    """The statusCode of a Response when it is written as a number; None when computed. Default 200."""
    inputs = response.raw.get("inputs") if isinstance(response.raw.get("inputs"), dict) else {}
    value = inputs.get("statusCode", 200)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
