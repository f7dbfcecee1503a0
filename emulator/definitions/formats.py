"""Where the workflow definition sits in each file format users have.

:func:`find_in_document` looks at one parsed JSON document and returns every definition in it
(:class:`Found`), with what travels with it (parameter values, accessControl, kind...).
:func:`read_file` reads a ``.json`` file or a ``.zip`` package; :func:`read_standard_project` a Standard
project folder (the loader walks other folders itself).

Formats: bare definition; code view ``{"definition", "parameters"}``; Standard ``workflow.json``
``{"definition", "kind"}``; ARM template ``Microsoft.Logic/workflows`` resources; gallery template and
Power Automate solution / legacy ``{"properties": {"definition"}}``; LogicAppsUX run-history mocks
``/properties/workflow/properties/definition``; Power Automate legacy package ``.zip``
(``Microsoft.Flow/flows/<id>/definition.json``); Standard project folder.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SIDE_FILES = {"connections.json", "parameters.json", "local.settings.json", "host.json", "mocks.json", "example.json"}
# sidecars that sit beside a flow file: <flow>.mocks.json (mocks), <flow>.access.json (access control),
# <flow>.example.json (the example call `serve` prints), <flow>.gateway.json (docs/gateway.md),
# <flow>.flowtest.json / .yaml / .yml (flow tests, docs/testing.md)
SIDE_SUFFIXES = (".mocks.json", ".access.json", ".example.json", ".gateway.json", ".flowtest.json",
                 ".flowtest.yaml", ".flowtest.yml")


@dataclass
class Found:
    name: str
    source: Path
    definition: dict
    json_path: str = "$"
    flavor: str = "consumption"
    kind: str | None = None
    parameter_values: dict = field(default_factory=dict)   # name -> value (already unwrapped)
    app_settings: dict = field(default_factory=dict)
    connections: dict | None = None
    access_control: dict | None = None
    state: str | None = None                               # properties.state / flow state, as written
    response_timeout: float | None = None                  # Standard host.json RequestTimeout (seconds)
    warnings: list = field(default_factory=list)           # (json_path, message)


class FormatError(Exception):
    def __init__(self, message: str, json_path: str = "$", column: int | None = None, code: str = "InvalidFile"):
        super().__init__(message)
        self.message = message
        self.json_path = json_path
        self.column = column
        self.code = code


def parse_json_bytes(data: bytes, where: str = "") -> object:
    """JSON text (UTF-8, BOM allowed) -> value; errors carry line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"the file is not UTF-8 text ({exc.reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                          column=exc.colno) from None


def is_definition(value) -> bool:
    return isinstance(value, dict) and (isinstance(value.get("triggers"), dict)
                                        or isinstance(value.get("actions"), dict)) and "type" not in value


def _unwrap_values(params) -> dict:
    """``{"p": {"value": v}}`` (code view, ARM, parameters.json) -> ``{"p": v}``."""
    out = {}
    if isinstance(params, dict):
        for name, spec in params.items():
            if isinstance(spec, dict) and "value" in spec:
                out[name] = spec["value"]
    return out


def _is_arm_expression(value) -> bool:
    return isinstance(value, str) and value.startswith("[") and value.endswith("]") and not value.startswith("[[")


