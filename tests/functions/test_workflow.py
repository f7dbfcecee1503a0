"""Workflow functions read the run state from EvalContext."""

from __future__ import annotations

import pytest

from emulator.expressions import EvalContext, ExpressionError, compile_template


def ev(text, **state):
    return compile_template(text).evaluate(EvalContext(**state))


TRIGGER = {"name": "manual", "outputs": {"headers": {"X-Key": "v"}, "body": {"a": 1}}}
ACTIONS = {"Get_user": {"status": "Succeeded", "inputs": {"uri": "x"},
                        "outputs": {"statusCode": 200, "body": {"name": "Ann"}}}}


def test_trigger_functions():
    assert ev("@trigger().name", trigger=TRIGGER) == "manual"
    assert ev("@triggerOutputs()['headers']['x-key']", trigger=TRIGGER) == "v"
    assert ev("@triggerBody()?['a']", trigger=TRIGGER) == 1
    assert ev("@triggerBody()", trigger=None) is None


def test_action_functions_and_case_insensitive_names():
    assert ev("@body('Get_user').name", actions=ACTIONS) == "Ann"
    assert ev("@outputs('get_user')['statusCode']", actions=ACTIONS) == 200
    assert ev("@actions('Get_user').status", actions=ACTIONS) == "Succeeded"
    assert ev("@actionBody('Get_user')", actions=ACTIONS) == {"name": "Ann"}
    assert ev("@actionOutputs('Get_user').statusCode", actions=ACTIONS) == 200
    with pytest.raises(ExpressionError, match="'Missing' is not defined"):
        ev("@body('Missing')", actions=ACTIONS)


def test_state_functions():
    assert ev("@variables('n')", variables={"n": 3}) == 3
    assert ev("@parameters('p')", parameters={"p": {"x": 1}}) == {"x": 1}
    assert ev("@appsetting('k')", appsettings={"k": "v"}) == "v"
    with pytest.raises(ExpressionError, match="variable 'x'"):
        ev("@variables('x')")
    with pytest.raises(ExpressionError, match="parameter 'x' is not found"):
        ev("@parameters('x')")


def test_loop_functions():
    assert ev("@item().id", item={"id": 7}) == 7
    assert ev("@items('Loop').id", items={"Loop": {"id": 8}}) == 8
    assert ev("@iterationIndexes('Until')", iteration_indexes={"Until": 2}) == 2
    with pytest.raises(ExpressionError, match="foreach"):
        ev("@item()")


def test_result_uses_results_then_provider():
    assert ev("@result('Try')", results={"Try": [{"name": "A"}]}) == [{"name": "A"}]
    assert ev("@result('Scope')", result_provider=lambda name: [{"name": name}]) == [{"name": "Scope"}]


def test_form_data_and_multipart():
    form = {"$content-type": "application/x-www-form-urlencoded",
            "$formdata": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}, {"key": "b", "value": "3"}]}
    trig = {"outputs": {"body": form}}
    assert ev("@triggerFormDataValue('a')", trigger=trig) == "1"
    assert ev("@triggerFormDataMultiValues('b')", trigger=trig) == ["2", "3"]
    with pytest.raises(ExpressionError, match="single form data value"):
        ev("@triggerFormDataValue('b')", trigger=trig)
    multi = {"$content-type": "multipart/form-data", "$multipart": [
        {"headers": {"Content-Disposition": 'form-data; name="f"'}, "body": "x"}]}
    acts = {"A": {"outputs": {"body": multi}}}
    assert ev("@formDataValue('A', 'f')", actions=acts) == "x"
    assert ev("@multipartBody('A', 0)", actions=acts) == "x"
    assert ev("@triggerMultipartBody(0)", trigger={"outputs": {"body": multi}}) == "x"


def test_power_automate_alias_paths():
    trig = {"outputs": {"body": {"SdkMessage": {"x": 1}}}}
    assert ev("@triggerOutputs()?['body/SdkMessage']", trigger=trig) == {"x": 1}
    assert ev("@triggerOutputs()?['body/Nope/x']", trigger=trig) is None


def test_workflow_and_callback_url():
    wf = {"name": "flow", "run": {"name": "0858"}}
    assert ev("@workflow().run.name", workflow=wf) == "0858"
    assert ev("@listCallbackUrl()", workflow=wf).startswith("https://localhost/workflows/flow/runs/0858/")


def test_agent_functions_read_the_agent_state():
    ctx = EvalContext()
    ctx.extra.update({"agentParameters": {"Qty": 3}, "assistantMessage": "hi", "channelTriggerBody": {"p": 1}})
    assert compile_template("@agentParameters('qty')").evaluate(ctx) == 3
    assert compile_template("@assistantMessage()").evaluate(ctx) == "hi"
    assert compile_template("@channelTriggerBody()?['p']").evaluate(ctx) == 1
    with pytest.raises(ExpressionError, match="agent loop"):
        ev("@agentParameters('x')")
