"""What a caller receives from the real runtime: 202 / 502 / 504 / asynchronous Response, x-ms-* formats."""

from __future__ import annotations

import asyncio
import re

from tests.server.flowdefs import flow, response

WAIT = {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}, "runAfter": {}}


def after(action: dict, *names: str) -> dict:
    return dict(action, runAfter={n: ["Succeeded"] for n in names})


async def test_replay_shape_of_a_consumption_answer(serve_real):
    """A Consumption capture (spec §12): 201 text body; the x-ms-* set and its formats."""
    live = await serve_real({"LogicAppserData.json": flow({"Response": response(201, "Created the user data")})})
    status, headers, data = await live.call("POST", live.url("LogicAppserData"), json={"a": 1})
    assert status == 201 and data == b"Created the user data"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Length"] == str(len(data))
    formats = {
        "x-ms-workflow-run-id": r"^\d{29}CU\d{2,3}$", "x-ms-correlation-id": r"^[0-9a-f-]{36}$",
        "x-ms-client-tracking-id": r"^\d{29}CU\d{2,3}$", "x-ms-trigger-history-name": r"^\d{29}CU\d{2,3}$",
        "x-ms-execution-location": r"^[a-z0-9]+$",
        "x-ms-workflow-system-id": r"^/locations/[a-z0-9]+/scaleunits/prod-\d+/workflows/[0-9a-f]{32}$",
        "x-ms-workflow-id": r"^[0-9a-f]{32}$", "x-ms-workflow-version": r"^\d{20}$",
        "x-ms-workflow-name": r"^LogicAppserData$", "x-ms-tracking-id": r"^[0-9a-f-]{36}$",
        "x-ms-request-id": r"^[a-z0-9]+:[0-9a-f-]{36}$",
        "x-ms-ratelimit-time-remaining-directapirequests": r"^\d+$",
        "Cache-Control": "^no-cache$", "Pragma": "^no-cache$", "Expires": "^-1$",
    }
    for name, pattern in formats.items():
        assert re.match(pattern, headers[name]), (name, headers.get(name))
    assert headers["x-ms-correlation-id"] == headers["x-ms-tracking-id"]
    assert headers["x-ms-workflow-run-id"] == headers["x-ms-client-tracking-id"]


async def test_workflow_function_sees_the_served_id(serve_real):
    live = await serve_real({"who.json": flow({"Response": response(200, "@workflow()")})})
    status, headers, out = await live.call_json("POST", live.url("who"))
    assert status == 200
    assert out["name"] == "who" and out["id"] == f"/workflows/{headers['x-ms-workflow-id']}"
    assert out["run"]["name"] == headers["x-ms-workflow-run-id"]


async def test_no_response_action_202_while_the_run_goes_on(serve_real):
    live = await serve_real({"bg.json": flow({"Wait": WAIT})})
    status, headers, data = await live.call("POST", live.url("bg"))
    assert (status, data) == (202, b"")
    run_id = headers["x-ms-workflow-run-id"]
    _, _, run = await live.call_json("GET", f"{live.base}/workflows/bg/runs/{run_id}")
    assert run["properties"]["status"] == "Running"


async def test_all_responses_skipped_502(serve_real):
    branch = {"type": "If", "expression": {"and": [{"equals": [1, 2]}]},
              "actions": {"Reply": response(200, "never")}, "else": {"actions": {}}, "runAfter": {}}
    live = await serve_real({"skip.json": flow({"Check": branch})})
    status, headers, out = await live.call_json("POST", live.url("skip"))
    assert status == 502 and out["error"]["code"] == "NoResponse"
    assert headers["x-ms-workflow-run-id"] in out["error"]["message"]


async def test_failing_response_502(serve_real):
    live = await serve_real({"bad.json": flow({"Reply": response("@div(1, 0)", "x")})})
    status, _, out = await live.call_json("POST", live.url("bad"))
    assert status == 502 and out["error"]["code"] == "NoResponse"


