"""One access-log line per request, for people: ``POST send-email/manual 400 TriggerInputSchemaMismatch 1.2ms``.

A trigger call shows the workflow's name (not its id) and the trigger, the status, the error code when
there is one, ``skipped`` for a false trigger condition, the duration and the run id. Any other request
shows its path without the query. ``verbose`` adds the whole URL, its credentials redacted (:func:`redact`).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from . import urls

# Query parameters that carry a credential: a SAS signature, an API Management subscription key (the gateway
# forwards it to the flow, as APIM does), an Azure Functions key.
_CREDENTIALS = re.compile(r"([?&](?:sig|subscription-key|code)=)[^&#]*", re.IGNORECASE)
_HIDDEN: set[str] = set()


def hide(values) -> None:
    """Never log these values (gateway subscription keys, secret named values), wherever a logged URL has them;
    kept for the life of the process."""
    for value in values:
        if isinstance(value, str) and len(value) >= 4:
            _HIDDEN.update((value, quote(value, safe="")))


def redact(path: str) -> str:
    """``path`` (a URL, or its path and query) as the log may show it: credentials and hidden values REDACTED."""
    path = _CREDENTIALS.sub(r"\1REDACTED", path)
    for value in _HIDDEN:
        if value in path:
            path = path.replace(value, "REDACTED")
    return path


def error_code(body: bytes) -> str | None:
    """The ``error.code`` of a JSON error answer, if it is one."""
    try:
        data = json.loads(body)
        return data["error"]["code"] if isinstance(data, dict) and isinstance(data.get("error"), dict) else None
    except (ValueError, TypeError, KeyError):
        return None


def line(server, request, status: int, millis: float, *, code: str | None = None, run_id: str | None = None,
         skipped: bool = False, verbose: bool = False) -> str:
    path = request.raw_path.partition("?")[0]
    found = urls.match_trigger_path(path, escaped=True)
    entry = None
    if found is not None:
        entry = server.registry.find(found[0]) if server is not None else None
        target = f"{entry.name if entry is not None else found[0]}/{found[1]}"
    else:
        target = path
    parts = [request.method, target, str(status)]
    if code:
        parts.append(code)
    if skipped:
        parts.append("skipped")
    parts.append(f"{millis:.1f}ms")
    if run_id:
        parts.append(f"run {run_id}")
    if verbose:
        parts.append(redact(_templated(request.path_qs, found, entry)))
    return " ".join(parts)


def _templated(path_qs: str, found, entry) -> str:
    """``path_qs`` with a trigger call's relative path written as the trigger's template (``/secure/{token}``):
    a token carried in the path is a secret the log must not keep. Any other relative path is left out."""
    if not found or not found[2]:
        return path_qs
    path, sep, query = path_qs.partition("?")
    relative = "/" + found[2]
    head = path[: len(path) - len(relative)] if path.endswith(relative) else path
    trig = entry.trigger(found[1]) if entry is not None else None
    template = trig.path.template if trig is not None and trig.path else ""
    return f"{head}/{template or '...'}{sep}{query}"
