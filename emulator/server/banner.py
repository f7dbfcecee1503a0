"""What ``serve`` prints at start: per trigger its method, relative path, a ready URL and a curl example."""

from __future__ import annotations

import shlex

from . import urls

AUTH_NONE_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  --auth none: SAS signatures are NOT checked. Anyone who can reach this port  !!
!!  can run every workflow. Use it only for local experiments.                   !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


def sample_path(template: str) -> str:
    """``orders/{orderId}`` -> ``orders/orderId-value`` for the curl example."""
    import re

    return re.sub(r"\{([^{}/]+)\}", lambda m: f"{m.group(1)}-value", template)


def lines(server, base: str) -> list[str]:
    out = []
    entries = server.registry.entries()
    if not entries:
        out.append("No workflows loaded yet (add files to the served paths; they are picked up without a restart).")
    for entry in entries:
        out.append(f"{entry.name}  ({entry.flavor}, id {entry.id}, from {entry.source})")
        for trig in entry.triggers.values():
            if not trig.is_request:
                out.append(f"  trigger {trig.name}: type {trig.trigger.type}, not callable over HTTP")
                continue
            answer = urls.callback(server.keys, entry, trig, base)
            rel = f"/{trig.path.template}" if trig.path else "(none)"
            out.append(f"  trigger {trig.name}: {trig.method}  relative path {rel}")
            url = answer["value"]
            bearer = entry.policy is not None and not entry.policy.sas_enabled
            if bearer:  # a sig would be refused: show the URL without SAS, and a bearer-token call
                out.append("    SAS is disabled by its access control: call it with a bearer token "
                           "(python -m emulator token ...; docs/access-control.md)")
                url = f"{answer['basePath']}?api-version={answer['queries']['api-version']}"
            out.append(f"    {url}")
            if trig.path:
                url = url.replace(trig.path.template, sample_path(trig.path.template))
            curl = ["curl", "-i", "-X", trig.method, url]
            if trig.method not in ("GET", "HEAD", "DELETE"):
                curl += ["-H", "Content-Type: application/json", "-d", "{}"]
            text = " ".join(shlex.quote(part) for part in curl)
            if bearer:  # double quotes, so the shell expands $TOKEN
                text += ' -H "Authorization: Bearer $TOKEN"'
            out.append(f"    {text}")
    for problem in server.registry.problems:
        out.append(f"problem: {problem}")
    return out
