"""The management API: listCallbackUrl (all path shapes), regenerateAccessKey, runs, trigger histories."""

from __future__ import annotations

import asyncio

from tests.server.flowdefs import ECHO, after, flow, response
from tests.server.live import start

ARM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic"
STD = "/runtime/webhooks/workflow/api/management"
STD_ARM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/hostruntime" + STD
WEB_ARM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app"


async def test_list_callback_url_every_prefix(serve):
    live = await serve({"echo.json": ECHO})
    for prefix in ("", ARM, STD, STD_ARM, WEB_ARM):
        status, headers, out = await live.call_json(
            "POST", f"{live.base}{prefix}/workflows/echo/triggers/manual/listCallbackUrl?api-version=2016-06-01")
        assert status == 200, prefix
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        assert set(out) == {"value", "method", "basePath", "queries"}
        assert out["method"] == "POST"
        assert out["value"].startswith(out["basePath"] + "?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=")
        assert out["queries"]["sp"] == "/triggers/manual/run" and out["queries"]["sv"] == "1.0"
        assert len(out["queries"]["sig"]) == 43
        assert (await live.call("POST", out["value"]))[0] == 200


async def test_list_callback_url_body_options_and_errors(serve):
    live = await serve({"echo.json": ECHO})
    path = f"{live.base}/workflows/echo/triggers/manual/listCallbackUrl"
    _, _, primary = await live.call_json("POST", path)
    _, _, secondary = await live.call_json("POST", path, json={"keyType": "Secondary"})
    assert primary["queries"]["sig"] != secondary["queries"]["sig"]
    _, _, expiring = await live.call_json("POST", path, json={"notAfter": "2099-03-05T08:00:00Z"})
    assert expiring["queries"]["se"] == "2099-03-05T08:00:00.0000000Z"
    assert (await live.call("POST", expiring["value"]))[0] == 200
    status, _, out = await live.call_json("POST", path, json={"keyType": "Tertiary"})
    assert status == 400 and out["error"]["code"] == "InvalidKeyType"
    status, _, out = await live.call_json("POST", path, data=b"{", headers={"Content-Type": "application/json"})
    assert status == 400 and out["error"]["code"] == "InvalidRequestContent"
    status, _, out = await live.call_json("POST", path, json={"notAfter": "soon"})
    assert status == 400 and out["error"]["code"] == "InvalidRequestContent"
    status, _, out = await live.call_json("POST", f"{live.base}/workflows/nope/triggers/manual/listCallbackUrl")
    assert status == 404 and out["error"]["code"] == "WorkflowNotFound"
    status, _, out = await live.call_json("POST", f"{live.base}/workflows/echo/triggers/nope/listCallbackUrl")
    assert status == 404 and out["error"]["code"] == "TriggerNotFound"


async def test_list_callback_url_for_non_request_trigger(serve):
    doc = flow({"C": {"type": "Compose", "inputs": "x"}})  # a Response would be refused with a Recurrence
    doc["definition"]["triggers"]["tick"] = {"type": "Recurrence", "recurrence": {"frequency": "Hour", "interval": 1}}
    live = await serve({"r.json": doc})
    status, _, out = await live.call_json("POST", f"{live.base}/workflows/r/triggers/tick/listCallbackUrl")
    assert status == 400 and out["error"]["code"] == "InvalidTriggerType"
    status, _, out = await live.call_json("POST", live.url("r").replace("/triggers/manual/", "/triggers/tick/"))
    assert status == 404


async def test_regenerate_access_key_invalidates_urls(serve):
    live = await serve({"echo.json": ECHO})
    old_primary, old_secondary = live.url("echo"), live.url("echo", key_type="secondary")
    status, _, _ = await live.call("POST", f"{live.base}{ARM}/workflows/echo/regenerateAccessKey",
                                   json={"keyType": "Primary"})
    assert status == 200
    status, _, out = await live.call_json("POST", old_primary)
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    assert (await live.call("POST", old_secondary))[0] == 200
    assert (await live.call("POST", live.url("echo")))[0] == 200
    status, _, out = await live.call_json("POST", f"{live.base}/workflows/echo/regenerateAccessKey",
                                          json={"keyType": "x"})
    assert status == 400 and out["error"]["code"] == "InvalidKeyType"


