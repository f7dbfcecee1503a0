"""Behaviours observed on real hosts (issue 10), end to end on a real socket with the real runtime."""

from __future__ import annotations

import asyncio

from tests.server.flowdefs import ECHO, flow


async def test_management_api_shows_a_terminated_run_code(serve_real):
    live = await serve_real({"stop.json": flow({"Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed"}}})})
    _, headers, _ = await live.call("POST", live.url("stop"))
    run_id = headers["x-ms-workflow-run-id"]
    await asyncio.sleep(0.05)
    _, _, run = await live.call_json("GET", f"{live.base}/workflows/stop/runs/{run_id}")
    assert run["properties"]["status"] == "Failed" and run["properties"]["code"] == "Terminated"


async def test_a_response_returns_a_mocked_binary_answer_with_its_type(serve_real):
    doc = flow({"Get": {"type": "Http", "inputs": {"method": "GET", "uri": "https://files.test/report"}},
                "Answer": {"type": "Response", "inputs": {"statusCode": 200, "body": "@body('Get')"},
                           "runAfter": {"Get": ["Succeeded"]}}})
    mocks = {"actions": {"Get": {"statusCode": 200, "body": "col1;col2",
                                 "headers": {"Content-Type": "application/vnd.ms-excel; charset=windows-1252"}}}}
    live = await serve_real({"report.json": doc, "report.mocks.json": mocks})
    status, headers, data = await live.call("POST", live.url("report"))
    assert status == 200 and data == b"col1;col2"
    assert headers["Content-Type"] == "application/vnd.ms-excel; charset=windows-1252"


async def test_json_nested_1000_deep_is_a_400_with_the_host_envelope(serve_real):
    live = await serve_real({"echo.json": ECHO})
    deep = b"[" * 1000 + b"]" * 1000
    status, _, out = await live.call_json("POST", live.url("echo"), data=deep,
                                          headers={"Content-Type": "application/json"})
    assert status == 400 and out["error"]["code"] == "InvalidRequestContent"
    status, _, out = await live.call_json("POST", live.url("echo"), data=b'{"a": x}',
                                          headers={"Content-Type": "application/json"})
    assert status == 400 and out["error"]["message"] == (
        "The request content is not valid and could not be deserialized: 'Unexpected character encountered while "
        "parsing value: x. Path 'a', line 1, position 7.'.")


def _standard(tmp_path, workflows: dict):
    import json

    project = tmp_path / "project"
    project.mkdir()
    (project / "host.json").write_text(json.dumps({"version": "2.0"}))
    for name, doc in workflows.items():
        (project / name).mkdir()
        (project / name / "workflow.json").write_text(json.dumps({**doc, "kind": "Stateful"}))
    return project


ECHO_TRIGGER = {"type": "Response", "inputs": {"statusCode": 200, "body": {
    "trigger": "@trigger()", "queries": "@triggerOutputs()?['queries']"}}}


async def test_standard_request_trigger_without_method_accepts_any_method(serve_real, tmp_path):
    project = _standard(tmp_path, {"anymethod": flow({"R": ECHO_TRIGGER}),
                                   "postonly": flow({"R": ECHO_TRIGGER}, {"method": "POST"})})
    consumption = tmp_path / "flows"
    consumption.mkdir()
    (consumption / "classic.json").write_text(__import__("json").dumps(flow({"R": ECHO_TRIGGER})))
    live = await serve_real([project, consumption])
    for method in ("GET", "PUT", "DELETE", "POST"):
        assert (await live.call(method, live.url("anymethod")))[0] == 200, method
    status, _, out = await live.call_json("GET", live.url("postonly"))
    assert status == 400 and out["error"]["code"] == "TriggerRequestMethodNotValid"
    status, _, out = await live.call_json("GET", live.url("classic"))
    assert status == 400 and out["error"]["code"] == "TriggerRequestMethodNotValid"
    from emulator.server import banner

    text = "\n".join(banner.lines(live.server, live.base))
    assert "trigger manual: any method" in text and "trigger manual: POST" in text


async def test_standard_queries_hold_only_the_callers_parameters_and_trigger_has_no_kind(serve_real, tmp_path):
    live = await serve_real([_standard(tmp_path, {"echo": flow({"R": ECHO_TRIGGER})})])
    _, _, out = await live.call_json("POST", live.url("echo") + "&name=Ada&x=1")
    assert out["queries"] == {"name": "Ada", "x": "1"}
    assert "kind" not in out["trigger"] and "inputs" not in out["trigger"]
    _, _, out = await live.call_json("POST", live.url("echo"))
    assert out["queries"] is None  # no 'queries' key at all when the caller sent none
    assert "queries" not in out["trigger"]["outputs"]


async def test_consumption_keeps_sas_queries_kind_and_inputs(serve_real):
    live = await serve_real({"echo.json": flow({"R": ECHO_TRIGGER})})
    _, _, out = await live.call_json("POST", live.url("echo"))
    assert set(out["queries"]) == {"api-version", "sp", "sv", "sig"}
    assert out["trigger"]["kind"] == "Http" and out["trigger"]["inputs"] == {}


async def test_a_condition_that_fails_leaves_a_failed_trigger_history_entry(serve_real):
    doc = flow({"R": {"type": "Response", "inputs": {"statusCode": 200}}},
               conditions=[{"expression": "@equals(div(1, triggerBody()?['n']), 1)"}])
    live = await serve_real({"cond.json": doc})
    status, _, out = await live.call_json("POST", live.url("cond"), json={"n": 0})
    assert status == 400 and out["error"]["code"] == "InvalidTemplate"
    assert (await live.call("POST", live.url("cond"), json={"n": 2}))[0] == 202  # false: Skipped
    _, _, hist = await live.call_json("GET", f"{live.base}/workflows/cond/triggers/manual/histories")
    failed, skipped = sorted((h["properties"] for h in hist["value"]), key=lambda p: p["status"])
    assert failed["status"] == "Failed" and failed["fired"] is False
    assert failed["error"] == out["error"]
    assert skipped["status"] == "Skipped" and "error" not in skipped


async def test_malformed_headers_get_the_host_envelope_and_no_traceback(serve_real, caplog):
    import logging

    live = await serve_real({"echo.json": ECHO})
    port = int(live.base.rsplit(":", 1)[1])
    caplog.set_level(logging.INFO)
    for head in (b"Bad Header: x", b"X-Secret: a\x01b", b"X-(A): b"):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /workflows/echo HTTP/1.1\r\nHost: a\r\n" + head + b"\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        raw = await reader.read()
        writer.close()
        head_part, _, body = raw.partition(b"\r\n\r\n")
        assert head_part.split(b"\r\n")[0].endswith(b"400 Bad Request")
        assert b"Content-Type: application/json; charset=utf-8" in head_part
        error = __import__("json").loads(body)["error"]
        assert error["code"] == "BadRequest" and error["message"].startswith("The request is not a valid HTTP")
        assert b"a\\x01b" not in body
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)
    assert "refused a malformed request" in caplog.text
