"""runAfter scheduling, statuses, codes and run status rules."""

from __future__ import annotations

from .helpers import run, statuses


async def test_runafter_skip_propagates_with_host_message():
    _, rec, _ = await run({
        "A": {"type": "Compose", "inputs": "@div(1, 0)"},
        "B": {"type": "Compose", "inputs": "b", "runAfter": {"A": ["Succeeded"]}},
        "C": {"type": "Compose", "inputs": "c", "runAfter": {"B": ["Succeeded"]}},
    })
    assert statuses(rec) == {"A": "Failed", "B": "Skipped", "C": "Skipped"}
    b = rec["actions"]["B"]
    assert b["code"] == "ActionSkipped"
    assert b["error"] == {"code": "ActionConditionFailed", "message":
                          "The execution of template action 'B' is skipped: the 'runAfter' condition for action 'A' "
                          "is not satisfied. Expected status values 'Succeeded' and actual value 'Failed'."}
    assert "actual value 'Skipped'" in rec["actions"]["C"]["error"]["message"]
    assert rec["status"] == "Failed"
    assert rec["error"] == {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}


async def test_invalid_template_message_and_no_inputs():
    _, rec, _ = await run({"A": {"type": "Compose", "inputs": {"x": "@split(null, ',')"}}})
    a = rec["actions"]["A"]
    assert a["status"] == "Failed" and a["code"] == "BadRequest"
    assert a["error"]["code"] == "InvalidTemplate"
    assert a["error"]["message"].startswith(
        "Unable to process template language expressions in action 'A' inputs at line '1' and column '")
    assert "The template language function 'split'" in a["error"]["message"]
    assert "inputs" not in a and "outputs" not in a


async def test_try_catch_with_result_and_run_succeeds():
    resp, rec, _ = await run({
        "Try": {"type": "Scope", "actions": {
            "Ok": {"type": "Compose", "inputs": 1},
            "Boom": {"type": "Compose", "inputs": "@div(1, 0)", "runAfter": {"Ok": ["Succeeded"]}}}},
        "Catch": {"type": "Scope", "runAfter": {"Try": ["Failed", "TimedOut"]}, "actions": {
            "Failed_only": {"type": "Query", "inputs": {"from": "@result('Try')",
                                                         "where": "@equals(item()['status'], 'Failed')"}},
            "Respond": {"type": "Response", "runAfter": {"Failed_only": ["Succeeded"]},
                        "inputs": {"statusCode": 500, "body": "@body('Failed_only')"}}}},
    })
    assert rec["actions"]["Try"]["status"] == "Failed"
    assert rec["actions"]["Try"]["code"] == "ActionFailed"
    assert rec["actions"]["Try"]["error"]["code"] == "ActionFailed"
    assert rec["actions"]["Catch"]["status"] == "Succeeded"
    assert resp["status"] == 500
    [failed] = resp["body"]
    assert failed["name"] == "Boom" and failed["error"]["code"] == "InvalidTemplate"
    assert rec["status"] == "Succeeded"  # the failure was handled by the last action


async def test_timed_out_action_runs_catch():
    _, rec, _ = await run({
        "Slow": {"type": "Wait", "inputs": {"interval": {"count": 10, "unit": "Minute"}}, "limit": {"timeout": "PT1M"}},
        "Handle": {"type": "Compose", "inputs": "@actions('Slow')['status']", "runAfter": {"Slow": ["TimedOut"]}},
    })
    assert rec["actions"]["Slow"]["status"] == "TimedOut"
    assert rec["actions"]["Handle"]["outputs"] == "TimedOut"
    assert rec["status"] == "Succeeded"


async def test_skipped_leaf_after_success_does_not_fail_run():
    _, rec, _ = await run({
        "A": {"type": "Compose", "inputs": 1},
        "OnError": {"type": "Compose", "inputs": 2, "runAfter": {"A": ["Failed"]}},
    })
    assert statuses(rec) == {"A": "Succeeded", "OnError": "Skipped"}
    assert rec["status"] == "Succeeded"


