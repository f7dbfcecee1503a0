"""The pytest plugin as users meet it: a pytest run in a subprocess (entry point pytest11), failures that
print the run tree, flow test files collected, pytest-xdist."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[2] / "flows"

USER_TESTS = f'''
FLOWS = {str(FLOWS)!r}

def test_status(logic_apps):
    logic_apps.load(FLOWS + "/token-in-path.json")
    result = logic_apps.invoke("token-in-path", method="GET", path="/secure/guess")
    assert result.status == 200

def test_action_status(logic_apps):
    logic_apps.load(FLOWS + "/send-email.json")
    result = logic_apps.invoke("send-email", json={{"to": "a", "subject": "b", "body": "c"}})
    assert result.run.action("Send_an_email_(V2)").status == "Succeeded"

def test_body(logic_apps):
    logic_apps.load(FLOWS + "/token-in-path.json")
    result = logic_apps.invoke("token-in-path", method="GET", path="/secure/guess")
    assert result.json() == {{"status": "authorized"}}

def test_bare(logic_apps):
    logic_apps.load(FLOWS + "/token-in-path.json")
    result = logic_apps.invoke("token-in-path", method="GET", path="/secure/guess")
    assert result.run.query("actions.Unauthorized.outputs.statusCode") + 0 == 200

def test_passes(logic_apps_server):
    logic_apps_server.load(FLOWS + "/token-in-path.json")
    import urllib.request
    url = logic_apps_server.url("token-in-path", path="/secure/s3cr3t-token")
    assert urllib.request.urlopen(url).status == 200
'''


def pytest_run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", *args,
                           str(folder)], cwd=folder, capture_output=True, text=True, timeout=120)


def test_failed_asserts_print_the_run_tree(tmp_path):
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    out = pytest_run(tmp_path)
    text = out.stdout
    assert out.returncode == 1 and "4 failed, 1 passed" in text, text + out.stderr
    status_part = text.split("_ test_status _")[1].split("_ test_action_status _")[0]
    assert "assert 401 == 200" in status_part and "the run (in full under 'run tree' below):" in status_part
    assert "run tree" in status_part and "Unauthorized  Succeeded  Unauthorized" in status_part
    action_part = text.split("_ test_action_status _")[1].split("_ test_body _")[0]
    assert "NoMockFound: No mock matches the call of action 'Send_an_email_(V2)'" in action_part
    body_part = text.split("_ test_body _")[1]
    assert "Differing items" in body_part and "[else]" in body_part  # pytest's own diff, then the tree
    bare_part = text.split("_ test_bare _")[1]
    assert "run tree" in bare_part and "Authorized  Skipped" in bare_part


def test_flowtest_files_are_collected_and_failures_name_case_and_expectation(tmp_path):
    for name in ("token-in-path.json", "token-in-path.flowtest.json", "secret-key-condition.json",
                 "secret-key-condition.flowtest.yaml"):
        shutil.copy(FLOWS / name, tmp_path / name)
    (tmp_path / "wrong.flowtest.json").write_text(
        '{"flow": "token-in-path.json", "cases": [{"name": "expects the wrong status",'
        ' "request": {"path": "/secure/guess"}, "expect": {"status": 200}}]}')
    out = pytest_run(tmp_path, "-v")
    text = out.stdout
    assert out.returncode == 1 and "1 failed, 6 passed" in text, text + out.stderr
    assert "token-in-path.flowtest.json::right token: 200 PASSED" in text  # -v names the node id as it is
    ids = pytest_run(tmp_path, "--collect-only", "-q").stdout
    assert "token-in-path.flowtest.json::right token: 200" in ids
    assert "secret-key-condition.flowtest.yaml::header condition false: 202 and no run" in ids
    assert "case 'expects the wrong status': expected status 200, got 401" in text
    assert "Unauthorized  Succeeded  Unauthorized" in text


def test_a_broken_flowtest_file_is_a_collection_error(tmp_path):
    (tmp_path / "bad.flowtest.json").write_text('{"flow": "x.json", "cases": []}')
    out = pytest_run(tmp_path)
    assert out.returncode != 0 and "$.cases: [] should be non-empty" in out.stdout, out.stdout


def test_fixtures_under_xdist(tmp_path):
    pytest.importorskip("xdist")
    lines = [f"FLOWS = {str(FLOWS)!r}"]
    for i in range(4):
        lines.append(f'''
def test_in_process_{i}(logic_apps):
    logic_apps.load(FLOWS + "/notify-with-token.json")
    logic_apps.mock_action("Send_an_email_(V2)")
    assert logic_apps.invoke("notify-with-token", path="/notify/s3cr3t-token", json={{}}).status == 200
    assert len(logic_apps.calls) == 1

def test_server_{i}(logic_apps_server):
    logic_apps_server.load(FLOWS + "/token-in-path.json")
    assert logic_apps_server.invoke("token-in-path", method="GET", path="/secure/s3cr3t-token").status == 200
''')
    (tmp_path / "test_parallel.py").write_text("\n".join(lines))
    out = pytest_run(tmp_path, "-n", "2")
    assert out.returncode == 0 and "8 passed" in out.stdout, out.stdout + out.stderr


def test_the_examples_in_docs_testing_md_pass(tmp_path):
    import re

    root = FLOWS.parent
    blocks = re.findall(r"```python\n(.*?)```", (root / "docs" / "testing.md").read_text(), re.S)
    tests = [b for b in blocks if "def test_" in b]
    assert len(tests) >= 2
    (tmp_path / "test_docs_examples.py").write_text("\n\n".join(tests))
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
                          str(tmp_path / "test_docs_examples.py")], cwd=root, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and "4 passed" in out.stdout, out.stdout + out.stderr


def test_async_tests_run_without_an_async_plugin_setting(tmp_path):
    """A project with no asyncio_mode and no marker: the plugin runs async tests that use its fixtures."""
    (tmp_path / "test_async_user.py").write_text(f'''
FLOWS = {str(FLOWS)!r}

async def test_in_process(logic_apps):
    logic_apps.load(FLOWS + "/token-in-path.json")
    result = await logic_apps.ainvoke("token-in-path", method="GET", path="/secure/s3cr3t-token")
    assert result.status == 200

async def test_server(logic_apps_server, tmp_path):
    logic_apps_server.load(FLOWS + "/token-in-path.json")
    result = await logic_apps_server.ainvoke("token-in-path", method="GET", path="/secure/guess")
    assert tmp_path.exists() and result.status == 200

from emulator.testing import LogicApps

@LogicApps(FLOWS + "/token-in-path.json")
async def test_decorated(la):
    assert (await la.ainvoke("token-in-path", method="GET", path="/secure/s3cr3t-token")).status == 200
''')
    out = pytest_run(tmp_path)
    assert out.returncode == 1 and "1 failed, 2 passed" in out.stdout, out.stdout + out.stderr
    assert "401 == 200" in out.stdout and "Unauthorized  Succeeded  Unauthorized" in out.stdout
