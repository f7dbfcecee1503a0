"""docs/deploy.md's compose file and Kubernetes manifest: valid YAML whose emulator commands the CLI accepts."""

from __future__ import annotations

import re

import yaml

from emulator.cli.main import _load_extensions, build_parser
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
YAML_BLOCKS = [yaml.safe_load_all(m.group(1)) for m in re.finditer(r"^```yaml\n(.*?)^```", DOC, re.S | re.M)]


def parsed(argv: list[str]):
    assert argv[:3] == ["python", "-m", "emulator"], argv
    _load_extensions()
    return build_parser().parse_args(argv[3:])


def test_the_compose_file_runs_emulators_on_the_shared_redis():
    compose = next(doc for block in YAML_BLOCKS for doc in block if doc and "services" in doc)
    services = compose["services"]
    assert services["redis"]["command"][:3] == ["redis-server", "--appendonly", "yes"]
    args = parsed(services["emulator"]["command"])
    assert args.command == "serve" and args.state == "redis://redis:6379/0" and args.host == "0.0.0.0"
    assert args.port == 7071 and args.paths == ["/flows"]
    assert "emulator" in services["lb"]["depends_on"]
    assert "proxy_pass $emulator;" in DOC and "set $emulator http://emulator:7071;" in DOC


def test_the_kubernetes_manifest_runs_replicas_on_the_shared_redis():
    docs = [doc for block in YAML_BLOCKS for doc in block if doc and "kind" in doc]
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    emulator = by[("Deployment", "emulator")]["spec"]
    container = emulator["template"]["spec"]["containers"][0]
    args = parsed(container["args"])
    assert args.state == "redis://redis:6379/0" and args.paths == ["/flows"]
    assert emulator["replicas"] > 1
    assert emulator["selector"]["matchLabels"] == emulator["template"]["metadata"]["labels"]
    assert by[("Service", "emulator")]["spec"]["ports"][0]["targetPort"] == args.port
    assert by[("Service", "redis")]["spec"]["ports"][0]["port"] == 6379
    assert by[("Deployment", "redis")]["spec"]["template"]["spec"]["containers"][0]["args"][:2] == \
        ["--appendonly", "yes"]
