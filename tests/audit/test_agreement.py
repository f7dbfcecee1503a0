"""What the audit says a refused caller gets agrees with what the emulator answers, run in-process with a
wrong token (``python -m emulator run``), and the host's own refusals asked of the server in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.cli import main
from tests.audit import audit

ROOT = Path(__file__).resolve().parent.parent.parent
FLOWS = Path(__file__).parent / "flows"
NO_BRANCH = {"definition": {
    "parameters": {"apiKey": {"type": "SecureString", "defaultValue": "good"}},
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
    "actions": {"Check_key": {
        "type": "If", "runAfter": {},
        "expression": "@equals(triggerOutputs()?['headers']?['x-api-key'], parameters('apiKey'))",
        "actions": {"Ok": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200}, "runAfter": {}}}}}}}


def run_wrong(capsys, flow: Path, *request) -> dict:
    assert main(["run", str(flow), *request, "--json"]) in (0, 1, 3)  # 3: skipped (README, run exit codes)
    return json.loads(capsys.readouterr().out)


def refused_in_flow(flow: Path) -> list[dict]:
    (trigger,) = audit([flow]).triggers
    return [r for r in trigger.refused if "check in" in r["when"] or "trigger condition" in r["when"]]


@pytest.mark.parametrize("flow,request_args", [
    (ROOT / "flows" / "token-in-header.json", ["--header", "x-api-token: wrong"]),
    (ROOT / "flows" / "token-in-path.json", ["--method", "GET", "--path", "/secure/wrong"]),
    (FLOWS / "token-reflection.json", ["--header", "x-api-key: wrong"]),
])
def test_refused_by_a_condition(capsys, flow, request_args):
    (refused,) = refused_in_flow(flow)
    answer = run_wrong(capsys, flow, *request_args)
    assert answer["response"]["status"] == refused["status"] == 401


def test_refused_by_a_trigger_condition(capsys):
    flow = ROOT / "flows" / "secret-key-condition.json"
    (refused,) = refused_in_flow(flow)
    assert refused["status"] == 202
    answer = run_wrong(capsys, flow, "--header", "secretKey: wrong")
    assert answer["skipped"] is True and answer["response"]["status"] == refused["status"]


def test_no_response_in_the_failing_branch(capsys, tmp_path):
    flow = tmp_path / "no-branch.json"
    flow.write_text(json.dumps(NO_BRANCH))
    (refused,) = refused_in_flow(flow)
    assert (refused["status"], refused["leaks"]) == (502, True)
    answer = run_wrong(capsys, flow, "--header", "x-api-key: wrong")
    assert answer["response"] is None and answer["run"]["status"] == "Succeeded"  # the server answers 502
    assert {f.rule for f in audit([flow]).findings} == {"missing-unauthorized-branch"}


# -- the host's own refusals, asked of the server in-process ----------------------------------------------

SERVED = [ROOT / "flows" / "token-in-header.json", ROOT / "flows" / "oauth-protected.json",
          FLOWS / "sas-only.fixed-ip-rules.json"]


async def _ask(server, workflow: str, signed: bool):
    from emulator.server import urls
    from emulator.server.call import CallRequest, call

    entry = server.registry.find(workflow)
    url = urls.callback(server.keys, entry, entry.trigger("manual"), "http://127.0.0.1")["value"]
    answer = await call(server, CallRequest("POST", url if signed else url.split("&sig=")[0]))
    return answer.status, json.loads(answer.body)["error"]["code"]


@pytest.mark.parametrize("workflow,signed", [("token-in-header", False), ("oauth-protected", False),
                                             ("sas-only.fixed-ip-rules", True)])
async def test_host_refusals_agree_with_the_server(tmp_path, workflow, signed):
    from emulator.server.app import Server, ServerConfig

    server = Server(ServerConfig(paths=[str(p) for p in SERVED], state_dir=None, reload_interval=0))
    try:
        status, code = await _ask(server, workflow, signed)
    finally:
        server.close()
    (trigger,) = [t for t in audit(SERVED).triggers if t.workflow == workflow]
    host = [(r["status"], r["code"]) for r in trigger.refused if "code" in r]
    assert (status, code) == host[0]
