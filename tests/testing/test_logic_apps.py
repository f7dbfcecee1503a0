"""The in-process testing API (``logic_apps`` fixture / ``LogicApps``) on the seed flows and small dicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.testing import FlowLoadError, LogicApps
from emulator.testing.results import explain

FLOWS = Path(__file__).resolve().parents[2] / "flows"
EMAIL = {"to": "ada@example.com", "subject": "Hello", "body": "Hi"}


def echo(body=None, conditions=None, actions=None, method="POST", relative=None) -> dict:
    """A bare definition: a Request trigger and a Response echoing ``body`` (or the trigger body)."""
    inputs = {"method": method}
    if relative:
        inputs["relativePath"] = relative
    trigger = {"type": "Request", "kind": "Http", "inputs": inputs}
    if conditions:
        trigger["conditions"] = [{"expression": c} for c in conditions]
    acts = dict(actions or {})
    acts["Response"] = {"type": "Response", "kind": "Http", "runAfter": {k: ["Succeeded"] for k in (actions or {})},
                        "inputs": {"statusCode": 200, "body": body if body is not None else "@triggerBody()"}}
    return {"definition": {"$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/"
                                      "2016-06-01/workflowdefinition.json#",
                           "contentVersion": "1.0.0.0", "triggers": {"manual": trigger}, "actions": acts}}


def test_token_in_path_right_and_wrong(logic_apps):
    assert logic_apps.load(FLOWS / "token-in-path.json") == ["token-in-path"]
    ok = logic_apps.invoke("token-in-path", method="GET", path="/secure/s3cr3t-token")
    assert ok.status == 200 and ok.json() == {"status": "authorized", "message": "Token accepted."}
    assert ok.headers["X-MS-WORKFLOW-NAME"] == "token-in-path"  # case-insensitive
    assert ok.run.status == "Succeeded" and ok.run.action("Authorized").status == "Succeeded"
    assert ok.run.id == ok.headers["x-ms-workflow-run-id"] and not ok.skipped
    bad = logic_apps.invoke("token-in-path", method="GET", path="/secure/guess")
    assert bad.status == 401 and bad.run.action("Unauthorized").code == "Unauthorized"
    assert bad.run.action("Authorized").status == "Skipped"
    assert '"unauthorized"' in bad.text and bad.body.startswith(b"{")


def test_notify_right_token_sends_one_email_wrong_token_none(logic_apps):
    logic_apps.load(FLOWS / "notify-with-token.json")
    logic_apps.mock_action("Send_an_email_(V2)", status_code=200, body={"id": "mail-1"})
    ok = logic_apps.invoke("notify-with-token", path="/notify/s3cr3t-token", json={"to": "ada@example.com"})
    assert ok.status == 200 and len(logic_apps.calls) == 1
    call = logic_apps.calls[0]
    assert call["action"] == "Send_an_email_(V2)" and call["request"]["body"]["To"] == "ada@example.com"
    assert call["mocked"] == "actions.Send_an_email_(V2)" and ok.run.calls == logic_apps.calls
    assert ok.run.action("Send_an_email_(V2)").outputs["body"] == {"id": "mail-1"}
    bad = logic_apps.invoke("notify-with-token", path="/notify/guess", json={"to": "ada@example.com"})
    assert bad.status == 401 and bad.run.calls == [] and len(logic_apps.calls) == 1


def test_header_condition_false_gives_no_run(logic_apps):
    logic_apps.load(FLOWS / "secret-key-condition.json")
    result = logic_apps.invoke("secret-key-condition", json={"name": "Ada"}, headers={"secretKey": "nope"})
    assert result.status == 202 and result.skipped and result.run is None and result.body == b""
    assert result.headers["x-ms-workflow-name"] == "secret-key-condition"
    result.assert_skipped().assert_no_run()
    ok = logic_apps.invoke("secret-key-condition", json={"name": "Ada"}, headers={"secretKey": "let-me-in"})
    assert ok.status == 200 and not ok.skipped


def test_server_errors_are_answers_not_exceptions(logic_apps):
    logic_apps.load(FLOWS / "token-in-path.json")
    assert logic_apps.invoke("nope").json()["error"]["code"] == "WorkflowNotFound"
    assert logic_apps.invoke("token-in-path", "other").json()["error"]["code"] == "TriggerNotFound"
    wrong_method = logic_apps.invoke("token-in-path", path="/secure/x")  # POST on a GET trigger
    assert wrong_method.status == 400 and wrong_method.run is None
    assert wrong_method.json()["error"]["code"] == "TriggerRequestMethodNotValid"
    bad_sig = logic_apps.invoke("token-in-path", method="GET", path="/secure/x", query={"sig": "forged"})
    assert bad_sig.status == 401 and bad_sig.json()["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    no_sig = logic_apps.invoke("token-in-path", method="GET", path="/secure/x", query={"sig": None})
    assert no_sig.json()["error"]["code"] == "DirectApiAuthorizationRequired"


def test_schema_validation_answers_400(logic_apps):
    logic_apps.load(FLOWS / "send-email.json")
    result = logic_apps.invoke("send-email", json={"to": "x"})
    assert result.status == 400 and result.json()["error"]["code"] == "TriggerInputSchemaMismatch"
    assert result.run is None and logic_apps.calls == []


def test_load_dict_folder_and_name(logic_apps):
    assert logic_apps.load(echo({"ok": True})) == ["workflow"]
    assert logic_apps.load(echo(), name="echo") == ["echo"]
    assert logic_apps.load(FLOWS / "token-in-header.json", name="renamed") == ["renamed"]
    assert logic_apps.invoke("workflow").json() == {"ok": True}
    assert logic_apps.invoke("echo", data="plain text").text == "plain text"
    with LogicApps() as la:
        names = la.load(FLOWS)
        assert {"token-in-path", "send-email", "secret-key-condition"} <= set(names) == set(la.workflows)


def test_load_errors_raise_with_the_validators_message(logic_apps):
    broken = echo(body="@concat('a',")
    with pytest.raises(FlowLoadError) as info:
        logic_apps.load(broken, name="broken")
    message = str(info.value)
    assert "broken.json" in message and "$.definition.actions.Response.inputs.body" in message
    assert logic_apps.workflows == []
    with pytest.raises(FileNotFoundError):
        logic_apps.load("no/such/flow.json")
    assert logic_apps.load(echo("fixed"), name="broken") == ["broken"]  # the name is free after the failure
    assert logic_apps.invoke("broken").text == "fixed"
    with pytest.raises(FlowLoadError, match="already loaded"):
        logic_apps.load(echo("again"), name="broken")


def test_strict_mocks_fail_unmatched_calls_with_no_mock_found(logic_apps):
    logic_apps.load(FLOWS / "send-email.json")
    result = logic_apps.invoke("send-email", json=EMAIL)
    assert result.status == 502
    action = result.run.action("Send_an_email_(V2)")
    assert action.status == "Failed" and action.error["code"] == "NoMockFound"
    assert logic_apps.calls[0]["mocked"] is None


def test_unmatched_http_fails_until_real_calls_are_allowed(logic_apps, logic_apps_server):
    logic_apps_server.load(FLOWS / "token-in-path.json")
    target = logic_apps_server.url("token-in-path", path="/secure/s3cr3t-token")
    logic_apps.load(echo("@body('Call')", actions={"Call": {"type": "Http", "runAfter": {},
                                                            "inputs": {"method": "GET", "uri": target}}}), name="c")
    first = logic_apps.invoke("c")
    call = first.run.action("Call")
    assert call.status == "Failed" and call.code == "NoMockFound" and call.error["code"] == "NoMockFound"
    logic_apps.allow_real_http()
    second = logic_apps.invoke("c")
    assert second.status == 200 and second.json() == {"status": "authorized", "message": "Token accepted."}
    assert logic_apps.calls[-1]["mocked"] is None and logic_apps.calls[-1]["response"]["statusCode"] == 200


def test_rules_with_match_and_successive_responses(logic_apps):
    actions = {"Get": {"type": "Http", "runAfter": {}, "inputs": {
        "method": "GET", "uri": "https://api.example.com/items/@{triggerBody()?['id']}",
        "retryPolicy": {"type": "none"}}}}
    logic_apps.load(echo("@outputs('Get')?['statusCode']", actions=actions), name="get")
    logic_apps.mock(when={"type": "Http", "url": "https://api.example.com/items/*"}, match="contains(url, '/7')",
                    response={"statusCode": 404})
    logic_apps.mock(when={"type": "Http"}, responses=[{"statusCode": 200, "body": 1}, {"statusCode": 201}])
    assert logic_apps.invoke("get", json={"id": 7}).run.action("Get").code == "NotFound"
    assert logic_apps.invoke("get", json={"id": 1}).json() == 200
    assert logic_apps.invoke("get", json={"id": 2}).json() == 201
    assert logic_apps.invoke("get", json={"id": 3}).json() == 201  # the last answer repeats
    assert [c["mocked"] for c in logic_apps.calls] == ["rules[0]", "rules[1]", "rules[1]", "rules[1]"]


def test_a_match_that_is_not_jmespath_raises_where_the_test_adds_it(logic_apps):
    with pytest.raises(ValueError, match=r"mock rule 0 \('match': 'body.x =='\) is not a JMESPath expression"):
        logic_apps.mock(when={"type": "Http"}, match="body.x ==", response={"statusCode": 200})
    with pytest.raises(ValueError, match="mock rule 1"):
        logic_apps.load_mocks({"rules": [{"when": {"type": "Http"}}, {"when": {}, "match": "[?"}]})


def test_mock_action_error_outputs_and_responses(logic_apps):
    actions = {"Mail": {"type": "ApiConnection", "runAfter": {}, "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['office365']['connectionId']"}},
        "method": "post", "path": "/v2/Mail", "retryPolicy": {"type": "none"}}}}
    logic_apps.load(echo("x", actions=actions), name="mail")
    logic_apps.mock_action("Mail", error={"code": "ServiceUnavailable", "message": "SMTP down"})
    failed = logic_apps.invoke("mail")
    assert failed.status == 502 and failed.run.action("Mail").error == {"code": "ServiceUnavailable",
                                                                          "message": "SMTP down"}
    logic_apps.mock_action("Mail", responses=[{"statusCode": 500}, {"statusCode": 200}])
    assert logic_apps.invoke("mail").run.action("Mail").status == "Failed"
    assert logic_apps.invoke("mail").run.action("Mail").status == "Succeeded"


def test_loops_give_repetitions_and_query_reads_the_record(logic_apps):
    loop = {"Each": {"type": "Foreach", "foreach": "@triggerBody()", "runAfter": {}, "actions": {
        "Double": {"type": "Compose", "inputs": "@mul(item(), 2)", "runAfter": {}}}}}
    logic_apps.load(echo("done", actions=loop), name="loop")
    run = logic_apps.invoke("loop", json=[1, 2, 3]).run
    reps = run.action("Double").repetitions
    assert [r.outputs for r in reps] == [2, 4, 6] and all(r.status == "Succeeded" for r in reps)
    assert repr(reps[0].status) == "'Succeeded'" and explain(reps[0].status)  # a str (not the runtime's enum)
    assert run.query("actions.Each.status") == "Succeeded"
    assert run.trigger["outputs"]["body"] == [1, 2, 3]


def test_items_read_from_a_result_know_their_run_and_changes_stay(logic_apps):
    logic_apps.load(echo({"status": "sent", "lines": [{"n": 1}]}), name="e")
    result = logic_apps.invoke("e")
    body = result.json()
    assert explain(body["status"]) and explain(body["lines"][0]["n"]) and explain(body.get("lines"))
    assert explain(result.run.trigger["outputs"]) and body.get("none", 5) == 5
    body["lines"][0]["n"] = 2
    body["lines"].append(3)
    assert body == {"status": "sent", "lines": [{"n": 2}, 3]} and body["lines"][1:] == [3]


def test_freeze_time_and_deterministic_ids():
    flow = echo({"now": "@utcNow()", "guid": "@guid()"})

    def two_runs():
        with LogicApps(flow, now="2025-03-01T12:00:00Z", seed=42) as la:
            first = la.invoke("workflow")
            return first.json(), first.run.id, first.headers["x-ms-correlation-id"], la.invoke("workflow").run.id

    one, other = two_runs(), two_runs()
    assert one == other and one[0]["now"].startswith("2025-03-01T12:00:00") and one[1] != one[3]
    with LogicApps(flow) as la:
        la.freeze_time("2030-01-02T03:04:05.123456Z")
        assert la.invoke("workflow").json()["now"] == "2030-01-02T03:04:05.1234560Z"


def test_waits_take_no_real_time(logic_apps):
    wait = {"Pause": {"type": "Wait", "runAfter": {}, "inputs": {"interval": {"count": 2, "unit": "Hour"}}}}
    logic_apps.load(echo("@utcNow()", actions=wait), name="slow")
    logic_apps.freeze_time("2025-01-01T00:00:00Z")
    assert logic_apps.invoke("slow").text.startswith("2025-01-01T02:00:00")


def test_url_is_signed_like_list_callback_url(logic_apps):
    logic_apps.load(FLOWS / "token-in-path.json")
    url = logic_apps.url("token-in-path")
    assert "/triggers/manual/paths/invoke/secure/{token}?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun" \
           "&sv=1.0&sig=" in url
    assert logic_apps.url("token-in-path", path="/secure/abc").split("?")[0].endswith("/invoke/secure/abc")
    with pytest.raises(LookupError):
        logic_apps.url("missing")


async def test_async_twin_and_the_sync_call_inside_a_loop(logic_apps):
    logic_apps.load(echo())
    result = await logic_apps.ainvoke("workflow", json={"a": 1})
    assert result.status == 200 and result.json() == {"a": 1}
    with pytest.raises(RuntimeError, match="ainvoke"):
        logic_apps.invoke("workflow")


def test_context_manager_and_decorator():
    @LogicApps(FLOWS / "token-in-path.json")
    def check(expected, la):
        return la.invoke("token-in-path", method="GET", path="/secure/s3cr3t-token").status == expected

    assert check(200) and check(expected=200)
    with LogicApps(FLOWS / "token-in-path.json") as la:
        assert la.invoke("token-in-path", method="GET", path="/secure/s3cr3t-token").status == 200


@LogicApps(FLOWS / "token-in-path.json")
def test_decorated_test_function_gets_its_emulator(tmp_path, la):
    assert tmp_path.exists() and la.workflows == ["token-in-path"]


def test_helper_assertions_carry_the_run_tree(logic_apps):
    logic_apps.load(FLOWS / "token-in-path.json")
    result = logic_apps.invoke("token-in-path", method="GET", path="/secure/guess")
    result.assert_status(401).assert_run("Succeeded")
    result.assert_action("Unauthorized", "Succeeded", "Unauthorized")
    with pytest.raises(AssertionError) as info:
        result.assert_status(200)
    text = str(info.value)
    assert text.startswith("status 401, expected 200") and "Unauthorized  Succeeded  Unauthorized" in text
    with pytest.raises(AssertionError, match="Authorized: Skipped"):
        result.assert_action("Authorized")
    assert "Check_token  Succeeded" in repr(result)


def test_five_hundred_invocations_in_one_test(logic_apps):
    logic_apps.load(FLOWS / "notify-with-token.json")
    logic_apps.mock_action("Send_an_email_(V2)", body={"id": "m"})
    statuses = []
    for i in range(500):
        token = "s3cr3t-token" if i % 2 == 0 else "guess"
        statuses.append(int(logic_apps.invoke("notify-with-token", path=f"/notify/{token}", json={"to": "a@b.c"})
                            .status))
    assert statuses.count(200) == 250 and statuses.count(401) == 250
    assert len(logic_apps.calls) == 250 and len(logic_apps.runs) == 500


def test_a_condition_that_throws_is_a_400_not_a_skip(logic_apps):
    logic_apps.load(echo(conditions=["@equals(div(1, 0), 1)"]), name="throws")
    result = logic_apps.invoke("throws", json={})
    assert result.status == 400 and result.json()["error"]["code"] == "InvalidTemplate"
    assert not result.skipped and result.run is None


def test_oauth_policies_with_tokens_of_the_local_issuer(logic_apps):
    logic_apps.load(FLOWS / "oauth-protected.json")
    tenant, aud = "c0ffee00-0000-4000-8000-000000000001", "https://management.azure.com/"
    bearer = {"Authorization": f"Bearer {logic_apps.token(tenant, aud)}"}
    ok = logic_apps.invoke("oauth-protected", json={"name": "Ada"}, headers=bearer, sas=False)
    assert ok.status == 200 and ok.json()["greeting"] == "Hello Ada"
    wrong = logic_apps.invoke("oauth-protected", json={}, sas=False,
                              headers={"Authorization": f"Bearer {logic_apps.token(tenant, 'api://other')}"})
    assert wrong.status == 401 and wrong.run is None


async def test_async_context_manager_and_async_decorator():
    async with LogicApps(echo({"hi": 1})) as la:
        assert (await la.ainvoke("workflow")).json() == {"hi": 1}

    @LogicApps(echo({"hi": 2}))
    async def check(la):
        return (await la.ainvoke("workflow")).json()

    assert await check() == {"hi": 2}


def test_a_standard_project_is_called_at_its_url_shape(logic_apps, tmp_path):
    import json

    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensionBundle": {
        "id": "Microsoft.Azure.Functions.ExtensionBundle.Workflows", "version": "[1.*, 2.0.0)"}}))
    (tmp_path / "hello").mkdir()
    flow = echo({"hello": "@triggerBody()?['name']"})
    (tmp_path / "hello" / "workflow.json").write_text(json.dumps({**flow, "kind": "Stateful"}))
    assert logic_apps.load(tmp_path) == ["hello"]
    result = logic_apps.invoke("hello", json={"name": "Ada"})
    assert result.status == 200 and result.json() == {"hello": "Ada"}
    assert "/api/hello/triggers/manual/invoke?api-version=2022-05-01&sp=" in result.url
    assert logic_apps.url("hello").startswith("http://localhost/api/hello/triggers/manual/invoke?")