async def test_parallel_branches_and_join():
    _, rec, _ = await run({
        "A": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}},
        "B": {"type": "Compose", "inputs": "b"},
        "Join": {"type": "Compose", "inputs": "@concat(outputs('B'), actions('A')['status'])",
                 "runAfter": {"A": ["Succeeded"], "B": ["Succeeded"]}},
    })
    assert rec["actions"]["Join"]["outputs"] == "bSucceeded"


async def test_terminate_failed_stops_run():
    _, rec, _ = await run({
        "Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed",
                                                 "runError": {"code": "Bad", "message": "@concat('no', '!')"}}},
        "After": {"type": "Compose", "inputs": 1, "runAfter": {"Stop": ["Succeeded"]}},
    })
    assert rec["status"] == "Failed"
    assert rec["error"] == {"code": "Bad", "message": "no!"}
    assert rec["actions"]["Stop"]["status"] == "Succeeded"
    assert rec["actions"]["Stop"]["code"] == "NotSpecified"
    assert rec["actions"]["After"]["status"] == "Skipped"


async def test_terminate_cancels_running_parallel_action():
    _, rec, _ = await run({
        "Long": {"type": "Until", "expression": "@equals(1, 2)", "limit": {"count": 5000, "timeout": "P10D"},
                 "actions": {"W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}}}},
        "Stop": {"type": "Terminate", "inputs": {"runStatus": "Cancelled"}},
    })
    assert rec["status"] == "Cancelled"
    assert "error" not in rec
    assert rec["actions"]["Long"]["status"] in ("Cancelled", "Succeeded")


async def test_terminate_succeeded():
    _, rec, _ = await run({"T": {"type": "Terminate", "inputs": {"runStatus": "Succeeded"}}})
    assert rec["status"] == "Succeeded"


async def test_run_record_shape_and_ids():
    _, rec, inv = await run({"A": {"type": "Compose", "inputs": "@workflow().run.name"}})
    assert rec["name"] == inv.run_id
    import re

    assert re.fullmatch(r"\d{29}CU00", inv.run_id)
    assert rec["actions"]["A"]["outputs"] == inv.run_id
    assert rec["trigger"]["name"] == "manual" and rec["trigger"]["status"] == "Succeeded"
    assert set(rec["actions"]["A"]) >= {"status", "code", "startTime", "endTime", "inputs", "outputs"}
    assert rec["startTime"].endswith("Z")


async def test_tracked_properties_and_secure_data():
    _, rec, _ = await run({
        "S": {"type": "Compose", "inputs": "secret", "runtimeConfiguration": {
            "secureData": {"properties": ["inputs", "outputs"]}},
              "trackedProperties": {"who": "@action()['name']", "len": "@length(action()['outputs'])"}},
        "Use": {"type": "Compose", "inputs": "@outputs('S')", "runAfter": {"S": ["Succeeded"]}},
    })
    s = rec["actions"]["S"]
    assert s["inputs"] == "<secured>" and s["outputs"] == "<secured>"
    assert s["trackedProperties"] == {"who": "S", "len": 6}
    assert rec["actions"]["Use"]["outputs"] == "secret"


async def test_secure_parameter_marks_inputs_secure():
    from .helpers import workflow

    wf = workflow({"A": {"type": "Compose", "inputs": "@parameters('pw')"}},
                  param_values={"pw": "hunter2"}, parameters={"pw": {"type": "SecureString"}})
    _, rec, _ = await run(wf)
    assert rec["actions"]["A"]["inputs"] == "<secured>"


async def test_trigger_outputs_visible():
    resp, rec, _ = await run({"R": {"type": "Response", "inputs": {
        "statusCode": 200, "body": "@triggerBody()?['name']"}}}, body={"name": "Ada"})
    assert resp["body"] == "Ada"
