"""Http (mocked, real to 127.0.0.1, retries), connectors, mocks format and call log, Workflow action."""

from __future__ import annotations

from aiohttp import web

from emulator.runtime import MockSet, RunOptions, VirtualClock

from .helpers import run, workflow

CONN = {"type": "ApiConnection", "inputs": {
    "host": {"connection": {"name": "@parameters('$connections')['office365']['connectionId']"}},
    "method": "post", "path": "/v2/Mail", "body": {"To": "@triggerBody()['to']"}}}


async def test_connector_default_answer_and_call_log():
    _, rec, _ = await run({"Send": CONN}, body={"to": "a@b.c"})
    send = rec["actions"]["Send"]
    assert send["status"] == "Succeeded" and send["code"] == "OK"
    assert send["outputs"] == {"statusCode": 200, "headers": {}}
    [call] = rec["calls"]
    assert call["request"]["connector"] == "office365"
    assert call["request"]["method"] == "POST" and call["request"]["path"] == "/v2/Mail"
    assert call["request"]["body"] == {"To": "a@b.c"}
    assert call["mocked"] == "default"


async def test_mock_rules_with_jmespath_and_errors():
    mocks = MockSet({"rules": [
        {"when": {"type": "ApiConnection", "connector": "office365", "path": "/v2/*"},
         "match": "body.To == 'bad@x'", "response": {"statusCode": 400, "body": {"error": "nope"}}},
        {"when": {"connector": "office*"}, "response": {"statusCode": 202, "body": "queued"}},
    ], "actions": {"Boom": {"error": {"code": "ServiceDown", "message": "down"}, "actionStatus": "Failed"}}})
    _, rec, _ = await run({"Send": CONN, "Boom": {**CONN}}, body={"to": "bad@x"}, mocks=mocks)
    assert rec["actions"]["Send"]["status"] == "Failed"
    assert rec["actions"]["Send"]["code"] == "BadRequest"
    assert rec["actions"]["Send"]["outputs"]["body"] == {"error": "nope"}
    assert rec["actions"]["Boom"]["error"] == {"code": "ServiceDown", "message": "down"}
    _, rec2, _ = await run({"Send": CONN}, body={"to": "ok@x"}, mocks=mocks)
    assert rec2["actions"]["Send"]["outputs"] == {"statusCode": 202, "headers": {}, "body": "queued"}
    assert len(mocks.calls) == 3


async def test_service_provider_and_openapi_connection_names():
    mocks = MockSet({"rules": [{"when": {"connector": "serviceBus", "operationId": "sendMessage"},
                                "response": {"outputs": {"body": {"sent": True}}}}]})
    _, rec, _ = await run({
        "SB": {"type": "ServiceProvider", "inputs": {"parameters": {"entityName": "q"}, "serviceProviderConfiguration": {
            "connectionName": "serviceBus", "operationId": "sendMessage", "serviceProviderId": "/serviceProviders/serviceBus"}}},
        "SP": {"type": "OpenApiConnection", "inputs": {"host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_sharepointonline",
                                                                "connectionName": "shared_sharepointonline",
                                                                "operationId": "GetItems"}, "parameters": {}}},
    }, mocks=mocks)
    assert rec["actions"]["SB"]["outputs"] == {"body": {"sent": True}}
    sp_call = [c for c in rec["calls"] if c["action"] == "SP"][0]
    assert sp_call["request"]["connector"] == "shared_sharepointonline"
    assert sp_call["request"]["operationId"] == "GetItems"


async def test_http_mocked_with_retry_policy():
    clock = VirtualClock()
    mocks = MockSet({"actions": {"Call": [{"statusCode": 503}, {"statusCode": 500}, {"statusCode": 200, "body": {"ok": 1}}]}})
    _, rec, _ = await run({"Call": {"type": "Http", "inputs": {
        "method": "GET", "uri": "https://api.test/items", "queries": {"id": "1"},
        "retryPolicy": {"type": "fixed", "count": 3, "interval": "PT10S"}}}},
        options=RunOptions(mocks=mocks, clock=clock))
    call = rec["actions"]["Call"]
    assert call["status"] == "Succeeded" and call["outputs"]["body"] == {"ok": 1}
    assert len(call["retryHistory"]) == 2 and clock.slept == [10.0, 10.0]
    assert mocks.calls[0]["request"]["url"] == "https://api.test/items?id=1"


