"""What the flow answers: the token echoed back, or no clear refusal when the token check fails."""

from __future__ import annotations

from ..flow import static_status
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
    trigger = facts.trigger_label()
    for refusal in facts.refusals:
        name = refusal.check.action.name
        if not refusal.answers:
            yield Hit(refusal.branch_path, f"When the token check in '{name}' fails, the branch ends without a "
                      f"Response: {outcome_without_response(facts, refusal)}.", trigger=trigger)
        for response in refusal.answers:
            status = static_status(response)
            if status is not None and 200 <= status < 300:
                yield Hit(f"{facts.rel(response.path)}.inputs.statusCode",
                          f"When the token check in '{name}' fails, '{response.name}' answers {status}: "
                          "the refused caller is told it succeeded.", trigger=trigger)


def outcome_without_response(facts, refusal) -> str:
    if refusal.later:
        answers = ", ".join(f"'{r.name}' ({static_status(r) or 'computed'})" for r in refusal.later)
        return f"the caller gets the answer of what runs after the check: {answers}"
    if facts.wf.has_response_action:
        return "the caller waits until the run ends and gets 502 NoResponse (or 504 on timeout)"
    return "the flow has no Response, so every caller gets 202 Accepted"
