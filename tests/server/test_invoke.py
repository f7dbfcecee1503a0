"""Trigger calls end to end on a real socket: answers, x-ms-* headers, content handling (real loader and runtime)."""

from __future__ import annotations

import base64
import json
import re

from tests.server.flowdefs import ECHO, FAIL_RUN, after, flow, response, wait

RUN_ID = re.compile(r"^\d{29}CU\d{2}$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def test_response_action_answer_and_host_headers(serve):
    live = await serve({"echo.json": flow({"Response": response(201, {"got": "@triggerBody()"})})})
    status, headers, body = await live.call_json("POST", live.url("echo"), json={"a": 1})
    assert status == 201
    assert body == {"got": {"a": 1}}
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    entry = live.entry("echo")
    assert RUN_ID.match(headers["x-ms-workflow-run-id"])
    assert headers["x-ms-client-tracking-id"] == headers["x-ms-workflow-run-id"]
    assert headers["x-ms-trigger-history-name"] == headers["x-ms-workflow-run-id"]
    assert GUID.match(headers["x-ms-correlation-id"])
    assert headers["x-ms-tracking-id"] == headers["x-ms-correlation-id"]
    assert headers["x-ms-workflow-id"] == entry.id and re.match(r"^[0-9a-f]{32}$", entry.id)
    assert re.match(r"^\d{20}$", headers["x-ms-workflow-version"])
    assert headers["x-ms-workflow-name"] == "echo"
    assert headers["x-ms-workflow-system-id"] == f"/locations/local/scaleunits/prod-00/workflows/{entry.id}"
    assert headers["x-ms-execution-location"] == "local"
    assert headers["x-ms-request-id"] == f"local:{headers['x-ms-tracking-id']}"
    assert headers["Cache-Control"] == "no-cache" and headers["Expires"] == "-1"


async def test_string_body_is_text_plain_and_headers_filtered(serve):
    live = await serve({"t.json": flow({"Response": response(200, "hello", {"X-Custom": "1", "Set-Cookie": "a=b",
                                                                       "Content-Language": "en"})})})
    status, headers, data = await live.call("POST", live.url("t"))
    assert (status, data) == (200, b"hello")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["X-Custom"] == "1"
    assert "Set-Cookie" not in headers and "Content-Language" not in headers


async def test_binary_envelope_body_is_sent_as_bytes(serve):
    body = {"$content-type": "image/png", "$content": base64.b64encode(b"\x89PNG").decode()}
    live = await serve({"b.json": flow({"Response": response(200, body)})})
    status, headers, data = await live.call("POST", live.url("b"))
    assert (status, data, headers["Content-Type"]) == (200, b"\x89PNG", "image/png")


async def test_workflow_found_by_name_or_id_case_insensitive(serve):
    live = await serve({"Echo.json": ECHO})
    url = live.url("echo")
    wid = live.entry("echo").id
    assert (await live.call("POST", url.replace(f"/workflows/{wid}/", "/workflows/ECHO/")))[0] == 200
    assert (await live.call("POST", url))[0] == 200


async def test_trigger_outputs_headers_queries_and_authorization_dropped(serve):
    live = await serve({"echo.json": ECHO})
    url = live.url("echo") + "&postalCode=123&x=1&x=2"
    status, _, out = await live.call_json("POST", url, data=b"hi", headers={"Content-Type": "text/plain",
                                                                             "X-Key": "k"})
    assert status == 200
    assert out["body"] == "hi"
    assert out["headers"]["X-Key"] == "k" and out["headers"]["Content-Type"] == "text/plain"
    assert out["queries"]["postalCode"] == "123" and out["queries"]["x"] == "1,2"
    assert out["queries"]["api-version"] == "2016-10-01"
    assert "relativePathParameters" not in out and "method" not in out


async def test_no_body_means_no_body_key(serve):
    live = await serve({"echo.json": ECHO})
    _, _, out = await live.call_json("POST", live.url("echo"))
    assert "body" not in out


async def test_content_types(serve):
    live = await serve({"echo.json": ECHO})
    url = live.url("echo")
    _, _, out = await live.call_json("POST", url, data=b"a=1&b=x+y&a=2",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert out["body"]["$formdata"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "x y"},
                                        {"key": "a", "value": "2"}]
    assert base64.b64decode(out["body"]["$content"]) == b"a=1&b=x+y&a=2"
    _, _, out = await live.call_json("POST", url, data=b"<a/>", headers={"Content-Type": "application/xml"})
    assert out["body"] == {"$content-type": "application/xml", "$content": base64.b64encode(b"<a/>").decode()}
    multipart = (b"--XyZ\r\nContent-Disposition: form-data; name=\"FirstName\"\r\n\r\nFoo\r\n"
                 b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                 b"--XyZ--\r\n")
    ctype = "multipart/form-data; boundary=XyZ"
    _, _, out = await live.call_json("POST", url, data=multipart, headers={"Content-Type": ctype})
    parts = out["body"]["$multipart"]
    assert out["body"]["$content-type"] == ctype
    assert parts[0] == {"headers": {"Content-Disposition": "form-data; name=\"FirstName\"", "Content-Length": "3"},
                        "body": {"$content-type": "application/octet-stream", "$content": "Rm9v"}}
    assert parts[1]["body"] == "hi"
    _, _, out = await live.call_json("POST", url, data=b"[1,2]", headers={"Content-Type": "application/vnd.x+json"})
    assert out["body"] == [1, 2]


async def test_invalid_json_sent_as_json_is_400(serve):
    live = await serve({"echo.json": ECHO})
    status, headers, body = await live.call_json("POST", live.url("echo"), data=b"{nope",
                                                 headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"]["code"] == "InvalidRequestContent"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert "x-ms-workflow-id" in headers and "x-ms-workflow-run-id" not in headers


async def test_body_limit_413(serve):
    live = await serve({"echo.json": ECHO}, body_limit=10)
    status, _, body = await live.call_json("POST", live.url("echo"), data=b"x" * 11)
    assert status == 413 and body["error"]["code"] == "RequestContentTooLarge"

    async def chunks():
        for _ in range(4):
            yield b"xxxx"

    status, _, body = await live.call_json("POST", live.url("echo"), data=chunks())
    assert status == 413 and body["error"]["code"] == "RequestContentTooLarge"
    assert (await live.call("POST", live.url("echo"), data=b"x" * 10))[0] == 200


async def test_method_not_valid(serve):
    live = await serve({"echo.json": ECHO, "get.json": flow({"R": response(200, "ok")}, {"method": "GET"})})
    status, _, body = await live.call_json("GET", live.url("echo"))
    assert status == 400
    assert body["error"] == {"code": "TriggerRequestMethodNotValid", "message":
                             "The HTTP method for this request is not valid: expected 'POST' and actual 'GET'."}
    assert (await live.call("GET", live.url("get")))[0] == 200
    assert (await live.call_json("PUT", live.url("get")))[2]["error"]["code"] == "TriggerRequestMethodNotValid"


async def test_relative_path_parameters(serve):
    live = await serve({
        "orders.json": flow({"R": response(200, "@triggerOutputs()['relativePathParameters']")},
                            {"method": "GET", "relativePath": "/orders/{orderId}/items/{item}"}),
        "three.json": flow({"R": response(200, "@triggerOutputs()['relativePathParameters']")},
                           {"method": "POST", "relativePath": "{a}/{b}/{c}"}),
        "one.json": flow({"R": response(200, "@triggerOutputs()['relativePathParameters']")},
                         {"method": "POST", "relativePath": "files/{name}"}),
    })
    callback = live.callback("orders")
    assert callback["relativePath"] == "orders/{orderId}/items/{item}"
    assert callback["relativePathParameters"] == ["orderId", "item"]
    assert "/paths/invoke/orders/{orderId}/items/{item}?" in callback["value"]
    status, _, out = await live.call_json("GET", live.url("orders", relative="orders/42/items/a%20b"))
    assert (status, out) == (200, {"orderId": "42", "item": "a b"})
    status, _, out = await live.call_json("POST", live.url("three", relative="x%2Fy%2Fz"))
    assert out == {"a": "x", "b": "y", "c": "z"}
    status, _, out = await live.call_json("POST", live.url("three", relative="x/y/z"))
    assert out == {"a": "x", "b": "y", "c": "z"}
    status, _, out = await live.call_json("POST", live.url("one", relative="files/docs%2F312"))
    assert out == {"name": "docs/312"}
    status, _, out = await live.call_json("GET", live.url("orders", relative="orders/42"))
    assert status == 404 and out["error"]["code"] == "TriggerRequestPathNotValid"
    status, _, out = await live.call_json("POST", live.url("one", relative="files/a/b"))
    assert status == 200 and out == {"name": "a/b"} or out["error"]["code"] == "TriggerRequestPathNotValid"


async def test_extra_path_without_relative_path_is_404(serve):
    live = await serve({"echo.json": ECHO})
    base, _, query = live.url("echo").partition("?")
    status, _, out = await live.call_json("POST", f"{base}/extra?{query}")
    assert status == 404 and out["error"]["code"] == "TriggerRequestPathNotValid"


async def test_schema_validation(serve):
    schema = {"type": "object", "properties": {"item": {"type": "string"},
                                               "priority": {"type": "string", "pattern": "^(Urgent|Normal|Low)$"}},
              "required": ["item"], "additionalProperties": False}
    live = await serve({"v.json": flow({"R": response(200, "ok")}, {"schema": schema},
                                       operationOptions="EnableSchemaValidation"),
                        "nv.json": flow({"R": response(200, "ok")}, {"schema": schema})})
    status, headers, out = await live.call_json("POST", live.url("v"), json={"product": 1, "priority": "Right Now"})
    assert status == 400
    assert out["error"]["code"] == "TriggerInputSchemaMismatch"
    assert out["error"]["message"] == (
        "The input body for trigger 'manual' of type 'Request' did not match its schema definition. Error details: "
        "'Property 'product' has not been defined and the schema does not allow additional properties.,"
        "String 'Right Now' does not match regex pattern '^(Urgent|Normal|Low)$'.,"
        "Required properties are missing from object: item.'.")
    assert "x-ms-workflow-run-id" not in headers and "x-ms-tracking-id" in headers
    assert (await live.call("POST", live.url("v"), json={"item": "a"}))[0] == 200
    assert (await live.call("POST", live.url("nv"), json={"product": 1}))[0] == 200


async def test_no_response_action_answers_202_at_once(serve):
    live = await serve({"bg.json": flow({"Wait": wait(0.3)})})
    status, headers, data = await live.call("POST", live.url("bg"))
    assert (status, data) == (202, b"")
    run_id = headers["x-ms-workflow-run-id"]
    assert RUN_ID.match(run_id)
    assert (await live.server.history.run("bg", run_id))["status"] == "Running"


async def test_split_on_answers_202(serve):
    live = await serve({"s.json": flow({"R": response(200, "x")}, splitOn="@triggerBody()")})
    assert (await live.call("POST", live.url("s"), json=[1]))[0] == 202


async def test_all_responses_skipped_502(serve):
    live = await serve({"s.json": flow({"Boom": FAIL_RUN, "R": after(response(200, "x"), "Boom", statuses=("Skipped",))})})
    status, headers, out = await live.call_json("POST", live.url("s"))
    run_id = headers["x-ms-workflow-run-id"]
    assert status == 502
    assert out["error"] == {"code": "NoResponse", "message": "The server did not receive a response from an upstream "
                                                            f"server. Request tracking id '{run_id}'."}


async def test_failed_run_without_response_502(serve):
    live = await serve({"f.json": flow({"Boom": FAIL_RUN, "R": after(response(200, "x"), "Boom")})})
    assert (await live.call("POST", live.url("f")))[0] == 502


async def test_timeout_504(serve):
    live = await serve({"slow.json": flow({"Wait": wait(1),
                                           "Reply": after(response(200, "late"), "Wait")})}, response_timeout=0.2)
    status, headers, out = await live.call_json("POST", live.url("slow"))
    assert status == 504 and out["error"]["code"] == "ActionResponseTimedOut"
    assert "'Reply'" in out["error"]["message"]
    assert RUN_ID.match(headers["x-ms-workflow-run-id"])


async def test_asynchronous_response_polling(serve):
    live = await serve({"a.json": flow({"Wait": wait(0.3), "R": after(
        response(200, {"done": True}, operationOptions="Asynchronous"), "Wait")})})
    status, headers, data = await live.call("POST", live.url("a"))
    assert status == 202 and data == b""
    location = headers["Location"]
    assert headers["Retry-After"] == "1" and "sig=" in location
    status, headers2, _ = await live.call("GET", location)
    assert status == 202 and headers2["Location"] == location
    import asyncio

    await asyncio.sleep(0.5)
    status, _, out = await live.call_json("GET", location)
    assert (status, out) == (200, {"done": True})
    status, _, out = await live.call_json("GET", location.replace("sig=", "sig=x"))
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    bogus = location.split("/operations/")[0] + "/operations/nope?api-version=1"
    assert (await live.call("GET", bogus))[0] in (401, 404)


async def test_trigger_condition_false_answers_202_without_run(serve):
    live = await serve({"c.json": flow({"R": response(200, "yes")},
                                       conditions=[{"expression": "@equals(triggerOutputs()?['headers']?['secretKey'], 's3')"}])})
    status, headers, data = await live.call("POST", live.url("c"))
    assert (status, data) == (202, b"")
    assert "x-ms-workflow-run-id" not in headers and "x-ms-workflow-id" in headers
    assert (await live.server.history.runs("c")) == []
    histories = await live.server.history.trigger_histories("c", "manual")
    assert histories[0]["properties"]["status"] == "Skipped" and histories[0]["properties"]["fired"] is False
    status, _, data = await live.call("POST", live.url("c"), headers={"secretKey": "s3"})
    assert (status, data) == (200, b"yes")


async def test_skipped_status_is_configurable(serve):
    live = await serve({"c.json": flow({"R": response(200, "yes")}, conditions=[{"expression": "@false"}])},
                       skipped_status=400)
    assert (await live.call("POST", live.url("c")))[0] == 400


async def test_condition_error_is_400_invalid_template(serve):
    live = await serve({"c.json": flow({"R": response(200, "yes")}, conditions=[
        {"expression": "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer')"}])})
    status, _, out = await live.call_json("POST", live.url("c"))
    assert status == 400 and out["error"]["code"] == "InvalidTemplate"
    assert "evaluation failed" in out["error"]["message"]


async def test_suppress_workflow_headers(serve):
    live = await serve({"q.json": flow({"R": response(200, "x")}, operationOptions="SuppressWorkflowHeadersOnResponse")})
    status, headers, _ = await live.call("POST", live.url("q"))
    assert status == 200 and not [h for h in headers if h.lower().startswith("x-ms-")]
    status, headers, _ = await live.call("GET", live.url("q"))
    assert status == 400 and not [h for h in headers if h.lower().startswith("x-ms-")]


async def test_concurrency_limit_429(serve):
    import asyncio

    doc = flow({"Wait": wait(0.4), "R": after(response(200, "x"), "Wait")},
               runtimeConfiguration={"concurrency": {"runs": 1, "maximumWaitingRuns": 1}})
    live = await serve({"c.json": doc})
    url = live.url("c")
    results = await asyncio.gather(*(live.call("POST", url) for _ in range(3)))
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 200, 429]
    throttled = next(r for r in results if r[0] == 429)
    assert json.loads(throttled[2])["error"]["code"] == "WorkflowRequestsThrottled" and throttled[1]["Retry-After"] == "1"
    assert (await live.call("POST", url))[0] == 200


async def test_disabled_workflow_400(serve):
    doc = dict(ECHO, state="Disabled")
    live = await serve({"d.json": doc})
    status, _, out = await live.call_json("POST", live.url("d"))
    assert status == 400 and out["error"]["code"] == "WorkflowTriggerIsNotEnabled" and "'Disabled'" in out["error"]["message"]


async def test_standard_and_power_automate_shapes(serve, tmp_path):
    live = await serve({"std": dict(ECHO)})  # a folder of workflow folders is one Standard project
    std = live.callback("std")
    assert std["basePath"].endswith("/api/std/triggers/manual/invoke")
    assert std["queries"]["api-version"] == "2022-05-01"
    status, headers, _ = await live.call("POST", std["value"])
    assert status == 200
    assert "x-ms-execution-location" not in headers
    assert headers["x-ms-workflow-system-id"] == f"/scaleunits/prod-00/workflows/{live.entry('std').id}"
    assert re.match(r"^:[0-9a-f-]{36}$", headers["x-ms-request-id"])
    assert not [h for h in headers if h.startswith("x-ms-ratelimit")]
    live = await serve({"pa.json": {"type": "Microsoft.Flow/flows", "properties": ECHO}}, folder=tmp_path / "pa")
    pa = live.callback("pa")
    assert "/powerautomate/automations/direct/workflows/" in pa["value"] and pa["queries"]["api-version"] == "1"
    assert (await live.call("POST", pa["value"]))[0] == 200
    cu = pa["value"].replace("/direct/workflows/", "/direct/cu/06/workflows/")
    assert (await live.call("POST", cu))[0] == 200


async def test_legacy_run_url(serve):
    live = await serve({"echo.json": ECHO})
    url = live.url("echo").replace("/paths/invoke?", "/run?")
    assert (await live.call("POST", url))[0] == 200


async def test_unknown_route_is_json_404_never_500(serve):
    live = await serve({"echo.json": ECHO})
    status, headers, out = await live.call_json("GET", live.base + "/nope")
    assert status == 404 and out["error"]["code"] == "NotFound"
    status, _, out = await live.call_json("DELETE", live.base + "/workflows/echo/runs")
    assert status == 405 and out["error"]["code"] == "MethodNotAllowed"


async def test_access_log_line_for_people_and_the_verbose_url_redacts_sig(serve, caplog):
    import logging

    cond = flow({"R": response(200, "x")}, conditions=[{"expression": "@equals(triggerBody()?['go'], 1)"}])
    live = await serve({"echo.json": ECHO, "cond.json": cond})
    with caplog.at_level(logging.INFO, logger="emulator.server.access"):
        _, headers, _ = await live.call("POST", live.url("echo"))
        await live.call("POST", live.url("cond"), json={"go": 2})
        await live.call("GET", live.url("echo"))
        await live.call("GET", f"{live.base}/workflows/echo/runs?api-version=1")
    lines = [r.getMessage() for r in caplog.records if r.name == "emulator.server.access"]
    run_id = headers["x-ms-workflow-run-id"]
    assert lines[0].startswith("POST echo/manual 200 ") and lines[0].endswith(f"ms run {run_id}")
    assert lines[1].startswith("POST cond/manual 202 skipped ")
    assert lines[2].startswith("GET echo/manual 400 TriggerRequestMethodNotValid ")
    assert lines[3].startswith("GET /workflows/echo/runs 200 ") and "api-version" not in lines[3]
    assert not any("sig" in line or "/workflows/" + live.entry("echo").id in line for line in lines)
    live.server.config.verbose = True
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="emulator.server.access"):
        await live.call("POST", live.url("echo"))
    [line] = [r.getMessage() for r in caplog.records if r.name == "emulator.server.access"]
    assert line.startswith("POST echo/manual 200 ") and "sig=REDACTED" in line
    assert live.callback("echo")["queries"]["sig"] not in line


async def test_auth_none(serve):
    live = await serve({"echo.json": ECHO}, auth="none")
    url = live.url("echo").split("&sp=")[0]
    assert (await live.call("POST", url))[0] == 200


async def test_response_body_json_roundtrip(serve):
    live = await serve({"echo.json": ECHO})
    _, _, out = await live.call_json("POST", live.url("echo"), data=json.dumps({"n": 1.5, "s": "é"}).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    assert out["body"] == {"n": 1.5, "s": "é"}


async def test_request_limits_answer_json(serve):
    """A URL over 16,384 characters: 414 in the host's error shape; large headers up to 32 KB are accepted."""
    live = await serve({"echo.json": ECHO})
    url = live.url("echo")
    status, _, out = await live.call_json("POST", url + "&pad=" + "x" * 16_400)
    assert status == 414 and out["error"]["code"] == "RequestUrlTooLong"
    status, _, _ = await live.call("POST", url, headers={"X-Big": "y" * 20_000}, json={})
    assert status == 200
