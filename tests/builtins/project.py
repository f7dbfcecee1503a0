"""Write a small Standard project (or an integration-account folder) to disk and run one of its workflows."""

from __future__ import annotations

import json
from pathlib import Path

from emulator.runtime import RunOptions, VirtualClock, run_to_end
from tests.definitions.helpers import load_path

REQUEST = {"manual": {"type": "Request", "kind": "Http"}}


def standard_project(root: Path, actions: dict, *, maps=None, schemas=None, name="wf") -> Path:
    """``root/<name>/workflow.json`` plus ``root/Artifacts/Maps`` and ``Schemas``; returns ``root``."""
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / "host.json").write_text(json.dumps({"version": "2.0"}))
    definition = {"definition": {"triggers": REQUEST, "actions": actions}, "kind": "Stateful"}
    (root / name / "workflow.json").write_text(json.dumps(definition))
    write_artifacts(root / "Artifacts", maps=maps, schemas=schemas)
    return root


def write_artifacts(folder: Path, *, maps=None, schemas=None) -> Path:
    for kind, files in (("Maps", maps), ("Schemas", schemas)):
        if files:
            (folder / kind).mkdir(parents=True, exist_ok=True)
            for file_name, text in files.items():
                (folder / kind / file_name).write_text(text, encoding="utf-8")
    return folder


async def run_path(path: Path, body=None, *, content_type="application/xml", mocks=None, artifacts=None):
    result = load_path(path)
    assert not result.errors, [str(p) for p in result.errors]
    wf = result.workflows[0]
    outputs = {"headers": {"Content-Type": content_type}}
    if body is not None:
        outputs["body"] = body
    options = RunOptions(mocks=mocks, clock=VirtualClock(), artifacts=artifacts)
    response, record, _ = await run_to_end(wf, None, outputs, options)
    return response, record


def xml_body(text: str) -> dict:
    """A trigger body as the host keeps an XML request: a ``$content`` envelope."""
    from emulator.expressions.values import Blob

    return Blob(text.encode("utf-8"), "application/xml")
