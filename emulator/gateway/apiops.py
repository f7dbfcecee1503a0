"""An APIOps extractor artifacts folder (Azure/apiops), read into the same shapes as the JSON file:

    policy.xml                                          global policy
    named values/<name>/namedValueInformation.json       {"properties": {"displayName", "value", "secret"}}
    backends/<name>/backendInformation.json              {"properties": {"url": ...}}
    policy fragments/<name>/policy.xml                   a <fragment> that <include-fragment fragment-id="name"/> inlines
    version sets/<name>/versionSetInformation.json       {"properties": {"versioningScheme": "Segment" | "Query" |
                                                          "Header", "versionQueryName", "versionHeaderName"}}
    apis/<name>/apiInformation.json                      {"properties": {"path", "serviceUrl",
                                                          "subscriptionRequired", "subscriptionKeyParameterNames"}}
    apis/<name>/specification.{json,yaml,yml}            OpenAPI / Swagger: operations (operationId = name)
    apis/<name>/policy.xml, apis/<name>/operations/<operation>/policy.xml
    products/<name>/productInformation.json, products/<name>/apis.json ([{"name": ...}]), products/<name>/policy.xml

The named values folder is ``named values`` (with a space, as the extractor writes it; ``namedValues`` is read
too). API revisions (``name;rev=N`` folders) are skipped: the current revision is served. Secret named values are
not extracted by APIOps; give their values in the JSON file's ``namedValues``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GatewayLoadError

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class Extracted:
    policy: str | None = None
    named_values: dict = field(default_factory=dict)  # lower name -> (display name, value or None, secret)
    apis: list = field(default_factory=list)
    products: list = field(default_factory=list)
    backends: dict = field(default_factory=dict)
    fragments: dict = field(default_factory=dict)  # lower name -> policy.xml path of a policy fragment


def _json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise GatewayLoadError(f"cannot read the APIOps artifact: {exc}", path) from None


def _props(path: Path) -> dict:
    data = _json(path)
    props = data.get("properties", data) if isinstance(data, dict) else None
    if not isinstance(props, dict):
        raise GatewayLoadError("the artifact must hold a JSON object", path)
    return props


def _folders(root: Path) -> list:
    return sorted(p for p in root.iterdir() if p.is_dir() and ";rev=" not in p.name) if root.is_dir() else []


def _policy(folder: Path) -> str | None:
    target = folder / "policy.xml"
    return str(target) if target.is_file() else None


def load(folder: Path) -> Extracted:
    folder = Path(folder)
    if not folder.is_dir():
        raise GatewayLoadError("the APIOps artifacts folder does not exist", folder)
    out = Extracted(policy=_policy(folder))
    for item in _folders(folder / "named values") + _folders(folder / "namedValues"):
        info = item / "namedValueInformation.json"
        if info.is_file():
            props = _props(info)
            display = str(props.get("displayName") or item.name)
            value = props.get("value")
            entry = (display, None if value is None else str(value), bool(props.get("secret", False)))
            out.named_values[display.lower()] = entry
            out.named_values.setdefault(item.name.lower(), entry)
    for item in _folders(folder / "backends"):
        info = item / "backendInformation.json"
        if info.is_file():
            url = _props(info).get("url")
            if isinstance(url, str):
                out.backends[item.name] = url
    for item in _folders(folder / "policy fragments"):
        if _policy(item):
            out.fragments[item.name.lower()] = _policy(item)
    version_sets = {item.name.lower(): _props(item / "versionSetInformation.json")
                    for item in _folders(folder / "version sets") if (item / "versionSetInformation.json").is_file()}
    for item in _folders(folder / "apis"):
        info = item / "apiInformation.json"
        if info.is_file():
            out.apis.append(_versioned(_api(item, _props(info)), _props(info), version_sets))
    for item in _folders(folder / "products"):
        out.products.append(_product(item))
    return out


def _api(folder: Path, props: dict) -> dict:
    api = {"name": folder.name, "path": str(props.get("path") or ""),
           "subscriptionRequired": bool(props.get("subscriptionRequired", True)),
           "operations": _operations(folder)}
    names = props.get("subscriptionKeyParameterNames")
    if isinstance(names, dict):
        api["subscriptionKeyParameterNames"] = {k: v for k, v in names.items() if k in ("header", "query") and v}
    if isinstance(props.get("serviceUrl"), str) and props["serviceUrl"]:
        api["backend"] = {"url": props["serviceUrl"]}
    if _policy(folder):
        api["policy"] = _policy(folder)
    return api


def _versioned(api: dict, props: dict, version_sets: dict) -> dict:
    """An API of a version set: ``Segment`` versioning puts the version after the API's path; ``Query`` and
    ``Header`` versioning keep the path and select the API by the version the request names."""
    version = str(props.get("apiVersion") or "")
    set_id = str(props.get("apiVersionSetId") or "").rstrip("/").rsplit("/", 1)[-1].lower()
    scheme = version_sets.get(set_id, {})
    kind = str(scheme.get("versioningScheme") or "Segment").lower()
    if not version or not set_id:
        return api
    if kind == "segment":
        api["path"] = "/".join(p for p in (api["path"].strip("/"), version) if p)
    elif kind == "query":
        api["version"] = ("query", str(scheme.get("versionQueryName") or "api-version"), version)
    elif kind == "header":
        api["version"] = ("header", str(scheme.get("versionHeaderName") or "Api-Version"), version)
    return api


def _specification(folder: Path):
    for name in ("specification.json", "specification.yaml", "specification.yml"):
        path = folder / name
        if not path.is_file():
            continue
        if path.suffix == ".json":
            return _json(path), path
        import yaml  # PyYAML (a dependency), imported only when a folder has a YAML specification
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8-sig")), path
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise GatewayLoadError(f"the specification is not valid YAML: {exc}", path,
                                   line + 1 if line is not None else None) from None
    return None, None


def _operations(folder: Path) -> list:
    spec, path = _specification(folder)
    operations = []
    for url_template, item in ((spec or {}).get("paths") or {}).items():
        for method, op in (item or {}).items():
            if method.lower() not in METHODS or not isinstance(op, dict):
                continue
            name = op.get("operationId") or f"{method}-{url_template}"
            operation = {"name": name, "method": method.upper(), "urlTemplate": url_template,
                         "examples": _examples(op)}
            policy = _policy(folder / "operations" / name)
            if policy:
                operation["policy"] = policy
            operations.append(operation)
    known = {o["name"].lower() for o in operations}
    for item in _folders(folder / "operations"):
        if item.name.lower() not in known and _policy(item):
            raise GatewayLoadError(f"the operation '{item.name}' has a policy but is not in the API's "
                                   "specification", item / "policy.xml")
    return operations


def _examples(op: dict) -> dict:
    out = {}
    for status, response in (op.get("responses") or {}).items():
        if not str(status).isdigit() or not isinstance(response, dict):
            continue
        for content_type, media in (response.get("content") or {}).items():
            if not isinstance(media, dict):
                continue
            example = media.get("example")
            if example is None and isinstance(media.get("examples"), dict) and media["examples"]:
                first = next(iter(media["examples"].values()))
                example = first.get("value") if isinstance(first, dict) else None
            if example is not None:
                text = example if isinstance(example, str) else json.dumps(example)
                out[(int(status), content_type)] = text.encode("utf-8")
    return out


def _product(folder: Path) -> dict:
    product = {"name": folder.name, "apis": []}
    listing = folder / "apis.json"
    if listing.is_file():
        data = _json(listing)
        product["apis"] = [a["name"] for a in data if isinstance(a, dict) and isinstance(a.get("name"), str)] \
            if isinstance(data, list) else []
    product["apis"] += [p.name for p in _folders(folder / "apis") if p.name not in product["apis"]]
    if _policy(folder):
        product["policy"] = _policy(folder)
    return product