async def test_timeout_504(serve_real):
    live = await serve_real({"slow.json": flow({"Wait": WAIT, "Reply": after(response(200, "late"), "Wait")})},
                            response_timeout=0.3)
    status, headers, out = await live.call_json("POST", live.url("slow"))
    assert status == 504 and out["error"]["code"] == "ActionResponseTimedOut"
    assert "'Reply'" in out["error"]["message"]
    await asyncio.sleep(1.2)
    _, _, run = await live.call_json("GET", f"{live.base}/workflows/slow/runs/{headers['x-ms-workflow-run-id']}")
    assert run["properties"]["status"] == "Failed"


async def test_asynchronous_response(serve_real):
    reply = after(response(200, {"done": True}, operationOptions="Asynchronous"), "Wait")
    live = await serve_real({"async.json": flow({"Wait": WAIT, "Reply": reply})}, response_timeout=0.2)
    status, headers, _ = await live.call("POST", live.url("async"))
    assert status == 202 and "Location" in headers
    location = headers["Location"]
    assert (await live.call("GET", location))[0] == 202
    for _ in range(40):
        status, _, out = await live.call_json("GET", location)
        if status != 202:
            break
        await asyncio.sleep(0.1)
    assert (status, out) == (200, {"done": True})


async def test_condition_that_throws_is_400(serve_real):
    live = await serve_real({"c.json": flow({"R": response(200, "x")}, conditions=[
        {"expression": "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer')"}])})
    status, headers, out = await live.call_json("POST", live.url("c"))
    assert status == 400 and out["error"]["code"] == "InvalidTemplate"
    assert "startsWith" in out["error"]["message"] and "x-ms-workflow-run-id" not in headers


async def test_split_on_202_and_response_skipped(serve_real):
    live = await serve_real({"s.json": flow({"R": response(200, "x")}, splitOn="@triggerBody()")})
    status, _, data = await live.call("POST", live.url("s"), json=[1, 2])
    assert (status, data) == (202, b"")


async def test_hot_reload_with_the_real_loader(serve_real, tmp_path):
    import json
    import os

    live = await serve_real({"one.json": flow({"R": response(200, "v1")})}, reload_interval=0.05)
    path = tmp_path / "flows" / "one.json"
    url = live.url("one")

    def write(text, bump):
        path.write_text(text, encoding="utf-8")
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))

    async def body():
        return (await live.call("POST", url))[2]

    write(json.dumps(flow({"R": response(200, "v2")})), 5)
    for _ in range(60):
        if await body() == b"v2":
            break
        await asyncio.sleep(0.05)
    assert await body() == b"v2"
    write('{"definition": {"triggers": ', 10)
    await asyncio.sleep(0.3)
    assert await body() == b"v2"
    assert any("one.json" in p for p in live.server.registry.problems)


async def test_disabled_workflow_answers_400(serve_real):
    """Code view / ARM ``state: Disabled`` (and Power Automate ``Stopped``): 400 WorkflowTriggerIsNotEnabled."""
    doc = dict(flow({"Response": response(200, "ok")}), state="Disabled")
    stopped = {"properties": {"definition": flow({"Response": response(200, "ok")})["definition"],
                              "state": "Stopped"}, "type": "Microsoft.Flow/flows"}
    live = await serve_real({"off.json": doc, "pa-off.json": stopped})
    for name in ("off", "pa-off"):
        status, _, data = await live.call("POST", live.url(name), json={})
        assert status == 400 and b"WorkflowTriggerIsNotEnabled" in data, (name, status, data)