def _arm_strings(value, path: str, out: list):
    if _is_arm_expression(value):
        out.append((path, value))
    elif isinstance(value, dict):
        for k, v in value.items():
            _arm_strings(v, f"{path}.{k}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _arm_strings(v, f"{path}[{i}]", out)


def find_in_document(doc, source: Path, name: str) -> list[Found]:
    """Every workflow definition in one parsed JSON document."""
    if not isinstance(doc, dict):
        return []
    if is_definition(doc):
        return [Found(name, source, doc, "$")]
    # Standard workflow.json / code view / {"$connections", "definition"}
    if is_definition(doc.get("definition")):
        kind = doc.get("kind")
        flavor = "standard" if kind is not None else "consumption"
        found = Found(name, source, doc["definition"], "$.definition", flavor=flavor,
                      kind=kind if isinstance(kind, str) else None,
                      parameter_values=_unwrap_values(doc.get("parameters")))
        if isinstance(doc.get("$connections"), dict):
            found.parameter_values.setdefault("$connections", doc["$connections"].get("value",
                                                                                     doc["$connections"]))
        props = doc.get("properties")
        if isinstance(props, dict) and isinstance(props.get("accessControl"), dict):
            found.access_control = props["accessControl"]
        if isinstance(props, dict) and isinstance(props.get("state"), str):
            found.state = props["state"]
        if isinstance(doc.get("accessControl"), dict):
            found.access_control = doc["accessControl"]
        if isinstance(doc.get("state"), str):
            found.state = doc["state"]
        return [found]
    # ARM template
    if isinstance(doc.get("resources"), list):
        return _find_in_arm(doc, source, name)
    props = doc.get("properties")
    if isinstance(props, dict):
        # gallery template, PA legacy definition.json, PA solution flow
        if is_definition(props.get("definition")):
            flavor = "consumption"
            if str(doc.get("type", "")).lower() == "microsoft.flow/flows" or "connectionReferences" in props \
                    or "schemaVersion" in doc:
                flavor = "power-automate"
            found = Found(name, source, props["definition"], "$.properties.definition", flavor=flavor,
                          parameter_values=_unwrap_values(props.get("parameters")))
            if isinstance(props.get("accessControl"), dict):
                found.access_control = props["accessControl"]
            if isinstance(props.get("state"), str):
                found.state = props["state"]
            return [found]
        # LogicAppsUX run-history mock
        wf = props.get("workflow")
        if isinstance(wf, dict) and isinstance(wf.get("properties"), dict) \
                and is_definition(wf["properties"].get("definition")):
            return [Found(name, source, wf["properties"]["definition"],
                          "$.properties.workflow.properties.definition")]
    return []


def _find_in_arm(doc: dict, source: Path, name: str) -> list[Found]:
    found: list[Found] = []
    resources = doc["resources"]
    for index, res in enumerate(resources):
        if not isinstance(res, dict) or str(res.get("type", "")).lower() != "microsoft.logic/workflows":
            continue
        props = res.get("properties")
        if not isinstance(props, dict) or not is_definition(props.get("definition")):
            continue
        base = f"$.resources[{index}].properties"
        res_name = res.get("name")
        wf_name = res_name if isinstance(res_name, str) and not _is_arm_expression(res_name) else None
        if wf_name is None:
            wf_name = name if len([r for r in resources if isinstance(r, dict)]) == 1 else f"{name}-{index}"
        item = Found(wf_name, source, props["definition"], f"{base}.definition", flavor="consumption",
                     parameter_values=_unwrap_values(props.get("parameters")),
                     access_control=props.get("accessControl") if isinstance(props.get("accessControl"),
                                                                              dict) else None,
                     state=props.get("state") if isinstance(props.get("state"), str)
                     and not _is_arm_expression(props["state"]) else None)
        arm: list = []
        _arm_strings(props.get("parameters"), f"{base}.parameters", arm)
        _arm_strings(item.access_control, f"{base}.accessControl", arm)
        for path, text in arm:
            item.warnings.append((path, f"ARM template expression '{text[:80]}' is not evaluated by the "
                                        "emulator; the literal string is used"))
        if _is_arm_expression(res_name):
            item.warnings.append((f"$.resources[{index}].name", f"ARM template expression '{res_name[:80]}' "
                                  f"is not evaluated; the workflow is named '{wf_name}'"))
        found.append(item)
    return found


# --------------------------------------------------------------------------- files, zips, folders

def read_file(path: Path) -> list[Found]:
    """The definitions in one file (``.json`` or ``.zip``). Raises FormatError."""
    if path.suffix.lower() == ".zip":
        return read_zip(path)
    doc = parse_json_bytes(path.read_bytes())
    name = path.parent.name if path.name.lower() == "workflow.json" else path.stem
    return find_in_document(doc, path, name)


def read_zip(path: Path) -> list[Found]:
    """Power Automate legacy package (``Microsoft.Flow/flows/<id>/definition.json``) or solution zip
    (``Workflows/*.json``)."""
    found: list[Found] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    except zipfile.BadZipFile as exc:
        raise FormatError(f"not a zip archive: {exc}") from None
    members = [m for m in archive.namelist() if m.lower().endswith(".json")]
    wanted = [m for m in members if _is_flow_member(m)]
    for member in wanted:
        try:
            doc = parse_json_bytes(archive.read(member))
        except FormatError as exc:
            raise FormatError(f"{member}: {exc.message}") from None
        stem = path.stem if len(wanted) == 1 else f"{path.stem}-{_member_id(member)}"
        for item in find_in_document(doc, path, stem):
            item.flavor = "power-automate"
            item.json_path = f"{member}!{item.json_path}"
            found.append(item)
    return found


def _is_flow_member(member: str) -> bool:
    parts = member.replace("\\", "/").split("/")
    low = [p.lower() for p in parts]
    if len(parts) >= 4 and low[0] == "microsoft.flow" and low[1] == "flows" and low[-1] == "definition.json":
        return True
    return len(parts) == 2 and low[0] == "workflows"


def _member_id(member: str) -> str:
    parts = member.replace("\\", "/").split("/")
    return parts[2] if parts[0].lower() == "microsoft.flow" else Path(parts[-1]).stem


def is_standard_project(folder: Path) -> bool:
    return any(child.is_dir() and (child / "workflow.json").is_file() for child in folder.iterdir())


def read_standard_project(folder: Path) -> tuple[list[Found], list[tuple[Path, FormatError]]]:
    """A Standard project: ``<name>/workflow.json`` + project-level connections/parameters/settings."""
    errors: list[tuple[Path, FormatError]] = []

    def side(name: str):
        file = folder / name
        if not file.is_file():
            return None
        try:
            return parse_json_bytes(file.read_bytes())
        except FormatError as exc:
            errors.append((file, exc))
            return None

    connections = side("connections.json")
    params = side("parameters.json")
    settings = side("local.settings.json")
    app_settings = dict(settings.get("Values") or {}) if isinstance(settings, dict) else {}
    param_values = _unwrap_values(params)
    timeout = _request_timeout(side("host.json"), folder / "host.json", errors)
    found: list[Found] = []
    for child in sorted(folder.iterdir()):
        wf_file = child / "workflow.json"
        if not (child.is_dir() and wf_file.is_file()):
            continue
        try:
            items = read_file(wf_file)
        except FormatError as exc:
            errors.append((wf_file, exc))
            continue
        for item in items:
            item.name = child.name
            item.flavor = "standard"
            item.connections = connections if isinstance(connections, dict) else None
            item.app_settings = dict(app_settings)
            item.parameter_values = {**param_values, **item.parameter_values}
            item.response_timeout = timeout
            found.append(item)
    return found, errors


REQUEST_TIMEOUT_SETTING = "Runtime.Backend.HttpOperation.RequestTimeout"
_TIMESPAN = re.compile(r"^\s*(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$")


def _request_timeout(host, file: Path, errors: list) -> float | None:
    """A Standard project's synchronous-response timeout from host.json
    (``extensions.workflow.settings["Runtime.Backend.HttpOperation.RequestTimeout"]``, a .NET TimeSpan)."""
    settings = (((host or {}).get("extensions") or {}).get("workflow") or {}).get("settings") \
        if isinstance(host, dict) else None
    if not isinstance(settings, dict) or REQUEST_TIMEOUT_SETTING not in settings:
        return None
    text = settings[REQUEST_TIMEOUT_SETTING]
    seconds = timespan_seconds(text) if isinstance(text, str) else None
    if seconds is None or seconds <= 0:
        errors.append((file, FormatError(f"{REQUEST_TIMEOUT_SETTING} '{text}' is not a positive TimeSpan "
                                         "such as '00:03:45'", f"$.extensions.workflow.settings"
                                         f"['{REQUEST_TIMEOUT_SETTING}']", code="InvalidHostSetting")))
        return None
    return seconds


def timespan_seconds(text: str) -> float | None:
    """``[d.]hh:mm[:ss[.fffffff]]`` (.NET TimeSpan) in seconds; None when it is not one."""
    m = _TIMESPAN.match(text)
    if m is None:
        return None
    days, hours, minutes, secs, fraction = m.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(secs or 0) > 59:
        return None
    return (int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(secs or 0)
            + (int(fraction) / 10 ** len(fraction) if fraction else 0.0))
