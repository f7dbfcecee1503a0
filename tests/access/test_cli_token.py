import subprocess
import sys
from pathlib import Path

import pytest

from emulator.cli import main
from emulator.cli.token import parse_claims
from emulator.server.keys_jwt import KeyStore, TokenError

from .conftest import AUDIENCE, TENANT

ROOT = Path(__file__).resolve().parents[2]


def test_token_command_prints_verifiable_token(tmp_path, capsys):
    rc = main(
        [
            "token",
            "--tenant",
            TENANT,
            "--aud",
            AUDIENCE,
            "--claim",
            "oid=abc",
            "--claim",
            "roles=a",
            "--claim",
            "roles=b",
            "--state-dir",
            str(tmp_path),
        ]
    )
    assert rc == 0
    token = capsys.readouterr().out.strip()
    claims = KeyStore(tmp_path).verify(token)
    assert claims["aud"] == AUDIENCE and claims["tid"] == TENANT and claims["oid"] == "abc"
    assert claims["roles"] == ["a", "b"] and claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["exp"] - claims["iat"] == 3600


def test_token_command_v2_and_expiry(tmp_path, capsys):
    assert (
        main(
            [
                "token",
                "--tenant",
                "t",
                "--aud",
                "api://x",
                "--issuer-style",
                "v2",
                "--expires-in",
                "-3600",
                "--state-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()
    with pytest.raises(TokenError, match="expired"):
        KeyStore(tmp_path).verify(token)


def test_token_command_state_dir_from_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LOGICAPPS_EMULATOR_STATE_DIR", str(tmp_path))
    assert main(["token", "--tenant", "t", "--aud", "a"]) == 0
    assert KeyStore(tmp_path).verify(capsys.readouterr().out.strip())["aud"] == "a"


def test_bad_claim_argument(tmp_path, capsys):
    assert (
        main(["token", "--tenant", "t", "--aud", "a", "--claim", "novalue", "--state-dir", str(tmp_path)])
        == 2
    )
    assert "NAME=VALUE" in capsys.readouterr().err


def test_parse_claims():
    assert parse_claims(["a=1", "exp=5", "b=x=y"]) == {"a": "1", "exp": 5, "b": "x=y"}


def test_module_entry_point(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulator",
            "token",
            "--tenant",
            "t",
            "--aud",
            "a",
            "--state-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert KeyStore(tmp_path).verify(out.stdout.strip())["tid"] == "t"
