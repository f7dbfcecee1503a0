"""What outbound calls send (the runtime's added headers) and the mock rules that match it: header names in
any case, ``times`` then fall through, ``delay`` on the run's clock (issue 10)."""

from __future__ import annotations

from aiohttp import web

from emulator.runtime import MockSet

from .helpers import run

HTTP_POST = {"type": "Http", "inputs": {"method": "POST", "uri": "https://api.test/orders", "body": {"id": 1},
                                       "retryPolicy": {"type": "none"}}}
CONN = {"type": "ApiConnection", "inputs": {"host": {"connection": {"name": "crm"}}, "method": "post",
                                            "path": "/rows", "body": {"id": 1}}}


async def test_a_json_body_without_content_type_is_sent_as_json_utf8():
    mocks = MockSet({"rules": [{"when": {"headers": {"content-type": "application/json; charset=utf-8"}},
                                "response": {"statusCode": 201}}], "http": "fail"})
    _, rec, _ = await run({"Post": HTTP_POST, "Row": CONN}, mocks=mocks)
    assert rec["actions"]["Post"]["code"] == "Created"
    assert rec["actions"]["Row"]["code"] == "Created"
    calls = {c["action"]: c for c in rec["calls"]}
    assert calls["Post"]["request"]["headers"] == {"Content-Type": "application/json; charset=utf-8"}
    assert calls["Row"]["request"]["headers"] == {"Content-Type": "application/json; charset=utf-8"}


async def test_a_given_content_type_is_kept_and_text_goes_as_text():
    post = {"type": "Http", "inputs": {"method": "POST", "uri": "https://api.test/x", "body": "hi",
                                       "headers": {"content-type": "application/xml"}}}
    text = {"type": "Http", "inputs": {"method": "POST", "uri": "https://api.test/y", "body": "hi"}}
    _, rec, _ = await run({"Xml": post, "Text": text}, mocks={"rules": [{"response": {"statusCode": 200}}]})
    calls = {c["action"]: c["request"]["headers"] for c in rec["calls"]}
    assert calls == {"Xml": {"content-type": "application/xml"}, "Text": {"Content-Type": "text/plain; charset=utf-8"}}


async def test_match_expressions_read_header_names_in_any_case():
    mocks = MockSet({"rules": [
        {"match": "headers.\"content-type\" == 'application/json; charset=utf-8' && headers.\"X-KEY\" == 'k'",
         "response": {"statusCode": 202}}], "http": "fail"})
    post = {**HTTP_POST, "inputs": {**HTTP_POST["inputs"], "headers": {"x-key": "k"}}}
    _, rec, _ = await run({"Post": post}, mocks=mocks)
    assert rec["actions"]["Post"]["code"] == "Accepted"


async def test_the_real_call_sends_the_added_content_type(aiohttp_server):
    seen = {}

    async def handler(request):
        seen["type"] = request.headers.get("Content-Type")
        seen["body"] = await request.read()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/o", handler)
    server = await aiohttp_server(app)
    call = {"type": "Http", "inputs": {"method": "POST", "uri": f"http://127.0.0.1:{server.port}/o",
                                       "body": {"a": 1.0}, "retryPolicy": {"type": "none"}}}
    _, rec, _ = await run({"C": call})
    assert seen == {"type": "application/json; charset=utf-8", "body": b'{"a":1.0}'}
    assert rec["calls"][0]["request"]["headers"] == {"Content-Type": "application/json; charset=utf-8"}


async def test_times_answers_that_many_calls_then_falls_through():
    mocks = MockSet({"rules": [
        {"when": {"path": "/orders"}, "times": 2, "response": {"statusCode": 503}},
        {"when": {"path": "/orders"}, "response": {"statusCode": 200, "body": "ok"}},
    ], "actions": {"Once": {"statusCode": 404, "times": 1}}, "http": "fail"})
    retrying = {**HTTP_POST, "inputs": {**HTTP_POST["inputs"], "retryPolicy": {"type": "fixed", "count": 3,
                                                                              "interval": "PT5S"}}}
    _, rec, _ = await run({"Post": retrying}, mocks=mocks)
    assert rec["actions"]["Post"]["status"] == "Succeeded"
    assert [c["mocked"] for c in rec["calls"]] == ["rules[0]", "rules[0]", "rules[1]"]
    assert len(rec["actions"]["Post"]["retryHistory"]) == 2
    once = {"type": "Http", "inputs": {"method": "GET", "uri": "https://api.test/orders"}}
    _, rec, _ = await run({"Once": once}, mocks=mocks)
    assert rec["actions"]["Once"]["code"] == "NotFound"
    _, rec, _ = await run({"Once": once}, mocks=mocks)
    assert rec["actions"]["Once"]["code"] == "OK" and rec["calls"][0]["mocked"] == "rules[1]"


async def test_delay_waits_on_the_run_clock():
    mocks = {"rules": [{"when": {"path": "/orders"}, "delay": "PT30S", "response": {"statusCode": 200}}],
             "actions": {"Slow": {"statusCode": 200, "delay": 90}}}
    _, rec, _ = await run({"Post": HTTP_POST, "Slow": {**CONN, "runAfter": {"Post": ["Succeeded"]}}}, mocks=mocks)
    post, slow = rec["actions"]["Post"], rec["actions"]["Slow"]
    assert (post["startTime"], post["endTime"]) == ("2024-01-01T00:00:00.0000000Z", "2024-01-01T00:00:30.0000000Z")
    assert slow["endTime"] == "2024-01-01T00:02:00.0000000Z"


async def test_a_mock_answer_is_decoded_by_its_content_type():
    mocks = {"actions": {
        "Json": {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{\"a\": [1]}"},
        "Pdf": {"statusCode": 200, "headers": {"content-type": "application/pdf"}, "body": "%PDF"},
        "Text": {"statusCode": 200, "headers": {"Content-Type": "text/plain; charset=utf-8"}, "body": "hi"},
        "Bad": {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{nope"},
        "Plain": {"statusCode": 200, "body": "{\"a\": 1}"},
    }}
    get = {"type": "Http", "inputs": {"method": "GET", "uri": "https://api.test/x"}}
    _, rec, _ = await run({name: get for name in mocks["actions"]}, mocks=mocks)
    body = {name: rec["actions"][name]["outputs"]["body"] for name in mocks["actions"]}
    assert body == {"Json": {"a": [1]}, "Pdf": {"$content-type": "application/pdf", "$content": "JVBERg=="},
                    "Text": "hi", "Bad": "{nope", "Plain": "{\"a\": 1}"}
