"""The gateway's configuration: the JSON file (documented by ``gateway.schema.json``) and, through its ``apiops``
field, an APIOps extractor artifacts folder (:mod:`.apiops`). Relative paths are read from the file's folder.

Policies are parsed and compiled here, once; a problem anywhere raises :class:`GatewayLoadError` naming the
file, the line and the element (or the JSON path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..server.request_log import redact
from . import policies  # noqa: F401 - registers every policy
from .errors import GatewayLoadError
from .policy import DEFAULT_GLOBAL, PolicyDocument
from .routing import Template, compile_template
from .xml import parse as parse_xml

DEFAULT_HEADER = "Ocp-Apim-Subscription-Key"
DEFAULT_QUERY = "subscription-key"
MAX_CONFIG_BYTES = 10_485_760


@dataclass
class Backend:
    workflow: str | None = None
    trigger: str | None = None
    gateway_only: bool = False
    url: str | None = None


@dataclass
class Operation:
    name: str
    method: str
    url_template: str
    template: Template
    policy: PolicyDocument | None = None
    examples: dict = field(default_factory=dict)  # (status, content type) -> bytes, from an OpenAPI spec

    @property
    def query_params(self):
        return self.template.query_params

    def example(self, status: int, content_type: str):
        return self.examples.get((status, content_type))


@dataclass
class Api:
    name: str
    path: str
    subscription_required: bool
    header: str
    query: str
    backend: Backend
    policy: PolicyDocument | None
    operations: list
    version: tuple | None = None  # ("query" | "header", parameter name, version) of a version set's API

    @property
    def backend_url(self) -> str | None:
        return self.backend.url


@dataclass
class Product:
    name: str
    apis: tuple
    policy: PolicyDocument | None


@dataclass
class Subscription:
    name: str
    scope: str
    primary_key: str
    secondary_key: str | None
    state: str

    @property
    def active(self) -> bool:
        return self.state == "active"


@dataclass
class GatewayConfig:
    file: Path
    global_policy: PolicyDocument
    policy_file: str | None
    named_values: dict  # lower-case name -> (display name, value, secret)
    apis: list
    products: list
    subscriptions: list
    backends: dict  # APIOps backends: name -> url
    sources: list = field(default_factory=list)  # every file read, for reloading when one changes

    def secret_values(self) -> list[str]:
        """Every subscription key and secret named value (what no log or answer of the emulator may show)."""
        keys = [key for s in self.subscriptions for key in (s.primary_key, s.secondary_key) if key]
        return keys + [value for _, value, secret in self.named_values.values() if secret and isinstance(value, str)]

    def public(self) -> dict:
        """The configuration as served at ``GET /gateway``: secrets and subscription keys masked."""
        mask = "***"
        return {
            "file": str(self.file),
            "policy": self.global_policy.file if self.policy_file else None,
            "namedValues": {name: {"value": mask if secret else value, "secret": secret}
                            for name, value, secret in self.named_values.values()},
            "apis": [{"name": a.name, "path": a.path, "subscriptionRequired": a.subscription_required,
                      "subscriptionKeyParameterNames": {"header": a.header, "query": a.query},
                      "backend": _public_backend(a.backend), "policy": a.policy.file if a.policy else None,
                      "operations": [{"name": o.name, "method": o.method, "urlTemplate": o.url_template,
                                      "policy": o.policy.file if o.policy else None} for o in a.operations]}
                     for a in self.apis],
            "products": [{"name": p.name, "apis": list(p.apis), "policy": p.policy.file if p.policy else None}
                         for p in self.products],
            "subscriptions": [{"name": s.name, "scope": s.scope, "state": s.state, "primaryKey": mask,
                               "secondaryKey": mask if s.secondary_key else None} for s in self.subscriptions],
            "backends": {name: _redact(url) for name, url in self.backends.items()},
        }


def _public_backend(backend: Backend) -> dict:
    if backend.workflow:
        return {"workflow": backend.workflow, "trigger": backend.trigger, "gatewayOnly": backend.gateway_only}
    return {"url": _redact(backend.url)}


def _redact(url):
    """A backend URL as shown: a callback URL's ``sig`` is a secret (redacted as the server's logs do)."""
    return redact(url) if isinstance(url, str) else url


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("emulator.gateway").joinpath("gateway.schema.json").read_text("utf-8"))


def load(path, check_workflow=None) -> GatewayConfig:
    """Load the gateway file (or an APIOps folder). ``check_workflow(name, trigger)`` returns an error text
    when a workflow backend names no loaded flow (None: flows are not checked)."""
    path = Path(path)
    text = ""
    if path.is_dir():
        raw, folder, file = {"apiops": "."}, path, path
        candidate = path / "gateway.json"
        if candidate.is_file():
            raw, file = _read_json(candidate), candidate
            text = candidate.read_text(encoding="utf-8-sig")
            raw.setdefault("apiops", ".")
    else:
        raw, folder, file = _read_json(path), path.parent, path
        text = path.read_text(encoding="utf-8-sig")
    try:
        return _load(raw, folder, file, check_workflow)
    except GatewayLoadError as exc:
        hint = getattr(exc, "hint", None)
        if exc.line is None and hint and text and str(exc.file) == str(file):
            exc.line = _line_of(text, hint)
        raise


def _line_of(text: str, value: str) -> int | None:
    """The line of the first JSON string ``value`` in ``text`` (where a problem in the JSON file is)."""
    at = text.find(json.dumps(value))
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _error(message: str, file, hint: str | None = None, element: str | None = None) -> GatewayLoadError:
    error = GatewayLoadError(message, file, element=element)
    error.hint = hint
    return error


def _load(raw: dict, folder: Path, file, check_workflow) -> GatewayConfig:
    _validate(raw, file)
    sources = [Path(file)]
    if raw.get("apiops"):
        sources += [p for p in (folder / raw["apiops"]).rglob("*") if p.is_file()]
    from . import apiops

    extracted = apiops.load(folder / raw["apiops"]) if raw.get("apiops") else apiops.Extracted()
    named = dict(extracted.named_values)
    for name, item in (raw.get("namedValues") or {}).items():
        named[name.lower()] = (name, item["value"], bool(item.get("secret", False)))
    values = {k: v for k, (_, v, _) in named.items() if v is not None}
    missing = {k: n for k, (n, v, _) in named.items() if v is None}
    secret_values = sorted({v for _, v, secret in named.values() if secret and v}, key=len, reverse=True)

    def document(file_path, scope) -> PolicyDocument | None:
        if not file_path:
            return None
        target = Path(file_path) if Path(file_path).is_absolute() else folder / file_path
        sources.append(target)
        try:
            text = target.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise _error(f"the policy file '{file_path}' cannot be read: {exc.strerror or exc}", file,
                         str(file_path), element=f"{scope} policy") from None
        for key, name in missing.items():
            if "{{" + name in text or "{{" + key in text.lower():
                raise GatewayLoadError(f"the named value '{name}' has no value (APIOps does not extract "
                                       "secrets: give it under namedValues)", target)
        try:
            root = _include_fragments(parse_xml(text, str(target), values), read_fragment)
            _check_backend_ids(root, extracted.backends, check_workflow)
            return PolicyDocument(root, scope)
        except GatewayLoadError as exc:  # a message may quote resolved text: secrets never appear in it
            for secret in secret_values:
                exc.message = exc.message.replace(secret, "***")
            raise GatewayLoadError(exc.message, exc.file, exc.line, exc.element) from None

    def read_fragment(node):
        name = node.attrs.get("fragment-id", "")
        path = extracted.fragments.get(name.lower())
        if path is None:
            raise node.error(f"the policy fragment '{name}' is not defined (APIOps: policy fragments/{name}/policy.xml)")
        sources.append(Path(path))
        root = parse_xml(Path(path).read_text(encoding="utf-8-sig"), str(path), values)
        if root.tag != "fragment":
            raise root.error("the root element of a policy fragment must be <fragment>")
        return root

    policy_file = raw.get("policy") or extracted.policy
    if policy_file:
        global_policy = document(policy_file, "global")
    else:
        global_policy = PolicyDocument(parse_xml(DEFAULT_GLOBAL, "(default global policy)"), "global")
    apis_raw = {a["name"].lower(): a for a in extracted.apis}
    for api in raw.get("apis") or []:
        merged = dict(apis_raw.get(api["name"].lower(), {}))
        merged.update(api)
        apis_raw[api["name"].lower()] = merged
    apis = [_api(a, document, file, check_workflow) for a in apis_raw.values()]
    _unique([a.path.strip("/").lower() + (f" (version {a.version[2]})" if a.version else "") for a in apis], file,
            "API path")
    names = {a.name.lower() for a in apis}
    products_raw = {p["name"].lower(): p for p in extracted.products}
    for product in raw.get("products") or []:
        merged = dict(products_raw.get(product["name"].lower(), {}))
        merged.update(product)
        products_raw[product["name"].lower()] = merged
    products = []
    for p in products_raw.values():
        for api_name in p.get("apis") or []:
            if api_name.lower() not in names:
                raise _error(f"product '{p['name']}' names the API '{api_name}', which is not defined", file,
                             api_name)
        products.append(Product(p["name"], tuple(a.lower() for a in p.get("apis") or []),
                                document(p.get("policy"), f"product '{p['name']}'")))
    subscriptions = [_subscription(s, names, {p.name.lower() for p in products}, file)
                     for s in raw.get("subscriptions") or []]
    _unique([s.name.lower() for s in subscriptions], file, "subscription name")
    return GatewayConfig(file, global_policy, policy_file, named, apis, products, subscriptions,
                         dict(extracted.backends), list(dict.fromkeys(sources)))


def _check_backend_ids(node, backends: dict, check_workflow) -> None:
    """A constant ``set-backend-service backend-id`` must name an APIOps backend or a loaded flow (when flows are
    checked), as APIM refuses to save a policy naming a backend that does not exist."""
    if node.tag == "set-backend-service":
        name = node.attrs.get("backend-id", "")
        if name and not name.strip().startswith("@") and name not in backends and check_workflow is not None:
            problem = check_workflow(name, None)
            if problem:
                raise node.error(f"the backend-id '{name}' names no backend (APIOps backends/) and no loaded flow")
    for child in node.children:
        _check_backend_ids(child, backends, check_workflow)


def _include_fragments(node, read_fragment, seen=()):
    """``<include-fragment fragment-id="x"/>`` replaced, where it stands, by the policies of fragment ``x``
    (their errors name the fragment's file and line)."""
    children = []
    for child in node.children:
        if child.tag != "include-fragment":
            children.append(_include_fragments(child, read_fragment, seen))
            continue
        if set(child.attrs) != {"fragment-id"} or child.children:
            raise child.error("<include-fragment> takes exactly the attribute 'fragment-id'")
        name = child.attrs["fragment-id"].lower()
        if name in seen:
            raise child.error(f"the policy fragment '{child.attrs['fragment-id']}' includes itself")
        fragment = _include_fragments(read_fragment(child), read_fragment, seen + (name,))
        children.extend(fragment.children)
    node.children = children
    return node


def _read_json(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise GatewayLoadError(f"the file is larger than {MAX_CONFIG_BYTES} bytes", path)
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise GatewayLoadError(f"cannot read the gateway file: {exc.strerror or exc}", path) from None
    except json.JSONDecodeError as exc:
        raise GatewayLoadError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
    if not isinstance(data, dict):
        raise GatewayLoadError("the gateway file must hold a JSON object", path)
    return data


def _validate(raw: dict, file) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.absolute_path)
        keys = [p for p in first.absolute_path if isinstance(p, str)]
        hint = first.instance if isinstance(first.instance, str) else (keys[-1] if keys else None)
        if first.validator == "additionalProperties" and isinstance(first.instance, dict):
            unexpected = [k for k in first.instance if k not in (first.schema.get("properties") or {})]
            hint = unexpected[0] if unexpected else hint
        raise _error(f"{where}: {first.message}", file, hint)


def _unique(values, file, what) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise _error(f"the {what} '{value}' is used twice", file)
        seen.add(value)


def _api(raw: dict, document, file, check_workflow) -> Api:
    name = raw["name"]
    backend_raw = raw.get("backend") or {}
    backend = Backend(backend_raw.get("workflow"), backend_raw.get("trigger"),
                      bool(backend_raw.get("gatewayOnly", False)), backend_raw.get("url"))
    if backend.workflow and check_workflow is not None:
        problem = check_workflow(backend.workflow, backend.trigger)
        if problem:
            raise _error(f"API '{name}': {problem}", file, backend.workflow, element="backend")
    names = raw.get("subscriptionKeyParameterNames") or {}
    operations, seen = [], set()
    for op in raw.get("operations") or []:
        if op["name"].lower() in seen:
            raise _error(f"API '{name}' has two operations named '{op['name']}'", file, op["name"])
        seen.add(op["name"].lower())
        operations.append(Operation(op["name"], op["method"].upper(), op["urlTemplate"],
                                    compile_template(op["urlTemplate"]),
                                    document(op.get("policy"), f"operation '{name}/{op['name']}'"),
                                    op.get("examples") or {}))
    version = raw.get("version")  # from an APIOps version set (query or header versioning)
    return Api(name, str(raw.get("path", "")).strip("/"), bool(raw.get("subscriptionRequired", True)),
               names.get("header") or DEFAULT_HEADER, names.get("query") or DEFAULT_QUERY, backend,
               document(raw.get("policy"), f"API '{name}'"), operations, tuple(version) if version else None)


def _subscription(raw: dict, apis: set, products: set, file) -> Subscription:
    scope = raw["scope"]
    parts = [p for p in scope.split("/") if p]
    if parts and parts[-1].lower() != "apis":
        kind, target = parts[-2].lower(), parts[-1].lower()
        known = apis if kind == "apis" else products
        if target not in known:
            raise _error(f"subscription '{raw['name']}' has the scope '{scope}', which names no {kind[:-1]}",
                         file, scope)
    return Subscription(raw["name"], scope, raw["primaryKey"], raw.get("secondaryKey"),
                        raw.get("state", "active"))
