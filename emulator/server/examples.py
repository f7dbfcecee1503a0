"""The example call ``serve`` prints for each HTTP trigger: one that succeeds when pasted, one that is refused.

What goes into the example, first found wins:

* a sidecar ``<flow>.example.json`` (``example.json`` in a Standard workflow folder) with ``path``,
  ``headers``, ``query`` and ``body`` (for every trigger, or under ``{"triggers": {"<name>": {...}}}``);
* for a ``{name}`` in the relative path, the string ``defaultValue`` of the workflow parameter ``name`` or
  ``expectedName`` (a demo's token);
* a body built from the trigger's JSON schema (every declared property, required ones at least: ``example``,
  ``default``, the first ``enum`` value, or a value of the declared type).

With an OAuth policy and SAS disabled, a ``TOKEN=$(... emulator token ...)`` line comes first, built from the
policy's claims. The refused call drops the SAS parameters (or the token): the host answers 401.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlencode

from . import urls

SIDECAR_SUFFIX = ".example.json"
_PARAM = re.compile(r"\{([^{}/]+)\}")
_ISSUER = re.compile(r"^https://(?:sts\.windows\.net|login\.microsoftonline\.com)/([^/]+)/")
_SAMPLES = {"string": "text", "integer": 1, "number": 1, "boolean": True, "array": [], "null": None}


def sidecar(source: Path | None) -> Path | None:
    if source is None:
        return None
    candidate = source / "example.json" if source.is_dir() else source.with_name(source.stem + SIDECAR_SUFFIX)
    if source.name == "workflow.json":
        candidate = source.with_name("example.json")
    return candidate if candidate.is_file() else None


def example_request(entry, trig) -> tuple[dict, str | None]:
    """``{"path", "headers", "query", "body"?}`` for a trigger, and a problem with the sidecar (or None)."""
    given, problem = {}, None
    path = sidecar(entry.source)
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            if not isinstance(data, dict):
                raise ValueError("it must be a JSON object")
            per_trigger = data.get("triggers") if isinstance(data.get("triggers"), dict) else {}
            given = per_trigger.get(trig.name) or ({} if per_trigger else data)
        except (OSError, ValueError) as exc:
            problem = f"{path}: not used ({exc})"
    request = {"headers": dict(given.get("headers") or {}), "query": dict(given.get("query") or {})}
    request["path"] = given.get("path") if isinstance(given.get("path"), str) else _path(entry, trig)
    if "body" in given:
        request["body"] = given["body"]
    elif trig.method not in ("GET", "HEAD", "DELETE"):
        schema = trig.trigger.schema
        request["body"] = sample(schema) if isinstance(schema, dict) and schema else {}
    return request, problem


def _path(entry, trig) -> str | None:
    if not trig.path:
        return None
    params = entry.workflow.parameters or {}
    lowered = {str(k).lower(): v for k, v in params.items()}

    def value(match) -> str:
        name = match.group(1)
        for key in (name.lower(), f"expected{name.lower()}"):
            if isinstance(lowered.get(key), str):
                return lowered[key]
        return f"{name}-value"

    return "/" + _PARAM.sub(value, trig.path.template).lstrip("/")


def sample(schema: dict, name: str = "value", depth: int = 0):
    """A value the schema accepts, every declared property filled (required ones at least)."""
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    if kind == "object" or (kind is None and props):
        if depth > 5:
            return {}
        names = list(props) + [r for r in schema.get("required") or [] if r not in props]
        return {key: sample(props.get(key) if isinstance(props.get(key), dict) else {}, key, depth + 1)
                for key in names}
    if kind == "array":
        items = schema.get("items")
        return [sample(items, name, depth + 1)] if isinstance(items, dict) and items and depth <= 5 else []
    if kind == "string":
        fmt = schema.get("format")
        return {"email": "ada@example.com", "date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01",
                "uri": "https://example.com/"}.get(fmt, f"{name}-value")
    return _SAMPLES.get(kind, f"{name}-value")


def token_command(entry, state_dir: str | None) -> str | None:
    """``TOKEN=$(...)`` minting a token the workflow's first OAuth policy accepts, or None."""
    policies = entry.policy.oauth_policies if entry.policy is not None else ()
    if not policies:
        return None
    claims = dict(policies[0].claims)
    match = _ISSUER.match(claims.pop("iss", ""))
    if not match or "aud" not in claims:
        return None
    parts = [".venv/bin/python", "-m", "emulator", "token", "--tenant", match.group(1), "--aud", claims.pop("aud")]
    claims.pop("tid", None)
    for key, value in claims.items():
        parts += ["--claim", f"{key}={value}"]
    if state_dir and state_dir.startswith(("redis://", "rediss://", "unix://")):
        # hosts sharing state through Redis sign with the key held there (a password in the URL is not shown)
        parts += ["--state", re.sub(r"//[^/@]*@", "//***@", state_dir)]
    elif state_dir and state_dir != ".state":
        parts += ["--state-dir", state_dir]
    return f"TOKEN=$({' '.join(shlex.quote(p) for p in parts)})"


def curl_lines(server, entry, trig, base: str) -> tuple[list[str], str | None]:
    """The lines of the example: an optional token line, the call that succeeds, the refused call."""
    request, problem = example_request(entry, trig)
    answer = urls.callback(server.keys, entry, trig, base)
    bearer = entry.policy is not None and not entry.policy.sas_enabled
    path = answer["basePath"]
    if request["path"] and trig.path:
        path = path.replace(trig.path.template.lstrip("/"), request["path"].lstrip("/"), 1)
    unsigned = {"api-version": answer["queries"]["api-version"], **request["query"]}
    signed = unsigned if bearer else {**answer["queries"], **request["query"]}
    options = []
    for key, value in request["headers"].items():
        options += ["-H", f"{key}: {value}"]
    if "body" in request:
        body = request["body"]
        if not any(k.lower() == "content-type" for k in request["headers"]):
            options += ["-H", "Content-Type: " + ("text/plain" if isinstance(body, str) else "application/json")]
        options += ["-d", body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))]

    def curl(query: dict) -> str:
        return " ".join(shlex.quote(p) for p in ["curl", "-i", "-X", trig.method, f"{path}?{urlencode(query)}",
                                                  *options])

    out = []
    if bearer:
        token = token_command(entry, server.config.history if server.shared else server.config.state_dir)
        if token:
            out.append(token)
        out += [curl(signed) + ' -H "Authorization: Bearer $TOKEN"', curl(unsigned) + "   # refused: 401, no token"]
    else:
        out += [curl(signed), curl(unsigned) + "   # refused: 401 DirectApiAuthorizationRequired, no SAS signature"]
    return out, problem
