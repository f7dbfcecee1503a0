"""The audit never fails on a definition, however odd: random flows built from real pieces."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.audit import audit

CALLER = ["triggerOutputs()['headers']['x-key']", "triggerOutputs()?['queries']?['token']", "triggerBody()",
          "trigger()['outputs']", "triggerOutputs()['relativePathParameters']['id']", "body('A0')",
          "outputs('A1')", "variables('v')", "triggerOutputs()['headers']", "toLower(triggerBody()?['password'])"]
OTHER = ["parameters('p')", "'k3y-0123456'", "appsetting('ApiKey')", "null", "-1", "''", "true",
         "body('A2')?['value']", "createArray('a')"]
FUNCS = ["equals", "contains", "startsWith", "endsWith", "indexOf", "not", "and", "or", "concat", "if"]
TYPES = ["Compose", "ParseJson", "If", "Switch", "Response", "Http", "InitializeVariable", "SetVariable",
         "Scope", "Foreach", "Terminate", "ApiConnection", "Bogus"]

exprs = st.recursive(
    st.sampled_from(CALLER + OTHER),
    lambda inner: st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(FUNCS),
                            st.lists(inner, min_size=0, max_size=3)),
    max_leaves=6)
strings = st.one_of(exprs.map(lambda e: "@" + e), exprs.map(lambda e: "x @{" + e + "} y"), st.text(max_size=5))
values = st.recursive(st.one_of(strings, st.integers(), st.none(), st.booleans()),
                      lambda inner: st.one_of(st.lists(inner, max_size=3),
                                              st.dictionaries(st.sampled_from(["content", "body", "headers", "value",
                                                                               "statusCode", "variables", "name",
                                                                               "and", "equals", "case"]),
                                                              inner, max_size=3)),
                      max_leaves=8)


@st.composite
def flows(draw):
    actions = {}
    for i in range(draw(st.integers(0, 4))):
        action = {"type": draw(st.sampled_from(TYPES)), "runAfter": {}}
        for key in draw(st.lists(st.sampled_from(["inputs", "expression", "actions", "else", "cases", "default",
                                                 "runtimeConfiguration"]), max_size=4, unique=True)):
            action[key] = draw(values) if key not in ("actions",) else {}
        actions[f"A{i}"] = action
    trigger = {"type": "Request", "kind": "Http", "inputs": draw(st.one_of(st.just({"method": "POST"}), values))}
    if draw(st.booleans()):
        trigger["conditions"] = [{"expression": draw(strings)}]
    if draw(st.booleans()):
        trigger["operationOptions"] = draw(st.sampled_from(["IncludeAuthorizationHeadersInOutputs",
                                                            "EnableSchemaValidation", 5]))
    return {"definition": {"parameters": draw(st.one_of(st.just({"p": {"type": "String"}}), values)),
                           "triggers": {"manual": trigger}, "actions": actions}}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flow=flows())
def test_random_flows_never_break_the_audit(tmp_path, flow):
    file = tmp_path / "flow.json"
    file.write_text(json.dumps(flow))
    report = audit([file])
    assert not [p for p in report.problems if "the audit step" in p], report.problems
