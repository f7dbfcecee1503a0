"""Maps and schemas the built-in transforms read, compiled once per file version.

Where an artifact is looked up, in order (the first folder that has it wins):

- ``map.source: "LogicApp"`` (Standard; the default for ``map`` without ``integrationAccount``): the
  project's ``Artifacts/Maps`` (``Artifacts/Schemas``), then the integration-account folder.
- ``integrationAccount.map`` (Consumption) or ``map.source: "IntegrationAccount"``: the integration-account
  folder given to ``serve``/``run`` (``--artifacts DIR``, holding ``Maps/`` and ``Schemas/``), then the
  project's ``Artifacts``.

The project's ``Artifacts`` folder is ``<project>/Artifacts`` for a Standard project
(``<project>/<workflow>/workflow.json``) and ``Artifacts`` beside the file for a single workflow file.
A name matches a file exactly or without its extension, case-insensitively (``OrderToJson`` finds
``OrderToJson.xslt``). Compiled artifacts are cached by path, size and modification time: an edited map
is compiled again on its next use, an unchanged one never.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ActionFailure

EXTENSIONS = {"Maps": (".xslt", ".xsl", ".liquid", ".lml"), "Schemas": (".xsd",)}
MISSING_CODE = {"Maps": "MapNotFound", "Schemas": "SchemaNotFound"}

_CACHE: dict[tuple, object] = {}
_CACHE_LIMIT = 256


def project_artifacts(workflow) -> Path | None:
    source = getattr(workflow, "source", None)
    if not source:
        return None
    return _beside(Path(source), getattr(workflow, "flavor", "") == "standard")


def _beside(source: Path, standard: bool) -> Path:
    if standard and source.name.lower() == "workflow.json":
        return source.parent.parent / "Artifacts"
    return source.parent / "Artifacts"


def reference(inputs: dict, key: str) -> tuple[str | None, str]:
    """``(name, source)`` of the ``map``/``schema`` an action names; source is "LogicApp" or
    "IntegrationAccount"."""
    account = inputs.get("integrationAccount")
    if isinstance(account, dict) and isinstance(account.get(key), dict):
        return _name(account[key]), "IntegrationAccount"
    ref = inputs.get(key)
    if isinstance(ref, dict):
        source = str(ref.get("source") or "LogicApp")
        return _name(ref), "IntegrationAccount" if source.lower() == "integrationaccount" else "LogicApp"
    if isinstance(ref, str):
        return ref, "LogicApp"
    flat = inputs.get(f"{key}Name")  # an older designer's shape: "mapName" / "schemaName"
    if isinstance(flat, str) and flat:
        return flat, "IntegrationAccount"
    return None, "LogicApp"


def _name(ref: dict) -> str | None:
    name = ref.get("name")
    return name if isinstance(name, str) and name else None


def roots(step, source: str) -> list[Path]:
    project = project_artifacts(step.run.workflow)
    account = getattr(step.run.options, "artifacts", None)
    account = Path(account) if account else None
    ordered = [project, account] if source == "LogicApp" else [account, project]
    return [p for p in ordered if p is not None]


def find(step, kind: str, name: str | None, source: str) -> Path:
    """The file of artifact ``name`` (``kind``: "Maps" or "Schemas"); a missing one fails the action."""
    what = kind[:-1].lower()
    if not name:
        raise ActionFailure("InvalidTemplate", f"The action '{step.name}' must name a {what}.")
    searched = []
    for root in roots(step, source):
        folder = root / kind if root.name != kind else root
        searched.append(str(folder))
        hit = _match(folder, name, EXTENSIONS[kind])
        if hit is not None:
            return hit
    where = ", ".join(searched) or "no artifacts folder (give one with --artifacts)"
    raise ActionFailure(MISSING_CODE[kind], f"The {what} '{name}' of action '{step.name}' was not found "
                        f"(searched: {where}).", record_code="NotFound")


def _match(folder: Path, name: str, extensions) -> Path | None:
    if not folder.is_dir() or "/" in name or "\\" in name or name in (".", ".."):
        return None
    exact = folder / name
    if exact.is_file():
        return exact
    low = name.lower()
    for child in sorted(folder.iterdir()):
        if not child.is_file():
            continue
        cname = child.name.lower()
        if cname == low or (child.suffix.lower() in extensions and cname[: -len(child.suffix)] == low):
            return child
    return None


def compiled(path: Path, compile_fn):
    """``compile_fn(data, path)`` for the file, computed once per (path, size, mtime)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, compile_fn)
    hit = _CACHE.get(key)
    if hit is None:
        hit = compile_fn(path.read_bytes(), path)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = hit
    return hit


def cached_text(text: str, compile_fn):
    """``compile_fn(data, None)`` for an inline artifact, computed once per distinct text."""
    key = ("inline", text, compile_fn)
    hit = _CACHE.get(key)
    if hit is None:
        hit = compile_fn(text.encode("utf-8"), None)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = hit
    return hit


def load(step, inputs: dict, key: str, compile_fn):
    """The compiled ``map``/``schema`` (``key``) an action names: inline ``content``, or a file found by
    :func:`find`; a failure to compile fails the action with the action's name in the message."""
    kind = "Maps" if key == "map" else "Schemas"
    ref = inputs.get(key)
    try:
        if isinstance(ref, dict) and isinstance(ref.get("content"), str):
            return cached_text(ref["content"], compile_fn)
        name, source = reference(inputs, key)
        return compiled(find(step, kind, name, source), compile_fn)
    except ActionFailure as failure:
        if not failure.error["message"].startswith("Action '"):
            failure.error["message"] = f"Action '{step.name}': {failure.error['message']}"
        raise


def prepare(action, compiler, key: str, compile_fn) -> None:
    """At load: compile the map or schema an action names literally, when it is inline or in the project's
    ``Artifacts`` (a warm cache for the first run); one that does not compile is a load warning (the run
    fails on it, as the host's does)."""
    raw = action.raw.get("inputs")
    if not isinstance(raw, dict) or not compiler.file or str(compiler.file).startswith("<"):
        return
    ref = raw.get(key)
    path = f"{action.path}.inputs.{key}"
    try:
        if isinstance(ref, dict) and isinstance(ref.get("content"), str):
            if "@" not in ref["content"][:1]:
                cached_text(ref["content"], compile_fn)
            return
        name, source = reference(raw, key)
        if not name or "@" in name or source != "LogicApp":
            return
        source_file = Path(compiler.file)
        standard = source_file.name.lower() == "workflow.json"
        kind = "Maps" if key == "map" else "Schemas"
        hit = _match(_beside(source_file, standard) / kind, name, EXTENSIONS[kind])
        if hit is not None:
            compiled(hit, compile_fn)
    except ActionFailure as failure:
        compiler.problem(path, failure.error["message"], code=failure.error["code"], severity="warning")
    except (OSError, ImportError):  # an unreadable file or a missing engine: the run reports it
        return
