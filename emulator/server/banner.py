"""What ``serve`` prints at start: per trigger its method, relative path, a ready URL and a curl example."""

from __future__ import annotations

from . import examples, urls

AUTH_NONE_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  --auth none: SAS signatures are NOT checked. Anyone who can reach this port  !!
!!  can run every workflow. Use it only for local experiments.                   !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


def lines(server, base: str) -> list[str]:
    out = []
    entries = server.registry.entries()
    if not entries:
        out.append("No workflows loaded yet (add files to the served paths; they are picked up without a restart).")
    for entry in entries:
        out.extend(workflow_lines(server, entry, base))
    for problem in server.registry.problems:
        out.append(f"problem: {problem}")
    for skipped in server.registry.skipped:
        out.append(f"skipped: {skipped}")
    return out


def workflow_lines(server, entry, base: str) -> list[str]:
    """A workflow's triggers: method, relative path, the callback URL, a call that works and one refused."""
    out = [f"{entry.name}  ({entry.flavor}, id {entry.id}, from {entry.source})"]
    for trig in entry.triggers.values():
        if not trig.is_request:
            out.append(f"  trigger {trig.name}: type {trig.trigger.type}, not callable over HTTP")
            continue
        rel = f"/{trig.path.template}" if trig.path else "(none)"
        method = "any method" if trig.call.any_method else trig.method  # Standard, no method declared
        out.append(f"  trigger {trig.name}: {method}  relative path {rel}")
        answer = urls.callback(server.keys, entry, trig, base)
        if entry.policy is not None and not entry.policy.sas_enabled:
            out.append("    SAS is disabled by its access control: call it with a bearer token "
                       "(docs/access-control.md)")
            out.append(f"    {answer['basePath']}?api-version={answer['queries']['api-version']}")
        else:
            out.append(f"    {answer['value']}")
        calls, problem = examples.curl_lines(server, entry, trig, base)
        out.extend(f"    {line}" for line in calls)
        if problem:
            out.append(f"    example sidecar {problem}")
    return out