async def test_runs_actions_repetitions_and_histories(serve):
    loop = {"type": "Foreach", "foreach": "@createArray(1, 2)", "runAfter": {"Compose": ["Succeeded"]}, "actions": {
        "Each": {"type": "Compose", "inputs": "@div(2, sub(item(), 2))"}}}  # the second repetition fails
    doc = flow({"Compose": {"type": "Compose", "inputs": "@triggerBody()"}, "Loop": loop,
                "Response": after(response(200, "ok"), "Loop", statuses=("Succeeded", "Failed"))},
               conditions=[{"expression": "@not(equals(triggerBody(), 'skip'))"}])
    live = await serve({"wf.json": doc})
    _, headers, _ = await live.call("POST", live.url("wf"), json="go")
    run_id = headers["x-ms-workflow-run-id"]
    await live.call("POST", live.url("wf"), json="skip")
    await asyncio.sleep(0.05)
    base = f"{live.base}/workflows/wf"
    status, _, runs = await live.call_json("GET", f"{base}/runs?api-version=2016-06-01")
    assert status == 200 and [r["name"] for r in runs["value"]] == [run_id]
    assert runs["value"][0]["type"] == "Microsoft.Logic/workflows/runs"
    assert runs["value"][0]["properties"]["status"] == "Succeeded"
    _, _, failed = await live.call_json("GET", f"{base}/runs?status=Failed")
    assert failed["value"] == []
    status, _, run = await live.call_json("GET", f"{live.base}{ARM}/workflows/{live.entry('wf').id}/runs/{run_id}")
    assert status == 200 and run["properties"]["trigger"]["name"] == "manual"
    _, _, actions = await live.call_json("GET", f"{base}/runs/{run_id}/actions")
    assert [a["name"] for a in actions["value"]] == ["Compose", "Loop", "Each", "Response"]
    _, _, compose = await live.call_json("GET", f"{base}/runs/{run_id}/actions/compose")
    assert "outputs" not in compose["properties"]  # as in Azure: the outputs are behind a signed content link
    assert (await live.call_json("GET", compose["properties"]["outputsLink"]["uri"]))[2] == "go"
    _, _, reps = await live.call_json("GET", f"{base}/runs/{run_id}/actions/Each/repetitions")
    assert [r["name"] for r in reps["value"]] == ["000000", "000001"]
    status, _, rep = await live.call_json("GET", f"{base}/runs/{run_id}/actions/Each/repetitions/000001")
    assert status == 200 and rep["properties"]["status"] == "Failed"
    _, _, hist = await live.call_json("GET", f"{base}/triggers/manual/histories")
    assert [h["properties"]["status"] for h in hist["value"]] == ["Skipped", "Succeeded"]
    assert hist["value"][1]["properties"]["run"]["name"] == run_id
    status, _, one = await live.call_json("GET", f"{base}/triggers/manual/histories/{run_id}")
    assert status == 200 and one["properties"]["fired"] is True
    for path, code in ((f"{base}/runs/nope", "WorkflowRunNotFound"),
                       (f"{base}/runs/{run_id}/actions/nope", "WorkflowRunActionNotFound"),
                       (f"{base}/runs/{run_id}/actions/Each/repetitions/9", "WorkflowRunActionRepetitionNotFound"),
                       (f"{base}/triggers/manual/histories/nope", "WorkflowTriggerHistoryNotFound")):
        status, _, out = await live.call_json("GET", path)
        assert status == 404 and out["error"]["code"] == code


async def test_workflow_and_trigger_listing(serve):
    live = await serve({"echo.json": ECHO})
    _, _, wfs = await live.call_json("GET", f"{live.base}/workflows")
    assert [w["name"] for w in wfs["value"]] == ["echo"]
    assert wfs["value"][0]["properties"]["accessEndpoint"].endswith("/workflows/" + live.entry("echo").id)
    _, _, wf = await live.call_json("GET", f"{live.base}{STD}/workflows/echo")
    assert wf["properties"]["state"] == "Enabled"
    _, _, triggers = await live.call_json("GET", f"{live.base}/workflows/echo/triggers")
    assert triggers["value"][0]["properties"]["state"] == "Enabled"
    _, _, trig = await live.call_json("GET", f"{live.base}/workflows/echo/triggers/manual")
    assert trig["name"] == "manual"


async def test_history_bounded_in_memory(serve):
    live = await serve({"echo.json": ECHO}, history_size=2)
    for _ in range(3):
        await live.call("POST", live.url("echo"))
    assert len(await live.server.history.runs("echo")) == 2


async def test_sqlite_history_survives_restart(tmp_path, serve):
    live = await serve({"echo.json": ECHO}, history="sqlite")
    _, headers, _ = await live.call("POST", live.url("echo"))
    run_id = headers["x-ms-workflow-run-id"]
    await asyncio.sleep(0.05)
    await live.close()
    again = await start([tmp_path / "flows"], tmp_path / "state", history="sqlite")
    try:
        status, _, run = await again.call_json("GET", f"{again.base}/workflows/echo/runs/{run_id}")
        assert status == 200 and run["properties"]["status"] == "Succeeded"
        _, _, hist = await again.call_json("GET", f"{again.base}/workflows/echo/triggers/manual/histories")
        assert hist["value"][0]["name"] == run_id
        _, _, runs = await again.call_json("GET", f"{again.base}/workflows/echo/runs")
        assert [r["name"] for r in runs["value"]] == [run_id]
    finally:
        await again.close()


