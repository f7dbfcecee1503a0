"""In-process calls (``emulator.server.call``) answer exactly as the server does over a socket."""

from __future__ import annotations

import json
import re

from emulator.server.app import Server, ServerConfig
from emulator.server.call import CallRequest, call
from tests.server.flowdefs import ECHO, flow, response, wait

_IDS = re.compile(rb"\d{29}CU\d{2,3}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_VARYING = {"x-ms-workflow-run-id", "x-ms-correlation-id", "x-ms-client-tracking-id", "x-ms-trigger-history-name",
            "x-ms-tracking-id", "x-ms-request-id", "Date", "Content-Length", "Server", "Location"}

FLOWS = {
    "echo.json": ECHO,
    "paths.json": flow({"R": response(200, "@triggerOutputs()['relativePathParameters']")},
                       {"method": "GET", "relativePath": "/orders/{id}"}),
    "skip.json": flow({"R": response(200, "x")}, conditions=[{"expression": "@equals(triggerBody()?['go'], 1)"}]),
    "async.json": flow({"R": response(200, {"done": True}, operationOptions="Asynchronous")}),
    "noresp.json": flow({"C": {"type": "Compose", "inputs": 1}}),
    "schema.json": flow({"R": response(200, "ok")}, {"schema": {"type": "object", "required": ["a"]}},
                        operationOptions="EnableSchemaValidation"),
}


def _shape(status: int, headers, body: bytes) -> tuple:
    return status, _IDS.sub(b"<id>", body), {k: v for k, v in headers.items() if k not in _VARYING}


def _cases(live) -> list[tuple]:
    echo = live.url("echo")
    path, query = echo.split(live.base, 1)[1].split("?")
    return [
        ("POST", echo, {"Content-Type": "application/json", "X-A": "1"}, b'{"a": 1}'),
        ("POST", echo + "&x=1&x=2", {"Content-Type": "text/plain", "Authorization": "Bearer t"}, b"hi"),
        ("POST", echo, {"Content-Type": "application/json"}, b"{nope"),
        ("GET", echo, {}, b""),
        ("POST", f"{live.base}{path}?{query.replace('sig=', 'sig=x')}", {}, b""),
        ("POST", f"{live.base}{path}?{query.replace('api-version=2016-10-01&', '')}", {}, b""),
        ("POST", f"{live.base}{path}/extra?{query}", {}, b""),
        ("POST", f"{live.base}{path.replace('/workflows/', '/workflows/nope')}?{query}", {}, b""),
        ("POST", echo.replace("/paths/invoke?", "/run?"), {}, b""),
        ("GET", live.url("paths", relative="orders/a%20b"), {}, b""),
        ("GET", live.url("paths", relative="other/1"), {}, b""),
        ("POST", live.url("skip"), {"Content-Type": "application/json"}, b'{"go": 2}'),
        ("POST", live.url("skip"), {"Content-Type": "application/json"}, b'{"go": 1}'),
        ("POST", live.url("async"), {}, b""),
        ("POST", live.url("noresp"), {}, b""),
        ("POST", live.url("schema"), {"Content-Type": "application/json"}, b"{}"),
        ("GET", f"{live.base}/workflows/x/triggers/manual/paths/invokeX", {}, b""),
    ]


async def test_in_process_answers_equal_socket_answers(serve):
    live = await serve(FLOWS)
    for method, url, headers, body in _cases(live):
        status, got_headers, data = await live.call(method, url, headers=headers, data=body or None)
        if status == 200 and data.startswith(b'{"headers":'):  # echoed: the headers the socket call carried
            headers = json.loads(data)["headers"]
        answer = await call(live.server, CallRequest(method, url, headers=headers, body=body))
        assert _shape(answer.status, answer.headers, answer.body) == _shape(status, got_headers, data), url
        assert ("x-ms-workflow-run-id" in answer.headers) == ("x-ms-workflow-run-id" in got_headers)


async def test_answer_carries_the_run_and_polling_works(tmp_path):
    folder = tmp_path / "flows"
    folder.mkdir()
    doc = flow({"Wait": wait(0.2), "R": dict(response(201, {"done": True}, operationOptions="Asynchronous"),
                                             runAfter={"Wait": ["Succeeded"]})})
    (folder / "a.json").write_text(json.dumps(doc))
    server = Server(ServerConfig(paths=[str(folder)], state_dir=None, reload_interval=0, auth="none"))
    answer = await call(server, CallRequest("POST", "/workflows/a/triggers/manual/paths/invoke?api-version=1",
                                            headers={"Host": "example.test"}))
    assert answer.status == 202 and answer.run_id == answer.headers["x-ms-workflow-run-id"]
    location = answer.headers["Location"]
    assert location.startswith("http://example.test/workflows/")
    poll = CallRequest("GET", location)
    assert (await call(server, poll)).status == 202
    record = await answer.invocation.done
    assert record["status"] == "Succeeded"
    done = await call(server, poll)
    assert (done.status, done.json()) == (201, {"done": True})
    assert (await call(server, CallRequest("POST", location.split("example.test", 1)[1]))).status == 405


async def test_feed_names_the_workflow_of_a_call_refused_before_its_lookup(tmp_path):
    """A call by the workflow's id without api-version is refused before the workflow is looked up; the
    dashboard's feed still names the workflow (not the id in the URL)."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(ECHO))
    server = Server(ServerConfig(paths=[str(folder)], state_dir=None, reload_interval=0, auth="none"))
    workflow_id = server.registry.find("a").id
    answer = await call(server, CallRequest("POST", f"/workflows/{workflow_id}/triggers/manual/paths/invoke"))
    assert answer.status == 400
    event = server.calls.recent[-1][1].as_event()
    assert (event["workflow"], event["code"]) == ("a", "MissingApiVersionParameter")
    server.close()
