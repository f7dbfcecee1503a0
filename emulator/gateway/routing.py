"""Which API and operation a gateway request reaches, as APIM routes it.

The request path is the API's ``path`` (URL suffix, with or without a trailing slash) followed by the
operation's ``urlTemplate``; the longest API path wins, then the most specific operation (most literal
characters, fewest parameters). What the API path leaves over is the backend's relative path. An API with
no operations accepts every method and path under it. Matching ignores case, as APIM does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_PARAM = re.compile(r"\{(\*?)([^{}]+)\}")


@dataclass
class Template:
    regex: re.Pattern
    weight: tuple
    names: tuple
    query_params: tuple
    query_bindings: tuple = ()  # (query parameter, template parameter) for ``?a={b}``


def compile_template(template: str) -> Template:
    """``/orders/{id}/items/{*rest}?expand={expand}`` -> a path regex, its specificity and parameter names."""
    path, _, query = template.partition("?")
    path = "/" + path.strip("/") if path.strip("/") else ""
    parts, names, pos, literal = [], [], 0, 0
    for m in _PARAM.finditer(path):
        chunk = path[pos:m.start()]
        parts.append(re.escape(chunk))
        literal += len(chunk)
        names.append(m.group(2))
        parts.append(f"(?P<p{len(names) - 1}>.*)" if m.group(1) else f"(?P<p{len(names) - 1}>[^/]+)")
        pos = m.end()
    parts.append(re.escape(path[pos:]))
    literal += len(path) - pos
    pairs = [p.partition("=") for p in query.split("&") if p]
    query_params = tuple(key for key, _, _ in pairs)
    bindings = tuple((key, m.group(2)) for key, _, value in pairs if (m := _PARAM.fullmatch(value.strip())))
    regex = re.compile("^" + "".join(parts) + "/?$", re.IGNORECASE)
    return Template(regex, (literal, -len(names)), tuple(names), query_params, bindings)


@dataclass
class Route:
    api: object
    operation: object  # None for an API without operations
    remainder: str  # what the API path leaves over ("" or "/...")
    params: dict


def _api_remainder(api_path: str, path: str) -> str | None:
    prefix = "/" + api_path.strip("/") if api_path.strip("/") else ""
    if not prefix:
        return path if path != "/" else ""
    if path.lower() == prefix.lower() or path.lower() == prefix.lower() + "/":
        return ""
    if path.lower().startswith(prefix.lower() + "/"):
        return path[len(prefix):]
    return None


class Router:
    def __init__(self, apis):
        self.apis = sorted(apis, key=lambda a: -len(a.path.strip("/")))

    def find_api(self, path: str, query=None, headers=None):
        """(api, remainder) of the longest matching API path, or (None, None). APIs of a version set that share a
        path (query or header versioning) are told apart by the version the request names; without one, the
        API that has no version (APIM's "Original") answers."""
        matched_path, fallback = None, (None, None)
        for api in self.apis:
            if matched_path is not None and api.path.strip("/").lower() != matched_path:
                break  # only the APIs of the longest matching path compete
            remainder = _api_remainder(api.path, path)
            if remainder is None:
                continue
            matched_path = api.path.strip("/").lower()
            version = getattr(api, "version", None)
            if version is None:
                fallback = fallback if fallback[0] is not None else (api, remainder)
                continue
            scheme, name, value = version
            given = (query if scheme == "query" else headers) or {}
            if str(given.get(name, "")).lower() == value.lower():
                return api, remainder
        return fallback

    def route(self, method: str, path: str, query=None, headers=None):
        """(Route or None, the API matched when no operation did). Template parameters in the operation's query
        (``/get?a={b}``) take their values from ``query``."""
        api, remainder = self.find_api(path, query, headers)
        if api is None:
            return None, None
        if not api.operations:
            return Route(api, None, remainder, {}), api
        best = None
        for op in api.operations:
            if op.method not in ("*", method.upper()):
                continue
            m = op.template.regex.match(remainder or "")
            if m is None:
                continue
            if best is None or op.template.weight > best[0].template.weight:
                best = (op, m)
        if best is None:
            return None, api
        op, m = best
        params = {name: unquote(m.group(f"p{i}")) for i, name in enumerate(op.template.names)}
        for key, name in op.template.query_bindings:
            if query is not None and key in query:
                params[name] = query[key]
        return Route(api, op, remainder, params), api
