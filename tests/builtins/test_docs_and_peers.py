"""The built-in engines on the host's documented examples and on a peer project's Data Mapper flows.

Every artifact under ``tests/builtins/data`` is a small public example, recreated as its source shows it:

- ``data/peers/devapps-meetup``: the Standard project github.com/hbrigui/devapps-meetup-logicapps
  (``DemoWF001``, ``DemoWF002``, ``Artifacts/Maps/DataMapper00{1,2}.xslt``: Data Mapper JSON-to-JSON maps).
- ``data/peers/logicapps-dm-test``: the Data Mapper test app of github.com/Azure/logicapps
  (``code/Data Mapper Apps/dm-test``: ``Artifacts/Maps/asdf.xslt``, an XML-to-XML map, and
  ``Artifacts/Schemas/Source.xsd``, comments trimmed); its ``Stateful1/workflow.json`` is empty there, so ours
  validates the message against the schema, maps it and answers it; ``source.xml`` is ours, valid for the schema.
- ``data/docs/liquid``: learn.microsoft.com/azure/logic-apps/logic-apps-enterprise-integration-liquid-transform
  (MicrosoftDocs/azure-docs articles/logic-apps/logic-apps-enterprise-integration-liquid-transform.md).
- ``data/docs/liquid/PizzaOrder.*``: yourazurecoach.com/2017/11/22/use-liquid-templates-in-logic-apps (a loop that
  leaves a trailing comma, which the host's Json.NET reader accepts).
- ``data/docs/javascript``: learn.microsoft.com/azure/logic-apps/logic-apps-workflow-actions-triggers
  #run-javascript-code (Examples 1 and 2) and logic-apps-add-run-inline-code (the ``workflowContext`` shape).
- ``data/docs/xslt``: learn.microsoft.com/azure/logic-apps/logic-apps-enterprise-integration-transform
  (the YYYYMMDD -> MMDDYYYY scenario and its ``transformOptions: "disableByteOrderMark"`` definition).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emulator.runtime import RunOptions, VirtualClock, run_to_end
from tests.definitions.helpers import load_path

from ..runtime.helpers import run
from .project import run_path, standard_project, write_artifacts, xml_body

DATA = Path(__file__).parent / "data"
PEER = DATA / "peers" / "devapps-meetup"
LIQUID = DATA / "docs" / "liquid"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def _run_peer(name: str, body, project=PEER, content_type="application/json"):
    pytest.importorskip("saxonche")
    result = load_path(project)
    assert not result.errors, [str(p) for p in result.errors]
    wf = next(w for w in result.workflows if w.name == name)
    outputs = {"headers": {"Content-Type": content_type}, "body": body}
    response, record, _ = await run_to_end(wf, None, outputs, RunOptions(clock=VirtualClock()))
    return response, record


# --------------------------------------------------------------------------- peer: Data Mapper flows

def _article(n: int, minute: int) -> dict:
    return {"type": "article", "id": str(n), "attributes": {
        "title": f"article {n}", "body": f"this is body desc of article {n}",
        "created": f"2023-07-03T10:5{minute}:29.000Z"}}


async def test_peer_data_mapper_json_to_json_then_send():
    # DemoWF001: the trigger's sample payload through DataMapper001.xslt, then a (recorded) Service Bus send
    response, record = await _run_peer("DemoWF001", {"data": [_article(1, 6), _article(2, 7)]})
    assert record["status"] == "Succeeded", record
    assert response["status"] == 200 and response["body"] == {"status": "success"}
    transformed = record["actions"]["Transform_using_Data_Mapper_XSLT"]["outputs"]["body"]
    assert transformed == {"articles": [
        {"id": str(n), "properties": {"title": f"article {n}", "description": f"this is body desc of article {n}",
                                      "dateCreated": f"2023-07-03T10:5{m}:29.000Z"}}
        for n, m in ((1, 6), (2, 7))]}
    assert record["actions"]["Send_message"]["status"] == "Succeeded"


def _product(n: int, category: str) -> dict:
    fields = ("id", "name", "description", "features", "price", "url", "subcategory")
    return {**{f: f"{f}-{n}" for f in fields}, "category": category}


async def test_peer_data_mapper_routes_items_and_counts():
    # DemoWF002: ParseJson validates, the map reshapes products into items, a loop routes them by category
    body = {"products": [_product(1, "hardware"), _product(2, "software"), _product(3, "hardware")]}
    response, record = await _run_peer("DemoWF002", body)
    assert record["status"] == "Succeeded", record
    assert response["body"] == {"status": "success", "CountSoftwareSent": 1, "CountHardwareSent": 2}
    items = record["actions"]["Transform_using_Data_Mapper_XSLT"]["outputs"]["body"]["items"]
    assert items[1] == {"id": "id-2", "name": "name-2", "tags": "features-2", "category": "software",
                        "price": "price-2"}
    assert record["actions"]["Scope_Catch"]["status"] == "Skipped"


async def test_peer_flow_catch_scope_answers_the_validation_error():
    response, record = await _run_peer("DemoWF002", {"products": [{"id": "1"}]})
    assert record["status"] == "Failed"
    assert response["status"] == 400
    assert response["body"] == {"status": "Error Occured", "errorDetail": "The schema validation failed."}
    assert record["actions"]["Transform_using_Data_Mapper_XSLT"]["status"] == "Skipped"


DM_TEST = DATA / "peers" / "logicapps-dm-test"


async def test_peer_data_mapper_xml_to_xml_after_validation():
    pytest.importorskip("xmlschema")
    source = xml_body(_text(DM_TEST / "source.xml"))
    response, record = await _run_peer("Stateful1", source, DM_TEST, "application/xml")
    assert record["status"] == "Succeeded", record
    assert response["status"] == 200
    body = response["body"]
    assert body["$content-type"] == "application/xml"
    text = _decoded(body["$content"])
    assert not text.startswith("\ufeff")  # Data Mapper maps: no byte order mark
    assert "<EmployeeID>Ada Lovelace</EmployeeID>" in text
    assert "<FirstName>Abe</FirstName>" in text and "<LastName>2024-01-02</LastName>" in text


async def test_peer_schema_rejects_an_incomplete_message():
    pytest.importorskip("xmlschema")
    bad = xml_body('<ns0:Root xmlns:ns0="http://tempuri.org/source.xsd"><DirectTranslation>'
                   "<EmployeeID>x</EmployeeID></DirectTranslation></ns0:Root>")
    response, record = await _run_peer("Stateful1", bad, DM_TEST, "application/xml")
    assert record["status"] == "Failed"
    error = record["actions"]["XML_Validation"]["error"]
    assert error["code"] == "XmlValidationFailed"
    paths = [d["path"] for d in error["details"]]
    assert paths == ["/ns0:Root/DirectTranslation/EmployeeID", "/ns0:Root/DirectTranslation", "/ns0:Root"]
    assert response["status"] == 400 and response["body"] == {"errors": error["details"]}
    assert record["actions"]["Transform_using_Data_Mapper_XSLT"]["status"] == "Skipped"


# --------------------------------------------------------------------------- docs: Liquid

def _liquid(kind: str, map_name: str) -> dict:
    return {"Transform": {"type": "Liquid", "kind": kind, "runAfter": {},
                          "inputs": {"content": "@triggerBody()", "map": {"source": "LogicApp", "name": map_name}}},
            "Response": {"type": "Response", "kind": "Http", "runAfter": {"Transform": ["Succeeded"]},
                         "inputs": {"statusCode": 200, "body": "@body('Transform')"}}}


async def _run_liquid(tmp_path, kind: str, map_file: str, body, content_type="application/json"):
    pytest.importorskip("liquid")
    root = standard_project(tmp_path / "app", _liquid(kind, map_file), maps={map_file: _text(LIQUID / map_file)})
    response, record = await run_path(root, body, content_type=content_type)
    return response, record["actions"]["Transform"]


DOC_INPUT = json.loads((LIQUID / "input.json").read_text())
DOC_XML = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><name><firstName>Dean</firstName>"
           "<lastName>Ledet</lastName></name>")


async def test_liquid_doc_json_to_json(tmp_path):
    response, action = await _run_liquid(tmp_path, "JsonToJson", "SimpleJsonToJsonTemplate.liquid", DOC_INPUT)
    assert action["status"] == "Succeeded", action
    assert response["body"] == {"fullName": "Dean Ledet", "firstNameUpperCase": "DEAN", "phoneAreaCode": "111",
                                "devices": ["Surface", "Mobile", "Desktop computer", "Monitors"]}


async def test_liquid_doc_json_to_text(tmp_path):
    response, action = await _run_liquid(tmp_path, "JsonToText", "FullName.liquid", DOC_INPUT)
    assert action["status"] == "Succeeded", action
    assert response["body"].strip() == "Dean Ledet"


async def test_liquid_doc_xml_to_text(tmp_path):
    # the same template as JSON to text: ``content`` is the XML's root element
    response, action = await _run_liquid(tmp_path, "XmlToText", "FullName.liquid", xml_body(DOC_XML))
    assert action["status"] == "Succeeded", action
    assert response["body"].strip() == "Dean Ledet"


async def test_liquid_doc_xml_to_json_with_jsonarrayfor(tmp_path):
    # ``{{item}}`` writes each child element as JSON; JSONArrayFor joins them without a trailing comma
    xml = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><orders><order><id>1</id><item>Pen</item></order>"
           "<order><id>2</id><item>Ink</item></order></orders>")
    response, action = await _run_liquid(tmp_path, "XmlToJson", "XmlToJsonArray.liquid", xml_body(xml))
    assert action["status"] == "Succeeded", action
    assert response["body"] == [{"id": "1", "item": "Pen"}, {"id": "2", "item": "Ink"}]


async def test_liquid_doc_replace_is_a_regular_expression(tmp_path):
    # "Liquid template considerations": escaping a backslash with Replace works when the pattern is '\\'
    response, action = await _run_liquid(tmp_path, "JsonToJson", "ReplaceBackslash.liquid", {})
    assert action["status"] == "Succeeded", action
    assert response["body"] == {"SampleText": 'The quick brown fox "jumped" over the sleeping dog\\\\'}


async def test_liquid_doc_replace_error_text(tmp_path):
    # ... and writes the documented error in place of the statement when the pattern is a lone '\'
    response, action = await _run_liquid(tmp_path, "JsonToText", "ReplaceBackslashFails.liquid", {})
    assert action["status"] == "Succeeded", action
    assert response["body"].strip() == '{ "SampleText": "Liquid error: parsing "\\" - Illegal \\ at end of pattern."}'


async def test_liquid_output_that_is_not_json_fails_with_the_host_code(tmp_path):
    # the host's answer to a JSON template whose output does not parse (Azure/LogicAppsUX issue 4614)
    root = standard_project(tmp_path / "app", _liquid("XmlToJson", "Greeting.liquid"),
                            maps={"Greeting.liquid": '{% assign f = content.root.name[0] %}} { "m": "{{f}}" }'})
    _, record = await run_path(root, xml_body("<root><name>Foo</name><name>Bar</name></root>"))
    error = record["actions"]["Transform"]["error"]
    assert error["code"] == "IncorrectLiquidTransformOutputType", error
    assert error["message"] == ("An error occurred while converting the transformed value to JSON. The transformed "
                                "value is not a valid JSON. 'Unexpected character encountered while parsing value: "
                                "}. Path '', line 1, position 0.'")  # the host says line 0 here


async def test_liquid_json_output_is_read_as_json_net_reads_it(tmp_path):
    # the blog's template leaves a comma after the last pizza: Json.NET (the host) reads it anyway
    body = json.loads((LIQUID / "PizzaOrder.json").read_text())
    response, action = await _run_liquid(tmp_path, "JsonToJson", "PizzaOrder.liquid", body)
    assert action["status"] == "Succeeded", action
    out = response["body"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", out.pop("Date"))
    assert out == {"Name": "Toon Vanhoutte", "NumberOfPizzaTypes": "3", "Pizzas": [
        {"Name": "Pizza Romana", "Qty": 6}, {"Name": "Pizza Funghi", "Qty": 1}, {"Name": "Pizza Margherita", "Qty": 3}]}


# --------------------------------------------------------------------------- docs: JavaScript

JS_ACTIONS = json.loads((DATA / "docs" / "javascript" / "actions.json").read_text())


async def test_javascript_doc_examples():
    pytest.importorskip("py_mini_racer")
    mocks = {"actions": {"Send_approval_email_": {"outputs": {"body": {"SelectedOption": "Approve"}}}}}
    body = {"Subject": "Hello World", "Body": "Ask ada@example.com or bob.s@contoso.org."}
    _, record, _ = await run(JS_ACTIONS, body=body, mocks=mocks, name="approvals")
    actions = record["actions"]
    assert actions["Hello_world"]["outputs"] == {"body": "Hello world from approvals"}
    # Example 2: the trigger is there without includeTrigger (the documented code reads it)
    assert actions["Execute_JavaScript_Code"]["outputs"] == {
        "body": "ada@example.com,bob.s@contoso.org - Approve"}


async def test_javascript_workflow_context_shape():
    # logic-apps-add-run-inline-code: trigger is trigger(), actions are actions('<name>'), workflow is workflow()
    pytest.importorskip("py_mini_racer")
    code = ("const t = workflowContext.trigger, a = workflowContext.actions.Compose, w = workflowContext.workflow;"
            "return {t: Object.keys(t), body: t.outputs.body, a: Object.keys(a), out: a.outputs,"
            " w: Object.keys(w), run: Object.keys(w.run)};")
    actions = {"Compose": {"type": "Compose", "inputs": {"x": 1}, "runAfter": {}},
               "Code": {"type": "JavaScriptCode", "inputs": {"code": code}, "runAfter": {"Compose": ["Succeeded"]}}}
    _, record, _ = await run(actions, body={"Body": "Hello World"})
    seen = record["actions"]["Code"]["outputs"]["body"]
    assert {"name", "outputs", "startTime", "endTime", "trackingId", "clientTrackingId", "originHistoryName",
            "status"} <= set(seen["t"])
    assert seen["body"] == {"Body": "Hello World"}
    assert {"name", "inputs", "outputs", "startTime", "endTime", "status", "code"} <= set(seen["a"])
    assert seen["out"] == {"x": 1}
    assert {"id", "name", "type", "run"} <= set(seen["w"]) and set(seen["run"]) == {"id", "name", "type"}


# --------------------------------------------------------------------------- docs: Transform XML

async def test_transform_xml_doc_disable_byte_order_mark(tmp_path):
    pytest.importorskip("saxonche")
    account = write_artifacts(tmp_path / "account", maps={"TestMap.xslt": _text(DATA / "docs" / "xslt" / "TestMap.xslt")})
    transform = {"type": "Xslt", "runAfter": {}, "inputs": {
        "content": "@{triggerBody()}", "integrationAccount": {"map": {"name": "TestMap"}}}}
    actions = {"Transform_XML": {**transform, "inputs": {**transform["inputs"],
                                                         "transformOptions": "disableByteOrderMark"}},
               "With_BOM": transform,
               "Response": {"type": "Response", "kind": "Http", "runAfter": {"Transform_XML": ["Succeeded"]},
                            "inputs": {"statusCode": 200, "body": "@body('Transform_XML')"}}}
    root = standard_project(tmp_path / "app", actions)
    order = '<?xml version="1.0"?><Order><Id>7</Id><Date>20240315</Date></Order>'
    response, record = await run_path(root, xml_body(order), artifacts=account)
    assert record["status"] == "Succeeded", record
    body = response["body"]
    text = body["$content"] if isinstance(body, dict) else body
    assert "<Date>03152024</Date>" in _decoded(text) and not _decoded(text).startswith("\ufeff")
    assert _decoded(record["actions"]["With_BOM"]["outputs"]["body"]["$content"]).startswith("\ufeff")


def _decoded(content) -> str:
    import base64

    try:
        return base64.b64decode(content, validate=True).decode("utf-8")
    except ValueError:
        return content


# --------------------------------------------------------------------------- a null content

@pytest.mark.parametrize("action_type, ref", [
    ("XmlValidation", {"schema": {"content": "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>"}}),
    ("Xslt", {"map": {"content": "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'/>"}}),
    ("Liquid", {"map": {"content": "{}"}}),
])
async def test_null_content_fails_as_the_host_words_it(tmp_path, action_type, ref):
    # the host's error for the XML Validation doc's example fed a null body (MicrosoftDocs/azure-docs issue 63564)
    pytest.importorskip({"XmlValidation": "xmlschema", "Xslt": "saxonche", "Liquid": "liquid"}[action_type])
    actions = {"T": {"type": action_type, "runAfter": {}, "inputs": {"content": "@triggerBody()?['none']", **ref}}}
    _, record = await run_path(standard_project(tmp_path / "app", actions), {"a": 1}, content_type="application/json")
    assert record["actions"]["T"]["error"] == {
        "code": "InvalidTemplate", "message": "Unable to process template language expressions in action 'T' inputs "
        "at line '1' and column '0': 'Required property 'content' expects a value but got null. Path ''.'."}
