"""Every shell block of the README and docs/*.md runs as written, from a clone-like copy of the repository.

The copy holds the tracked files (mtimes kept, so ``make`` sees the installed venv as up to date), the
repository's ``.venv`` linked in, and ``../shared`` linked next to it when it exists. Conventions in the
docs: a trailing ``# exit N`` gives a command's expected exit code (default 0); a ``curl -i`` followed by
``# NNN ...`` (same line or the next comment line) expects that HTTP status. Blocks that need a server
run against ``serve flows`` started as the docs start it, on a free port instead of 7071.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED

BLOCK = re.compile(r"^( *)```(?:sh|bash)\n(.*?)^\1```", re.S | re.M)
EXPECT_STATUS = re.compile(r"#.*?\b([1-5]\d\d)\b")
EXPECT_EXIT = re.compile(r"#\s*exit (\d+)")
pytestmark = pytest.mark.skipif(not shutil.which("bash") or not (ROOT / ".venv" / "bin" / "python").exists(),
                                reason="needs bash and the repository's .venv (make setup)")


def blocks(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return [textwrap.dedent(m.group(2)) for m in BLOCK.finditer(text)]


def commands(block: str) -> list[str]:
    """Commands of a block, backslash continuations joined, comment-only lines dropped."""
    out, current = [], ""
    for line in block.splitlines():
        if current:
            current += "\n" + line
        elif line.strip() and not line.lstrip().startswith("#"):
            current = line
        if current and not line.rstrip().endswith(("\\", "|", "{", "&&")):
            out.append(current)
            current = ""
    return out


def expected_statuses(block: str) -> list[int]:
    """The status each ``curl -i`` expects, from its trailing comment or the comment line after it."""
    lines = block.splitlines()
    found = []
    for i, line in enumerate(lines):
        if "curl" in line and " -i" in line:
            tail = [line.split("#", 1)[1]] if "#" in line and "'#" not in line else []
            j = i
            while j + 1 < len(lines) and lines[j].rstrip().endswith("\\"):
                j += 1
                tail = [lines[j].split("#", 1)[1]] if "#" in lines[j] else tail
            if not tail and j + 1 < len(lines) and lines[j + 1].lstrip().startswith("#"):
                tail = [lines[j + 1]]
            match = EXPECT_STATUS.search("#" + tail[0]) if tail else None
            assert match, f"no expected status after: {line}"
            found.append(int(match.group(1)))
    return found


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("clone")
    repo = base / "repo"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:
        pytest.skip("the repository's file list needs git")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    if SHARED.is_dir():
        (base / "shared").symlink_to(SHARED)
    return repo


def bash(script: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def test_make_targets_the_readme_names_exist(checkout):
    for block in blocks("README.md"):
        for command in commands(block):
            if command.startswith("make "):
                target = command.split()[1]
                dry = bash(f"make -n {target}", checkout)
                assert dry.returncode == 0, dry.stderr
                assert "pip install" not in dry.stdout, "make would reinstall: the stamp should be up to date"


DOCS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]


def _needs_server(command: str) -> bool:
    return any(word in command for word in ("curl", "$(url", "url()", " serve", "emulator token", "127.0.0.1")) or \
        command.startswith("make ")


@pytest.mark.parametrize("doc", DOCS)
def test_cli_commands_of_the_docs(doc, checkout):
    for block in blocks(doc):
        for command in commands(block):
            if _needs_server(command):
                continue  # make test is this suite; serve and curl: the walk-throughs below
            if "../shared" in command and not SHARED.is_dir():
                continue
            want = EXPECT_EXIT.search(command)
            out = bash(command, checkout)
            assert out.returncode == (int(want.group(1)) if want else 0), (command, out.stdout[-2000:], out.stderr)
            assert "Traceback" not in out.stderr, (command, out.stderr)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(checkout):
    """``serve flows`` as the docs start it, on a free port: (port, the lines it printed before serving)."""
    port = _free_port()
    proc = subprocess.Popen([".venv/bin/python", "-m", "emulator", "serve", "flows", "--port", str(port)],
                            cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printed = []
    for line in proc.stdout:
        printed.append(line.rstrip("\n"))
        if line.startswith("Serving on"):
            break
    else:
        pytest.fail("serve stopped: " + "\n".join(printed))
    yield port, printed
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.stdout.close()


def _session(doc: str) -> str:
    """The blocks of a walk-through that talk to the server, as one shell session (``url()`` comes from the
    server walk-through, which defines it)."""
    session = "\n".join(b for b in blocks(doc) if "curl" in b or "url()" in b or "emulator token" in b)
    if "$(url " in session and "url()" not in session:
        session = "\n".join(b for b in blocks("docs/server.md") if "url()" in b) + "\n" + session
    # the fixture's server stands in for the one a walk-through starts (make serve, emulator serve)
    return "\n".join(line for line in session.splitlines()
                     if not line.startswith("make ") and not re.search(r"-m emulator serve\b", line))


WALK_THROUGHS = [doc for doc in DOCS if _session(doc).count("curl ")]


@pytest.mark.skipif(not shutil.which("curl"), reason="the walk-throughs use curl")
@pytest.mark.parametrize("doc", WALK_THROUGHS)
def test_walk_through_against_the_server(doc, checkout, served):
    script = _session(doc).replace("127.0.0.1:7071", f"127.0.0.1:{served[0]}")
    out = bash("set -e\n" + script, checkout)
    assert out.returncode == 0, (out.stdout[-3000:], out.stderr[-3000:])
    got = [int(s) for s in re.findall(r"HTTP/1\.1 (\d{3}) ", out.stdout)]
    assert got == expected_statuses(script), out.stdout[-3000:]
    if doc == "docs/server.md":
        assert len(got) >= 8


def test_the_docs_use_the_venv_python():
    for doc in DOCS:
        for block in blocks(doc):
            for command in commands(block):
                assert not re.search(r"(^|[\s$(])python3? -m emulator", command), (doc, command)
    assert sys.executable  # the suite's own interpreter is not what the docs use


@pytest.mark.skipif(not shutil.which("curl"), reason="the examples are curl commands")
def test_the_calls_serve_prints_work_when_pasted(checkout, served):
    lines = [line.strip() for line in served[1]]
    calls = [line for line in lines if line.startswith(("curl ", "TOKEN="))]
    assert sum(line.startswith("curl ") for line in calls) >= 10
    session, expected = [], []
    for line in calls:
        session.append(line)
        if line.startswith("curl "):
            expected.append("refused 401" if "# refused" in line else "2xx")
    out = bash("set -e\n" + "\n".join(session), checkout)
    assert out.returncode == 0, out.stderr[-2000:]
    got = [int(s) for s in re.findall(r"HTTP/1\.1 (\d{3}) ", out.stdout)]
    assert [("2xx" if 200 <= s < 300 else f"refused {s}") for s in got] == expected, out.stdout[-4000:]
