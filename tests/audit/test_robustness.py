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
         "Scope", "Foreach", "Terminate", "Bogus"]

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


def designer(draw, depth=0):
    if depth < 2 and draw(st.booleans()):
        op = draw(st.sampled_from(["and", "or", "not"]))
        inner = [designer(draw, depth + 1) for _ in range(draw(st.integers(1, 2)))]
        return {op: inner[0] if op == "not" else inner}
    op = draw(st.sampled_from(["equals", "contains", "startsWith", "endsWith", "greater"]))
    caller = draw(st.one_of(strings, st.sampled_from(CALLER).map(lambda e: "@" + e)))
    other = draw(st.one_of(strings, st.integers(-1, 3), st.sampled_from(OTHER).map(lambda e: "@" + e)))
    return {op: [caller, other] if draw(st.booleans()) else [other, caller]}


def action(draw, depth):
    kind = draw(st.sampled_from(TYPES))
    out = {"type": kind, "runAfter": {}}
    children = (lambda: actions(draw, depth + 1)) if depth < 2 else dict
    if kind == "If":
        out.update(expression=draw(st.one_of(strings, st.just(None))) or designer(draw), actions=children())
        if draw(st.booleans()):
            out["else"] = {"actions": children()}
    elif kind == "Switch":
        out.update(expression=draw(strings), cases={"C": {"case": draw(st.one_of(st.text(max_size=12), st.integers())),
                                                         "actions": children()}},
                   default={"actions": children()})
    elif kind in ("Scope", "Foreach"):
        out["actions"] = children()
        if kind == "Foreach":
            out["foreach"] = draw(strings)
    elif kind == "Response":
        out["kind"] = "Http"
        out["inputs"] = {"statusCode": draw(st.one_of(st.sampled_from([200, 202, 401, 500]), strings)),
                         "body": draw(values), "headers": {"X-A": draw(strings)}}
    elif kind == "ParseJson":
        out["inputs"] = {"content": draw(strings), "schema": {}}
    elif kind in ("InitializeVariable", "SetVariable"):
        spec = {"name": "v", "type": "string", "value": draw(strings)}
        out["inputs"] = {"variables": [spec]} if kind == "InitializeVariable" else {"name": "v", "value": spec["value"]}
    elif kind == "Http":
        out["inputs"] = {"method": "POST", "uri": "https://x.example", "headers": {"k": draw(strings)},
                         "body": draw(values)}
    elif kind == "Terminate":
        out["inputs"] = {"runStatus": "Failed"}
    else:
        out["inputs"] = draw(values)
    if draw(st.integers(0, 4)) == 0:
        out["runtimeConfiguration"] = {"secureData": {"properties": ["inputs", "outputs"]}}
    return out


def actions(draw, depth=0):
    found = {}
    for _ in range(draw(st.integers(0, 3))):
        name = f"A{draw(st.integers(0, 99))}"
        found[name] = action(draw, depth)
    return found


@st.composite
def flows(draw):
    trigger = {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}
    if draw(st.booleans()):
        trigger["conditions"] = [{"expression": draw(strings)}]
    if draw(st.booleans()):
        trigger["operationOptions"] = draw(st.sampled_from(["IncludeAuthorizationHeadersInOutputs",
                                                            "EnableSchemaValidation"]))
    params = {"p": {"type": draw(st.sampled_from(["String", "SecureString", "Array", "Object"]))}}
    return {"definition": {"parameters": params, "triggers": {"manual": trigger}, "actions": actions(draw)}}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flow=flows())
def test_random_flows_never_break_the_audit(tmp_path, flow):
    file = tmp_path / "flow.json"
    file.write_text(json.dumps(flow))
    report = audit([file])
    assert not [p for p in report.problems if "the audit step" in p], report.problems
