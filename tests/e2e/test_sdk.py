"""Every management operation driven through Microsoft's own SDK (``azure-mgmt-logic``) on a real socket.

The SDK is the synchronous client an Azure script uses (``requests`` underneath), with a no-op
authentication policy over plain http; it runs in a worker thread while the server runs on the test's loop.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest

from tests.server.flowdefs import flow

logic = pytest.importorskip("azure.mgmt.logic", reason="azure-mgmt-logic is a test dependency")
from azure.core.credentials import AccessToken  # noqa: E402
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # noqa: E402
from azure.core.pipeline.policies import SansIOHTTPPolicy  # noqa: E402
from azure.mgmt.logic.models import GetCallbackUrlParameters, RegenerateActionParameter  # noqa: E402

SUB, RG = "11111111-2222-3333-4444-555555555555", "my-group"
WAIT = {"type": "Wait", "inputs": {"interval": {"count": 30, "unit": "Second"}}, "runAfter": {}}
ORDERS = flow({"Check": {"type": "If", "expression": {"and": [{"equals": ["@triggerBody()?['ok']", True]}]},
                         "actions": {"Fine": {"type": "Compose", "inputs": "@triggerBody()"}},
                         "else": {"actions": {"Fail": {"type": "Terminate", "inputs": {"runStatus": "Failed"}}}},
                         "runAfter": {}},
               "Secret": {"type": "Compose", "inputs": "hidden", "runAfter": {"Check": ["Succeeded", "Failed"]},
                          "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}},
               "Reply": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "done"},
                         "runAfter": {"Secret": ["Succeeded"]}}},
              trigger_inputs={"schema": {"title": "Order", "type": "object",
                                         "properties": {"ok": {"type": "boolean"}}}})
ORDERS["definition"]["parameters"] = {"greeting": {"type": "string", "defaultValue": "hi"},
                                      "apiKey": {"type": "securestring", "defaultValue": "s3cret"}}
SLOW = flow({"Wait": WAIT, "Then": {"type": "Compose", "inputs": "late", "runAfter": {"Wait": ["Succeeded"]}}})


class _Credential:
    def get_token(self, *scopes, **kwargs):
        return AccessToken("unused", 2**31)


def client(live):
    return logic.LogicManagementClient(_Credential(), SUB, base_url=live.base,
                                       authentication_policy=SansIOHTTPPolicy())


async def sdk(call, *args, **kwargs):
    """Run a blocking SDK call (and drain a pager) in a thread."""
    def go():
        result = call(*args, **kwargs)
        return list(result) if hasattr(result, "by_page") else result
    return await asyncio.to_thread(go)


def fetch(uri: str):
    with urllib.request.urlopen(uri) as answer:  # noqa: S310 - 127.0.0.1 only
        return answer.status, answer.read()


async def _fire(live, name, body):
    _, headers, _ = await live.call("POST", live.url(name), json=body)
    return headers["x-ms-workflow-run-id"]


async def test_workflows_versions_and_state(serve_real):
    live = await serve_real({"orders.json": ORDERS, "slow.json": SLOW})
    c = client(live)
    by_group = await sdk(c.workflows.list_by_resource_group, RG)
    assert [w.name for w in by_group] == ["orders", "slow"]
    wf = by_group[0]
    assert wf.id == f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Logic/workflows/orders"
    assert (wf.state, wf.provisioning_state, wf.location, wf.sku.name) == ("Enabled", "Succeeded", "local", "Standard")
    assert wf.created_time is not None and wf.changed_time is not None and wf.version
    assert wf.access_endpoint.endswith("/workflows/" + live.entry("orders").id)
    by_sub = await sdk(c.workflows.list_by_subscription, top=1)
    assert [w.name for w in by_sub] == ["orders", "slow"]  # one per page, followed by nextLink
    assert by_sub[0].id.startswith(f"/subscriptions/{SUB}/resourceGroups/")
    assert [w.name for w in await sdk(c.workflows.list_by_resource_group, RG, filter="state eq 'Enabled'")] == [
        "orders", "slow"]
    got = await sdk(c.workflows.get, RG, "orders")
    assert got.definition["triggers"]["manual"]["type"] == "Request"
    assert (got.parameters["greeting"].type, got.parameters["greeting"].value) == ("String", "hi")
    assert (got.parameters["apiKey"].type, got.parameters["apiKey"].value) == ("SecureString", None)
    assert got.access_control is None  # none in the file

    versions = await sdk(c.workflow_versions.list, RG, "orders")
    assert [v.name for v in versions] == [wf.version]
    version = await sdk(c.workflow_versions.get, RG, "orders", wf.version)
    assert version.id.endswith(f"/workflows/orders/versions/{wf.version}") and version.state == "Enabled"
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_versions.get, RG, "orders", "08585000000000000000")
    assert err.value.error.code == "WorkflowVersionNotFound"

    await sdk(c.workflows.disable, RG, "orders")
    assert (await sdk(c.workflows.get, RG, "orders")).state == "Disabled"
    status, _, out = await live.call_json("POST", live.url("orders"), json={"ok": True})
    assert status == 400 and out["error"]["code"] == "WorkflowTriggerIsNotEnabled"
    await sdk(c.workflows.enable, RG, "orders")
    assert (await live.call("POST", live.url("orders"), json={"ok": True}))[0] == 200

    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflows.get, RG, "nope")
    assert err.value.error.code == "WorkflowNotFound"


async def test_callback_urls_keys_and_trigger_operations(serve_real):
    live = await serve_real({"orders.json": ORDERS})
    c = client(live)
    url = await sdk(c.workflow_triggers.list_callback_url, RG, "orders", "manual")
    assert url.queries.sp == "/triggers/manual/run" and url.method == "POST"
    assert (await live.call("POST", url.value, json={"ok": True}))[0] == 200
    whole = await sdk(c.workflows.list_callback_url, RG, "orders", GetCallbackUrlParameters(key_type="Primary"))
    assert whole.value == url.value
    versioned = await sdk(c.workflow_version_triggers.list_callback_url, RG, "orders", "1", "manual")
    assert "/versions/1/triggers/manual/" in versioned.value

    await sdk(c.workflows.regenerate_access_key, RG, "orders", RegenerateActionParameter(key_type="Primary"))
    assert (await live.call("POST", url.value, json={"ok": True}))[0] == 401

    triggers = await sdk(c.workflow_triggers.list, RG, "orders")
    assert [t.name for t in triggers] == ["manual"]
    trig = await sdk(c.workflow_triggers.get, RG, "orders", "manual")
    assert trig.id == f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Logic/workflows/orders/triggers/manual"
    assert (trig.state, trig.provisioning_state) == ("Enabled", "Succeeded")
    assert trig.workflow.type == "Microsoft.Logic/workflows/versions" and trig.last_execution_time is not None
    schema = await sdk(c.workflow_triggers.get_schema_json, RG, "orders", "manual")
    assert schema.title == "Order" and '"ok":{"type":"boolean"}' in schema.content

    await sdk(c.workflow_triggers.reset, RG, "orders", "manual")
    before = len(await live.server.history.runs("orders"))
    await sdk(c.workflow_triggers.run, RG, "orders", "manual")
    runs = await sdk(c.workflow_runs.list, RG, "orders")
    assert len(runs) == before + 1 and runs[0].trigger.name == "manual"

    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_triggers.get, RG, "orders", "nope")
    assert err.value.error.code == "TriggerNotFound"
    with pytest.raises(HttpResponseError) as err:
        await sdk(c.workflow_triggers.list_callback_url, RG, "orders", "manual")  # still fine
        await sdk(c.workflows.regenerate_access_key, RG, "orders", RegenerateActionParameter(key_type="Tertiary"))
    assert err.value.status_code == 400 and err.value.error.code == "InvalidKeyType"


async def test_runs_actions_links_and_paging(serve_real):
    live = await serve_real({"orders.json": ORDERS})
    c = client(live)
    good = await _fire(live, "orders", {"ok": True})
    bad = await _fire(live, "orders", {"ok": False})
    third = await _fire(live, "orders", {"ok": True})
    await asyncio.sleep(0.05)

    runs = await sdk(c.workflow_runs.list, RG, "orders", top=2)  # two pages
    assert [r.name for r in runs] == [third, bad, good]  # newest first
    failed = await sdk(c.workflow_runs.list, RG, "orders", filter="status eq 'Failed'")
    assert [r.name for r in failed] == [bad]
    start = runs[1].start_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    since = await sdk(c.workflow_runs.list, RG, "orders", top=1,
                      filter=f"startTime ge {start} and status eq 'Succeeded'")
    assert [r.name for r in since] == [third]
    with pytest.raises(HttpResponseError) as err:
        await sdk(c.workflow_runs.list, RG, "orders", filter="colour eq 'blue'")
    assert err.value.status_code == 400 and err.value.error.code == "InvalidQueryFilter"

    run = await sdk(c.workflow_runs.get, RG, "orders", good)
    assert run.id == f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Logic/workflows/orders/runs/{good}"
    assert run.status == "Succeeded" and run.correlation.client_tracking_id == good
    assert run.wait_end_time is not None and run.workflow.name == live.entry("orders").version
    assert run.trigger.code == "OK" and run.trigger.scheduled_time is not None
    assert run.trigger.correlation.client_tracking_id == good
    status, body = await asyncio.to_thread(fetch, run.trigger.outputs_link.uri)
    assert status == 200 and b'"ok":true' in body
    assert run.trigger.outputs_link.content_size == len(body)
    assert run.response.name == "Reply" and run.response.status == "Succeeded"
    assert (await sdk(c.workflow_runs.get, RG, "orders", bad)).error["code"] == "Terminated"

    actions = await sdk(c.workflow_run_actions.list, RG, "orders", good)
    assert {a.name for a in actions} == {"Check", "Fine", "Fail", "Secret", "Reply"}
    fine = await sdk(c.workflow_run_actions.get, RG, "orders", good, "Fine")
    assert fine.id.endswith(f"/runs/{good}/actions/Fine") and fine.correlation.client_tracking_id == good
    assert fine.correlation.action_tracking_id and fine.tracking_id
    link = fine.outputs_link
    assert link.content_hash.algorithm == "md5" and link.content_version == link.content_hash.value
    status, body = await asyncio.to_thread(fetch, link.uri)
    assert (status, body) == (200, b'{"ok":true}') and link.content_size == len(body)
    unsigned = link.uri.split("&sig=")[0]
    status, _, out = await live.call_json("GET", unsigned)
    assert status == 401 and out["error"]["code"] == "DirectApiAuthorizationRequired"
    status, _, out = await live.call_json("GET", unsigned.replace("/actions/Fine/", "/actions/Check/") + "&sig="
                                          + link.uri.split("&sig=")[1])
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    secret = await sdk(c.workflow_run_actions.get, RG, "orders", good, "Secret")
    assert secret.inputs_link is None and secret.outputs_link is None  # secured: no link
    only_succeeded = await sdk(c.workflow_run_actions.list, RG, "orders", bad, filter="status eq 'Skipped'")
    assert {a.name for a in only_succeeded} == {"Fine", "Secret", "Reply"}

    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_runs.get, RG, "orders", "nope")
    assert err.value.error.code == "WorkflowRunNotFound"
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_run_actions.get, RG, "orders", good, "nope")
    assert err.value.error.code == "WorkflowRunActionNotFound"


async def test_repetitions(serve_real):
    loop = flow({"Each": {"type": "Foreach", "foreach": "@triggerBody()", "runAfter": {},
                          "actions": {"Double": {"type": "Compose", "inputs": "@mul(item(), 2)"}}}})
    live = await serve_real({"loop.json": loop})
    c = client(live)
    run = await _fire(live, "loop", [1, 2, 3])
    await asyncio.sleep(0.05)
    reps = await sdk(c.workflow_run_action_repetitions.list, RG, "loop", run, "Double")
    assert [r.name for r in reps] == ["000000", "000001", "000002"]
    rep = await sdk(c.workflow_run_action_repetitions.get, RG, "loop", run, "Double", "000002")
    assert rep.id.endswith(f"/runs/{run}/actions/Double/repetitions/000002") and rep.status == "Succeeded"
    assert rep.repetition_indexes[0].item_index == 2
    assert (await asyncio.to_thread(fetch, rep.outputs_link.uri)) == (200, b"6")
    scopes = await sdk(c.workflow_run_action_scope_repetitions.list, RG, "loop", run, "Each")
    assert [(s.name, s.status, s.repetition_indexes[0].scope_name) for s in scopes] == [
        ("000000", "Succeeded", "Each"), ("000001", "Succeeded", "Each"), ("000002", "Succeeded", "Each")]
    one = await sdk(c.workflow_run_action_scope_repetitions.get, RG, "loop", run, "Each", "000001")
    assert one.id.endswith(f"/runs/{run}/actions/Each/scopeRepetitions/000001") and one.start_time is not None
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_run_action_scope_repetitions.get, RG, "loop", run, "Each", "000009")
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_run_action_repetitions.get, RG, "loop", run, "Double", "000009")
    assert err.value.error.code == "WorkflowRunActionRepetitionNotFound"


async def test_request_histories_of_outbound_calls(serve_real, tmp_path):
    doc = flow({"Each": {"type": "Foreach", "foreach": "@triggerBody()", "runAfter": {}, "actions": {
        "Fetch": {"type": "Http", "inputs": {"method": "GET", "uri": "https://api.example.com/items/@{item()}",
                                             "headers": {"x-try": "1"}}}}},
                "Ping": {"type": "Http", "inputs": {"method": "POST", "uri": "https://api.example.com/ping"},
                         "runAfter": {"Each": ["Succeeded"]}}})
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "calls.json").write_text(json.dumps(doc))
    mocks = {"rules": [{"when": {"type": "Http"}, "response": {"statusCode": 204}}], "http": "fail"}
    (folder / "calls.mocks.json").write_text(json.dumps(mocks))
    live = await serve_real([folder])
    c = client(live)
    run = await _fire(live, "calls", [7, 8])
    await asyncio.sleep(0.05)
    sent = await sdk(c.workflow_run_action_repetitions_request_histories.list, RG, "calls", run, "Fetch", "000001")
    assert len(sent) == 1 and sent[0].properties.request.uri == "https://api.example.com/items/8"
    assert sent[0].properties.request.method == "GET" and sent[0].properties.response.status_code == 204
    one = await sdk(c.workflow_run_action_repetitions_request_histories.get, RG, "calls", run, "Fetch", "000001",
                    sent[0].name)
    assert one.id.endswith(f"/actions/Fetch/repetitions/000001/requestHistories/{sent[0].name}")
    assert await sdk(c.workflow_run_action_request_histories.list, RG, "calls", run, "Fetch") == []  # all in loops
    ping = await sdk(c.workflow_run_action_request_histories.list, RG, "calls", run, "Ping")
    assert [(p.properties.request.method, p.properties.request.uri) for p in ping] == [
        ("POST", "https://api.example.com/ping")]
    again = await sdk(c.workflow_run_action_request_histories.get, RG, "calls", run, "Ping", ping[0].name)
    assert again.properties.response.status_code == 204 and again.properties.start_time is not None
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_run_action_request_histories.get, RG, "calls", run, "Fetch", "nope")
    assert err.value.error.code == "WorkflowRunActionRequestHistoryNotFound"


async def test_histories_and_resubmit(serve_real):
    live = await serve_real({"orders.json": ORDERS})
    c = client(live)
    run = await _fire(live, "orders", {"ok": True})
    await asyncio.sleep(0.05)
    histories = await sdk(c.workflow_trigger_histories.list, RG, "orders", "manual")
    assert [h.name for h in histories] == [run]
    history = await sdk(c.workflow_trigger_histories.get, RG, "orders", "manual", run)
    assert history.fired and history.status == "Succeeded" and history.code == "OK"
    assert history.tracking_id and history.correlation.client_tracking_id == run
    assert history.run.id.endswith(f"/workflows/orders/runs/{run}") and history.outputs_link.content_size > 0

    await sdk(c.workflow_trigger_histories.resubmit, RG, "orders", "manual", run)
    await asyncio.sleep(0.05)
    runs = await sdk(c.workflow_runs.list, RG, "orders")
    assert len(runs) == 2 and runs[0].name != run and runs[0].status == "Succeeded"
    first, again = [await asyncio.to_thread(fetch, r.trigger.outputs_link.uri) for r in runs[::-1]]
    assert b'"body":{"ok":true}' in first[1] and first[1] == again[1]
    assert [h.name for h in await sdk(c.workflow_trigger_histories.list, RG, "orders", "manual",
                                      filter="status eq 'Succeeded'", top=1)] == [runs[0].name, run]
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_trigger_histories.resubmit, RG, "orders", "manual", "nope")
    assert err.value.error.code == "WorkflowTriggerHistoryNotFound"


async def test_cancel_a_running_run(serve_real):
    live = await serve_real({"slow.json": SLOW})
    c = client(live)
    status, headers, _ = await live.call("POST", live.url("slow"))
    assert status == 202
    run = headers["x-ms-workflow-run-id"]
    assert (await sdk(c.workflow_runs.get, RG, "slow", run)).status == "Running"
    await sdk(c.workflow_runs.cancel, RG, "slow", run)
    done = await sdk(c.workflow_runs.get, RG, "slow", run)
    assert done.status == "Cancelled" and done.error["code"] == "Cancelled" and done.end_time is not None
    wait = await sdk(c.workflow_run_actions.get, RG, "slow", run, "Wait")
    assert (wait.status, wait.code) == ("Cancelled", "Cancelled")
    assert (await sdk(c.workflow_run_actions.get, RG, "slow", run, "Then")).status == "Skipped"
    with pytest.raises(HttpResponseError) as err:
        await sdk(c.workflow_runs.cancel, RG, "slow", run)
    assert err.value.status_code == 409 and err.value.error.code == "WorkflowRunCannotBeCancelled"


async def test_run_operation_of_an_asynchronous_response(serve_real):
    reply = {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "done"},
             "operationOptions": "Asynchronous", "runAfter": {"Wait": ["Succeeded"]}}
    wait = dict(WAIT, inputs={"interval": {"count": 1, "unit": "Second"}})
    live = await serve_real({"async.json": flow({"Wait": wait, "Reply": reply})})
    c = client(live)
    status, headers, _ = await live.call("POST", live.url("async"))
    assert status == 202
    run, op = headers["x-ms-workflow-run-id"], headers["Location"].split("/operations/")[1].split("?")[0]
    got = await sdk(c.workflow_run_operations.get, RG, "async", run, op)
    assert got.name == run and got.status == "Running"
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk(c.workflow_run_operations.get, RG, "async", run, "nope")
    assert err.value.error.code == "WorkflowRunOperationNotFound"


async def test_secured_trigger_outputs_get_no_link(serve_real):
    doc = flow({"Reply": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200}, "runAfter": {}}},
               runtimeConfiguration={"secureData": {"properties": ["outputs"]}})
    live = await serve_real({"quiet.json": doc})
    c = client(live)
    run = await _fire(live, "quiet", {"password": "hunter2"})
    await asyncio.sleep(0.05)
    got = await sdk(c.workflow_runs.get, RG, "quiet", run)
    assert got.trigger.outputs_link is None and got.trigger.inputs_link is not None
    history = await sdk(c.workflow_trigger_histories.get, RG, "quiet", "manual", run)
    assert history.outputs_link is None
    path = got.trigger.inputs_link.uri.replace("TriggerInputs", "TriggerOutputs")  # wrong sig and no content
    assert (await live.call("GET", path))[0] == 401
    from emulator.server import links
    signed = links.link(live.server.keys, live.entry("quiet"), live.base,
                        links.content_path(run, "TriggerOutputs"), None)["uri"]
    status, _, out = await live.call_json("GET", signed)  # a valid signature still gets nothing secured
    assert status == 404 and out["error"]["code"] == "ContentNotFound"


async def test_the_async_client_too(serve_real):
    """``azure.mgmt.logic.aio`` (aiohttp underneath) on the same loop as the server."""
    from azure.mgmt.logic.aio import LogicManagementClient

    class _AsyncCredential:
        async def get_token(self, *scopes, **kwargs):
            return AccessToken("unused", 2**31)

        async def close(self):
            pass

    live = await serve_real({"orders.json": ORDERS})
    run = await _fire(live, "orders", {"ok": True})
    await asyncio.sleep(0.05)
    async with LogicManagementClient(_AsyncCredential(), SUB, base_url=live.base,
                                     authentication_policy=SansIOHTTPPolicy()) as c:
        assert [r.name async for r in c.workflow_runs.list(RG, "orders", top=1)] == [run]
        action = await c.workflow_run_actions.get(RG, "orders", run, "Fine")
        assert action.status == "Succeeded" and action.outputs_link.content_size == len(b'{"ok":true}')
        url = await c.workflow_triggers.list_callback_url(RG, "orders", "manual")
        assert (await live.call("POST", url.value, json={"ok": True}))[0] == 200