async def test_content_headers_kept_for_post_and_put_only(serve_real):
    """Spec §8: Content-Type/-Disposition/-Encoding of a Response survive for POST and PUT, not for GET."""
    xml = response(200, "<a/>", {"Content-Type": "application/xml", "Content-Disposition": "inline"})
    live = await serve_real({"post.json": flow({"Response": xml}),
                             "get.json": flow({"Response": xml}, {"method": "GET"})})
    status, headers, data = await live.call("POST", live.url("post"))
    assert (status, data, headers["Content-Type"], headers["Content-Disposition"]) == \
        (200, b"<a/>", "application/xml", "inline")
    status, headers, data = await live.call("GET", live.url("get"))
    assert (status, data, headers["Content-Type"]) == (200, b"<a/>", "text/plain; charset=utf-8")
    assert "Content-Disposition" not in headers


async def test_client_tracking_id_from_the_caller_and_from_the_trigger(serve_real):
    """A caller's x-ms-client-tracking-id names the run's correlation; a trigger correlation setting wins."""
    live = await serve_real({
        "plain.json": flow({"Response": response(200, "@trigger().clientTrackingId")}),
        "custom.json": flow({"Response": response(200, "@trigger().clientTrackingId")},
                            {"relativePath": "orders/{id}", "method": "POST"},
                            correlation={"clientTrackingId": "@concat('order-', triggerOutputs()"
                                                             "['relativePathParameters']['id'])"}),
        "broken.json": flow({"Response": response(200, "x")},
                            correlation={"clientTrackingId": "@triggerBody()['id']"}),
    })
    status, headers, data = await live.call("POST", live.url("plain"), json={},
                                            headers={"x-ms-client-tracking-id": "batch-7"})
    run_id = headers["x-ms-workflow-run-id"]
    assert (status, data) == (200, b"batch-7")
    assert headers["x-ms-client-tracking-id"] == "batch-7" and headers["x-ms-trigger-history-name"] == run_id
    _, _, run = await live.call_json("GET", f"{live.base}/workflows/plain/runs/{run_id}")
    assert run["properties"]["correlation"] == {"clientTrackingId": "batch-7"}
    _, _, hist = await live.call_json("GET", f"{live.base}/workflows/plain/triggers/manual/histories/{run_id}")
    assert hist["properties"]["correlation"] == {"clientTrackingId": "batch-7"}

    status, headers, data = await live.call("POST", live.url("custom", relative="orders/42"),
                                            headers={"x-ms-client-tracking-id": "ignored"})
    assert (status, data, headers["x-ms-client-tracking-id"]) == (200, b"order-42", "order-42")

    status, _, err = await live.call_json("POST", live.url("broken"), json={})
    assert status == 400 and err["error"]["code"] == "InvalidTemplate"
    assert err["error"]["message"].startswith(
        "Unable to process template language expressions in trigger 'manual' correlation: ")


async def test_standard_project_times_out_by_its_host_json(serve_real, tmp_path):
    """A Standard project's host.json RequestTimeout is its 504 timeout; other workflows keep the host's default."""
    import json

    project = tmp_path / "project"
    (project / "slow").mkdir(parents=True)
    (project / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"workflow": {"settings": {
        "Runtime.Backend.HttpOperation.RequestTimeout": "00:00:00.3"}}}}))
    doc = flow({"Wait": WAIT, "Reply": after(response(200, "late"), "Wait")})
    (project / "slow" / "workflow.json").write_text(json.dumps({**doc, "kind": "Stateful"}))
    live = await serve_real([project])
    assert live.server.timeout_for(live.entry("slow")) == 0.3
    status, _, out = await live.call_json("POST", live.url("slow"))
    assert status == 504 and out["error"]["code"] == "ActionResponseTimedOut"
    live.entry("slow").workflow.response_timeout = None
    assert live.server.timeout_for(live.entry("slow")) == 225.0


async def test_default_timeouts_and_the_option(serve_real):
    live = await serve_real({"c.json": flow({"Reply": response(200, "x")})})
    assert live.server.timeout_for(live.entry("c")) == 120.0
    live.server.config.response_timeout = 7.5
    assert live.server.timeout_for(live.entry("c")) == 7.5