async def test_http_failure_status_and_default_retries():
    clock = VirtualClock()
    mocks = MockSet({"rules": [{"when": {"type": "Http", "method": "POST", "url": "https://api.test/*"},
                                "response": {"statusCode": 404, "body": "missing"}},
                               {"when": {"type": "Http", "url": "re:/flaky$"}, "response": {"statusCode": 500}}]})
    _, rec, _ = await run({
        "NF": {"type": "Http", "inputs": {"method": "POST", "uri": "https://api.test/x", "body": {"a": 1}}},
        "Flaky": {"type": "Http", "inputs": {"method": "GET", "uri": "https://api.test/flaky"}},
    }, options=RunOptions(mocks=mocks, clock=clock))
    assert rec["actions"]["NF"]["status"] == "Failed" and rec["actions"]["NF"]["code"] == "NotFound"
    assert rec["actions"]["Flaky"]["code"] == "InternalServerError"
    assert len(rec["actions"]["Flaky"]["retryHistory"]) == 4  # default policy: 4 retries


async def test_http_no_mock_when_real_calls_off():
    _, rec, _ = await run({"C": {"type": "Http", "inputs": {"method": "GET", "uri": "https://nowhere.test/"}}},
                          mocks={"http": "fail"})
    assert rec["actions"]["C"]["error"]["code"] == "NoMockFound"


async def test_http_real_call_to_local_server(aiohttp_server):
    async def handler(request):
        data = await request.json()
        return web.json_response({"got": data, "q": request.query.get("q")}, status=201)

    app = web.Application()
    app.router.add_post("/echo", handler)
    server = await aiohttp_server(app)
    _, rec, _ = await run({"C": {"type": "Http", "inputs": {
        "method": "POST", "uri": f"http://127.0.0.1:{server.port}/echo", "queries": {"q": "1"},
        "body": {"x": "@triggerBody()['x']"}, "retryPolicy": {"type": "none"}}}}, body={"x": 5})
    c = rec["actions"]["C"]
    assert c["status"] == "Succeeded" and c["code"] == "Created"
    assert c["outputs"]["body"] == {"got": {"x": 5}, "q": "1"}


async def test_inline_code_mocked_and_default():
    mocks = {"actions": {"JS": {"outputs": {"body": 42}}}}
    _, rec, _ = await run({"JS": {"type": "JavaScriptCode", "inputs": {"code": "return 42;"}},
                           "Flat": {"type": "FlatFileDecoding", "inputs": {"content": "a", "schema": {}}}},
                          mocks=mocks)
    assert rec["actions"]["JS"]["outputs"] == {"body": 42}
    assert rec["actions"]["Flat"]["status"] == "Succeeded"
    assert [c["mocked"] for c in rec["calls"] if c["action"] == "Flat"] == [None]


async def test_workflow_action_calls_child_in_process():
    child = workflow({"R": {"type": "Response", "inputs": {"statusCode": 201, "headers": {"X-Child": "1"},
                                                           "body": {"echo": "@triggerBody()['v']"}}}}, name="child")
    parent = workflow({"Call": {"type": "Workflow", "inputs": {
        "host": {"triggerName": "manual", "workflow": {"id": "/subscriptions/s/resourceGroups/r/providers/"
                                                             "Microsoft.Logic/workflows/child"}},
        "body": {"v": "@triggerBody()"}}},
        "R": {"type": "Response", "runAfter": {"Call": ["Succeeded"]},
              "inputs": {"statusCode": 200, "body": "@body('Call')"}}}, name="parent")
    resp, rec, _ = await run(parent, body="hi", workflows=[parent, child])
    assert resp["body"] == {"echo": "hi"}
    assert rec["actions"]["Call"]["outputs"]["statusCode"] == 201
    assert rec["actions"]["Call"]["code"] == "Created"


async def test_workflow_action_missing_child():
    _, rec, _ = await run({"Call": {"type": "Workflow", "inputs": {"host": {"triggerName": "manual",
                                                                          "workflow": {"id": "nope"}}}}})
    assert rec["actions"]["Call"]["error"]["code"] == "WorkflowNotFound"
