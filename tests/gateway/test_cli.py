"""``validate --gateway FILE`` and ``serve --gateway FILE`` with a configuration that does not load."""

from __future__ import annotations

import json
from pathlib import Path

from emulator.cli import main
from tests.gateway.conftest import inbound, write_gateway

ROOT = Path(__file__).resolve().parents[2]


def test_validate_the_demo(capsys):
    code = main(["validate", "--gateway", str(ROOT / "flows" / "orders.gateway.json"), str(ROOT / "flows")])
    assert code == 0, capsys.readouterr().out
    assert "1 API(s)" in capsys.readouterr().out


def test_validate_names_file_line_and_element(tmp_path, capsys):
    path = write_gateway(tmp_path, api_policy=inbound("\n\n<nonsense-policy />"))
    assert main(["validate", "--gateway", str(path), str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "api.xml, line 3, element <nonsense-policy>" in out and out.startswith("FAIL")


def test_validate_reports_a_backend_with_no_flow(tmp_path, capsys):
    path = write_gateway(tmp_path, api={"backend": {"workflow": "ghost"}})
    (tmp_path / "flows").mkdir()
    assert main(["validate", "--gateway", str(path), str(tmp_path / "flows")]) == 1
    assert "'ghost', which is not loaded" in capsys.readouterr().out


async def test_serve_stops_on_a_bad_gateway(tmp_path, capsys):
    from emulator.cli.serve import serve
    from emulator.server.app import ServerConfig

    path = write_gateway(tmp_path, api_policy=inbound('<set-header name="a" exists-action="sometimes" />'))
    (tmp_path / "flows").mkdir()
    config = ServerConfig(paths=[str(tmp_path / "flows")], port=0, state_dir=str(tmp_path / "state"),
                          reload_interval=0)
    assert await serve(config, str(path), 0) == 2
    err = capsys.readouterr().err
    assert "does not load" in err and "api.xml, line 1, element <set-header>" in err and "exists-action" in err


def test_schema_file_is_valid_json():
    schema = json.loads((ROOT / "emulator" / "gateway" / "gateway.schema.json").read_text())
    assert set(schema["properties"]) >= {"policy", "namedValues", "apis", "products", "subscriptions"}