async def test_versioned_callback_url(serve):
    """listCallbackUrl on a workflow version gives /versions/{v}/ URLs whose sp names the version (spec §1.1)."""
    live = await serve({"echo.json": ECHO})
    status, _, out = await live.call_json(
        "POST", f"{live.base}{ARM}/workflows/echo/versions/08585129706921748293/triggers/manual/listCallbackUrl")
    assert status == 200
    assert "/versions/08585129706921748293/triggers/manual/paths/invoke?" in out["value"]
    assert out["queries"]["sp"] == "/versions/08585129706921748293/triggers/manual/run"
    assert (await live.call("POST", out["value"]))[0] == 200
    # the versioned signature does not open the unversioned URL, nor the reverse
    plain = live.callback("echo")
    swapped = out["value"].replace("/versions/08585129706921748293", "")
    assert (await live.call("POST", swapped))[0] == 401
    other = plain["value"].replace("/workflows/", "/workflows/").replace(
        "/triggers/manual/", "/versions/08585129706921748293/triggers/manual/", 1)
    assert (await live.call("POST", other))[0] == 401


async def test_workflow_shows_its_access_control(serve):
    doc = dict(ECHO, accessControl={"triggers": {"allowedCallerIpAddresses": [{"addressRange": "127.0.0.1"}]}})
    live = await serve({"echo.json": doc})
    _, _, wf = await live.call_json("GET", f"{live.base}{ARM}/workflows/echo")
    assert wf["properties"]["accessControl"] == doc["accessControl"]


