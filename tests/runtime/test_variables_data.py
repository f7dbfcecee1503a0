"""Variable actions with their type rules; Compose, ParseJson, Query, Select, Join, Table."""

from __future__ import annotations

import pytest

from .helpers import run


def init(name, type_, value=None):
    var = {"name": name, "type": type_}
    if value is not None:
        var["value"] = value
    return {"type": "InitializeVariable", "inputs": {"variables": [var]}}


async def test_all_variable_actions():
    _, rec, _ = await run({
        "I": init("n", "integer", 1),
        "F": init("f", "float", 1.5), "S": init("s", "string", "a"), "A": init("a", "array", []),
        "B": init("b", "boolean", False), "O": init("o", "object", {"k": 1}),
        "Inc": {"type": "IncrementVariable", "inputs": {"name": "n", "value": 5},
                "runAfter": {"I": ["Succeeded"], "F": ["Succeeded"], "S": ["Succeeded"], "A": ["Succeeded"],
                             "B": ["Succeeded"], "O": ["Succeeded"]}},
        "Dec": {"type": "DecrementVariable", "inputs": {"name": "n"}, "runAfter": {"Inc": ["Succeeded"]}},
        "IncF": {"type": "IncrementVariable", "inputs": {"name": "f", "value": 0.5}, "runAfter": {"Dec": ["Succeeded"]}},
        "AppS": {"type": "AppendToStringVariable", "inputs": {"name": "s", "value": "bc"},
                 "runAfter": {"IncF": ["Succeeded"]}},
        "AppA": {"type": "AppendToArrayVariable", "inputs": {"name": "a", "value": {"x": 1}},
                 "runAfter": {"AppS": ["Succeeded"]}},
        "SetB": {"type": "SetVariable", "inputs": {"name": "b", "value": True}, "runAfter": {"AppA": ["Succeeded"]}},
        "SetO": {"type": "SetVariable", "inputs": {"name": "o", "value": {"z": 2}}, "runAfter": {"SetB": ["Succeeded"]}},
        "Out": {"type": "Compose", "runAfter": {"SetO": ["Succeeded"]}, "inputs": {
            "n": "@variables('n')", "f": "@variables('f')", "s": "@variables('s')", "a": "@variables('a')",
            "b": "@variables('b')", "o": "@variables('o')"}},
    })
    assert rec["actions"]["Out"]["outputs"] == {"n": 5, "f": 2.0, "s": "abc", "a": [{"x": 1}], "b": True,
                                                "o": {"z": 2}}
    assert rec["actions"]["I"]["inputs"] == {"variables": [{"name": "n", "type": "integer", "value": 1}]}
    assert rec["actions"]["I"]["code"] == "NotSpecified"
    assert rec["actions"]["Inc"]["outputs"] == {"body": {"name": "n", "value": 6}}
    assert rec["actions"]["SetB"]["outputs"] == {"body": {"name": "b", "value": True}}


@pytest.mark.parametrize("actions,code", [
    ({"I": init("n", "integer", "x")}, "InvalidVariableValue"),
    ({"I": init("n", "integer", 1), "S": {"type": "SetVariable", "inputs": {"name": "n", "value": "t"},
                                          "runAfter": {"I": ["Succeeded"]}}}, "InvalidVariableValue"),
    ({"I": init("s", "string", "x"), "S": {"type": "IncrementVariable", "inputs": {"name": "s"},
                                           "runAfter": {"I": ["Succeeded"]}}}, "InvalidVariableType"),
    ({"I": init("a", "array", []), "S": {"type": "AppendToArrayVariable", "inputs": {"name": "a", "value": [1]},
                                         "runAfter": {"I": ["Succeeded"]}}}, "InvalidVariableValue"),
    # a computed name: a literal one is refused at load (tests/definitions/test_validation.py)
    ({"S": {"type": "SetVariable", "inputs": {"name": "@{'missing'}", "value": 1}}}, "InvalidVariable"),
    ({"I": init("n", "integer", 1), "J": {"type": "InitializeVariable", "runAfter": {"I": ["Succeeded"]},
                                          "inputs": {"variables": [{"name": "n", "type": "integer"}]}}},
     "InvalidVariable"),
    ({"I": init("n", "decimalish", 1)}, "InvalidVariableType"),
])
async def test_variable_type_rules(actions, code):
    _, rec, _ = await run(actions)
    failed = [r for r in rec["actions"].values() if r["status"] == "Failed"]
    assert len(failed) == 1 and failed[0]["error"]["code"] == code, failed


async def test_append_array_message_matches_host():
    _, rec, _ = await run({"I": init("a", "array", []), "S": {
        "type": "AppendToArrayVariable", "inputs": {"name": "a", "value": [1]}, "runAfter": {"I": ["Succeeded"]}}})
    assert rec["actions"]["S"]["error"]["message"] == (
        "The input value is of type 'Array' which cannot be appended to the variable 'a' of type 'Array'. The action "
        "type 'AppendToArrayVariable' only supports values of types 'Float, Integer, String, Boolean, Object'.")


async def test_compose_and_parse_json():
    _, rec, _ = await run({
        "C": {"type": "Compose", "inputs": {"k": "@triggerBody()['v']"}},
        "P": {"type": "ParseJson", "runAfter": {"C": ["Succeeded"]},
              "inputs": {"content": "@string(outputs('C'))", "schema": {"type": "object", "properties": {
                  "k": {"type": "integer"}}, "required": ["k"]}}},
        "Use": {"type": "Compose", "inputs": "@body('P')?['k']", "runAfter": {"P": ["Succeeded"]}},
    }, body={"v": 7})
    assert rec["actions"]["C"]["code"] == "OK"
    assert rec["actions"]["P"]["outputs"] == {"body": {"k": 7}}
    assert rec["actions"]["Use"]["outputs"] == 7


