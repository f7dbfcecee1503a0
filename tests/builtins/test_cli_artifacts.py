"""``run --artifacts DIR`` and ``serve --artifacts DIR``: an integration-account folder for the built-ins."""

from __future__ import annotations

import json

import pytest

from emulator.cli import main

from .project import write_artifacts

pytest.importorskip("liquid")

FLOW = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
    "Shape": {"type": "Liquid", "kind": "JsonToText", "runAfter": {},
              "inputs": {"content": "@triggerBody()", "integrationAccount": {"map": {"name": "Hello"}}}},
    "Answer": {"type": "Response", "kind": "Http", "runAfter": {"Shape": ["Succeeded"]},
               "inputs": {"statusCode": 200, "body": "@body('Shape')"}}}}}


def test_run_with_an_integration_account_folder(tmp_path, capsys):
    account = write_artifacts(tmp_path / "account", maps={"Hello.liquid": "Hello, {{ content.name | Capitalize }}!"})
    flow = tmp_path / "hello.json"
    flow.write_text(json.dumps(FLOW))
    assert main(["run", str(flow), "--artifacts", str(account), "--data", '{"name": "ada"}', "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["response"]["body"] == "Hello, Ada!"
    assert main(["run", str(flow), "--data", '{"name": "ada"}', "--json"]) == 1  # the run failed
    out = json.loads(capsys.readouterr().out)
    assert out["response"] is None and out["run"]["actions"]["Shape"]["error"]["code"] == "MapNotFound"


def test_serve_passes_the_folder_to_the_runtime(tmp_path, monkeypatch):
    seen = {}

    async def fake_serve(config, *gateway):
        seen["run_options"] = config.run_options
        return 0

    from emulator.cli import serve as module
    monkeypatch.setattr(module, "serve", fake_serve)
    assert main(["serve", str(tmp_path), "--artifacts", str(tmp_path / "ia"), "--state-dir", str(tmp_path)]) == 0
    assert seen["run_options"] == {"artifacts": str(tmp_path / "ia")}