async def test_arm_ids_follow_the_request_path(serve):
    live = await serve({"echo.json": ECHO})
    _, headers, _ = await live.call("POST", live.url("echo"))
    run_id = headers["x-ms-workflow-run-id"]
    await asyncio.sleep(0.05)
    default = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Logic"
    for prefix, scope in (("", default), (STD, default), (ARM, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic"),
                          (WEB_ARM, WEB_ARM), (STD_ARM, STD_ARM)):
        _, _, wf = await live.call_json("GET", f"{live.base}{prefix}/workflows/echo")
        assert wf["id"] == f"{scope}/workflows/echo", prefix
        _, _, run = await live.call_json("GET", f"{live.base}{prefix}/workflows/echo/runs/{run_id}")
        assert run["id"] == f"{scope}/workflows/echo/runs/{run_id}", prefix
        assert run["properties"]["workflow"]["id"].startswith(f"{scope}/workflows/echo/versions/")
    _, _, listed = await live.call_json("GET", f"{live.base}/subscriptions/s/providers/Microsoft.Logic/workflows")
    assert listed["value"][0]["id"] == "/subscriptions/s/resourceGroups/local/providers/Microsoft.Logic/workflows/echo"


async def test_paging_filters_and_bad_parameters(serve):
    live = await serve({"echo.json": ECHO})
    names = []
    for _ in range(5):
        _, headers, _ = await live.call("POST", live.url("echo"))
        names.append(headers["x-ms-workflow-run-id"])
    await asyncio.sleep(0.05)
    url, seen = f"{live.base}{ARM}/workflows/echo/runs?api-version=2019-05-01&$top=2", []
    while url:
        status, _, page = await live.call_json("GET", url)
        assert status == 200 and len(page["value"]) <= 2
        seen += [r["name"] for r in page["value"]]
        url = page.get("nextLink")
        assert url is None or ("$top=2" in url and "$skiptoken=" in url)
    assert seen == names[::-1]
    _, _, first = await live.call_json("GET", f"{live.base}/workflows/echo/runs?$top=1&$filter=status%20eq%20'Succeeded'")
    assert "$filter=status%20eq%20%27Succeeded%27" in first["nextLink"]
    base = f"{live.base}/workflows/echo"
    for query, code in (("$top=0", "InvalidTopInQueryString"), ("$top=x", "InvalidTopInQueryString"),
                        ("$skiptoken=%%%", "InvalidQueryParameterValue"),
                        ("$filter=status eq", "InvalidQueryFilter"),
                        ("$filter=status eq 'A' or status eq 'B'", "InvalidQueryFilter"),
                        ("$filter=startTime ge yesterday", "InvalidQueryFilter"),
                        ("$filter=status like 'A'", "InvalidQueryFilter"),
                        ("$filter=name eq 'x'", "InvalidQueryFilter")):
        status, headers, out = await live.call_json("GET", f"{base}/runs?{query}")
        assert status == 400 and out["error"]["code"] == code, query
        assert headers["Content-Type"] == "application/json; charset=utf-8"
    status, _, out = await live.call_json("GET", f"{base}/versions?$filter=state eq 'Enabled'")
    assert status == 400 and out["error"]["code"] == "InvalidQueryFilter"  # versions take no filter: refused
    for path, code in ((f"{base}/versions/1", "WorkflowVersionNotFound"), (f"{base}/nope", "NotFound"),
                       (f"{live.base}{ARM}/workflows/echo/runs/r/nothing", "NotFound")):
        status, _, out = await live.call_json("GET", path)
        assert status == 404 and out["error"]["code"] == code, path


async def test_content_links_are_signed(serve):
    live = await serve({"echo.json": ECHO})
    _, headers, _ = await live.call("POST", live.url("echo"), json={"a": 1})
    run_id = headers["x-ms-workflow-run-id"]
    await asyncio.sleep(0.05)
    _, _, run = await live.call_json("GET", f"{live.base}/workflows/echo/runs/{run_id}")
    link = run["properties"]["trigger"]["outputsLink"]
    assert f"/workflows/{live.entry('echo').id}/runs/{run_id}/contents/TriggerOutputs?api-version=2016-06-01&se=" \
        in link["uri"]
    assert "&sp=%2Fruns%2F" in link["uri"] and "%2Fcontents%2FTriggerOutputs%2Fread&sv=1.0&sig=" in link["uri"]
    status, _, body = await live.call_json("GET", link["uri"])
    assert status == 200 and body["body"] == {"a": 1}
    other = link["uri"].replace("TriggerOutputs?", "TriggerInputs?")
    status, _, out = await live.call_json("GET", other)
    assert status == 401 and out["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    missing = link["uri"].replace(f"/runs/{run_id}/", "/runs/nope/")
    assert (await live.call("GET", missing))[0] == 401  # the signature names the run
    await live.call("POST", f"{live.base}/workflows/echo/regenerateAccessKey", json={"keyType": "Primary"})
    assert (await live.call("GET", link["uri"]))[0] == 401


async def test_disabled_state_survives_a_reload(serve, tmp_path):
    live = await serve({"echo.json": ECHO})
    assert (await live.call("POST", f"{live.base}{ARM}/workflows/echo/disable"))[0] == 200
    live.server.registry.load()
    status, _, out = await live.call_json("POST", live.url("echo"))
    assert status == 400 and out["error"]["code"] == "WorkflowTriggerIsNotEnabled"
    status, _, out = await live.call_json("POST", f"{live.base}{ARM}/workflows/echo/triggers/manual/run")
    assert status == 400 and out["error"]["code"] == "WorkflowTriggerIsNotEnabled"
    assert (await live.call("POST", f"{live.base}{ARM}/workflows/echo/enable"))[0] == 200
    status, headers, _ = await live.call("POST", f"{live.base}{ARM}/workflows/echo/triggers/manual/run")
    assert status == 202 and headers["x-ms-workflow-run-id"]


async def test_every_route_answers_unknown_resources_in_azures_error_shape(serve):
    """Each management route, with one unknown path part at a time: 404 and the host's code, as JSON."""
    from emulator.server import arm, management

    live = await serve({"echo.json": ECHO})
    _, headers, _ = await live.call("POST", live.url("echo"))
    run_id = headers["x-ms-workflow-run-id"]
    known = {"wf": "echo", "trigger": "manual", "run": run_id, "action": "Response", "rep": "000000",
             "version": live.entry("echo").version, "history": run_id, "op": "x"}
    codes = {"wf": "WorkflowNotFound", "trigger": "TriggerNotFound", "run": "WorkflowRunNotFound",
             "action": "WorkflowRunActionNotFound", "rep": "WorkflowRunActionRepetitionNotFound",
             "history": "WorkflowTriggerHistoryNotFound", "op": "WorkflowRunOperationNotFound",
             "version": "WorkflowVersionNotFound"}
    await asyncio.sleep(0.05)
    checked = 0
    for family in management.FAMILIES:
        for method, path, _, prefixes in family.ROUTES:
            if prefixes is not None and arm.PREFIXES[1] not in prefixes:
                continue  # list_by_subscription: no resource to miss
            for part, code in codes.items():
                if "{" + part + "}" not in path or (part == "version" and path.endswith("listCallbackUrl")):
                    continue  # a versioned callback URL takes any version id
                if part == "history" and "{rep}" in path:
                    continue  # the flow has no loop: the repetition itself is missing (checked as "rep")
                if part == "history" and "requestHistories" in path:
                    code = "WorkflowRunActionRequestHistoryNotFound"
                url = live.base + ARM + path.format(**dict(known, **{part: "nope"}))
                status, answer_headers, out = await live.call_json(method, url)
                assert status == 404, (method, url, status, out)
                assert out["error"]["code"] == code and out["error"]["message"], (method, url, out)
                assert answer_headers["Content-Type"] == "application/json; charset=utf-8"
                checked += 1
    assert checked > 40