async def test_parse_json_schema_failure():
    _, rec, _ = await run({"P": {"type": "ParseJson", "inputs": {"content": {"k": "x"}, "schema": {
        "type": "object", "properties": {"k": {"type": "integer"}, "m": {"type": "string"}}, "required": ["m"]}}}})
    p = rec["actions"]["P"]
    assert p["status"] == "Failed" and p["code"] == "BadRequest"
    assert p["error"]["code"] == "ValidationFailed" and p["error"]["message"] == "The schema validation failed."
    messages = [d["message"] for d in p["error"]["details"]]
    assert "Invalid type. Expected Integer but got String." in messages
    assert "Required properties are missing from object: m." in messages


async def test_parse_json_lists_missing_properties_in_one_error():
    """Newtonsoft reports every missing required property of one object in a single error, once."""
    _, rec, _ = await run({"P": {"type": "ParseJson", "inputs": {"content": {"x": 1}, "schema": {
        "type": "object", "required": ["a", "b", "c"]}}}})
    messages = [d["message"] for d in rec["actions"]["P"]["error"]["details"]]
    assert messages == ["Required properties are missing from object: a, b, c."]


async def test_parse_json_invalid_text():
    _, rec, _ = await run({"P": {"type": "ParseJson", "inputs": {"content": "{nope", "schema": {}}}})
    assert rec["actions"]["P"]["error"]["code"] == "InvalidJSON"


async def test_query_select_join():
    _, rec, _ = await run({
        "Q": {"type": "Query", "inputs": {"from": "@triggerBody()", "where": "@greater(item()['n'], 1)"}},
        "S": {"type": "Select", "inputs": {"from": "@body('Q')", "select": {"name": "@item()['name']",
                                                                            "double": "@mul(item()['n'], 2)"}},
              "runAfter": {"Q": ["Succeeded"]}},
        "S2": {"type": "Select", "inputs": {"from": "@body('Q')", "select": "@item()['name']"},
               "runAfter": {"Q": ["Succeeded"]}},
        "J": {"type": "Join", "inputs": {"from": "@body('S2')", "joinWith": ";"}, "runAfter": {"S2": ["Succeeded"]}},
    }, body=[{"name": "a", "n": 1}, {"name": "b", "n": 2}, {"name": "c", "n": 3}])
    assert rec["actions"]["Q"]["outputs"] == {"body": [{"name": "b", "n": 2}, {"name": "c", "n": 3}]}
    assert rec["actions"]["Q"]["code"] == "NotSpecified"
    assert rec["actions"]["S"]["outputs"]["body"] == [{"name": "b", "double": 4}, {"name": "c", "double": 6}]
    assert rec["actions"]["J"]["outputs"] == {"body": "b;c"}


async def test_query_from_not_array():
    _, rec, _ = await run({"Q": {"type": "Query", "inputs": {"from": "x", "where": "@true"}}})
    assert rec["actions"]["Q"]["status"] == "Failed"


async def test_table_csv_and_html():
    rows = [{"a": 1, "b": "x,y"}, {"a": 2, "b": "<z>"}]
    _, rec, _ = await run({
        "Csv": {"type": "Table", "inputs": {"from": "@triggerBody()", "format": "CSV"}},
        "Html": {"type": "Table", "inputs": {"from": "@triggerBody()", "format": "HTML"}},
        "Custom": {"type": "Table", "inputs": {"from": "@triggerBody()", "format": "CSV", "columns": [
            {"header": "A plus", "value": "@add(item()['a'], 10)"}]}},
    }, body=rows)
    assert rec["actions"]["Csv"]["outputs"]["body"] == 'a,b\r\n1,"x,y"\r\n2,<z>\r\n'
    assert rec["actions"]["Html"]["outputs"]["body"] == (
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>x,y</td></tr>"
        "<tr><td>2</td><td>&lt;z&gt;</td></tr></tbody></table>")
    assert rec["actions"]["Custom"]["outputs"]["body"] == "A plus\r\n11\r\n12\r\n"


async def test_wait_uses_virtual_clock():
    from emulator.runtime import RunOptions, VirtualClock

    clock = VirtualClock()
    _, rec, _ = await run({"W": {"type": "Wait", "inputs": {"interval": {"count": 2, "unit": "Hour"}}},
                           "U": {"type": "Wait", "inputs": {"until": {"timestamp": "2024-01-01T03:00:00Z"}},
                                 "runAfter": {"W": ["Succeeded"]}}},
                          options=RunOptions(clock=clock))
    assert clock.slept == [7200.0, 3600.0]
    assert rec["actions"]["W"]["code"] == "OK"


async def test_expression_action_kinds():
    _, rec, _ = await run({"Now": {"type": "Expression", "kind": "CurrentTime", "inputs": {}},
                           "Idx": {"type": "Expression", "kind": "IndexOf", "inputs": {"text": "Hello", "searchText": "l"}}})
    assert rec["actions"]["Now"]["outputs"]["body"].startswith("2024-01-01T00:00:00")
    assert rec["actions"]["Idx"]["outputs"] == {"body": 2}
