"""The built-in engines over a real socket: the XML order flow of flows/ (its map in flows/Artifacts/Maps),
and an integration-account folder given to the server (``run_options={"artifacts": DIR}``, as ``--artifacts``)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

pytest.importorskip("saxonche")

ORDER = ('<Order id="A-17"><Customer><Name> Ada  Lovelace </Name></Customer><Lines>'
         '<Line sku="P1"><Quantity>2</Quantity><Price>9.99</Price></Line>'
         '<Line sku="P2"><Quantity>1</Quantity><Price>5</Price></Line></Lines></Order>')


async def test_xml_order_answered_as_json(serve_real):
    live = await serve_real([ROOT / "flows"])
    url = live.url("xml-order-to-json")
    status, headers, out = await live.call_json("POST", url + "&currency=USD", data=ORDER,
                                                headers={"Content-Type": "application/xml"})
    assert status == 200, out
    assert headers["Content-Type"].startswith("application/json")
    assert out == {"orderId": "A-17", "customer": "Ada Lovelace", "currency": "USD", "total": 24.98,
                   "lines": [{"sku": "P1", "quantity": 2, "price": 9.99}, {"sku": "P2", "quantity": 1, "price": 5}]}
    status, _, out = await live.call_json("POST", url, data="<Invoice/>", headers={"Content-Type": "application/xml"})
    assert status == 400 and out["error"] == "XsltTransformFailed"
    assert "Expected an Order element, got 'Invoice'." in out["message"]


async def test_integration_account_folder_given_to_the_server(serve_real, tmp_path):
    account = tmp_path / "account"
    (account / "Maps").mkdir(parents=True)
    (account / "Maps" / "Hello.liquid").write_text('{"hello": "{{ content.name | Upcase }}"}')
    flow = {"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
        "Liquid": {"type": "Liquid", "kind": "JsonToJson", "runAfter": {},
                   "inputs": {"content": "@triggerBody()", "integrationAccount": {"map": {"name": "Hello"}}}},
        "Answer": {"type": "Response", "kind": "Http", "runAfter": {"Liquid": ["Succeeded"]},
                   "inputs": {"statusCode": 200, "body": "@body('Liquid')"}}}}}
    live = await serve_real({"hello.json": flow}, run_options={"artifacts": str(account)})
    status, _, out = await live.call_json("POST", live.url("hello"), json={"name": "ada"})
    assert (status, out) == (200, {"hello": "ADA"})


async def test_standard_project_data_mapper_answers_xml(serve_real, tmp_path):
    from tests.builtins.project import standard_project
    from tests.builtins.test_xslt import DATA_MAPPER_MAP, ORDERS, transform

    root = standard_project(tmp_path / "app", transform({"map": {"source": "LogicApp", "name": "Orders.xslt"}},
                                                       kind="DataMapper"),
                            maps={"Orders.xslt": DATA_MAPPER_MAP}, name="call-data-mapper")
    live = await serve_real([root])
    status, headers, data = await live.call("POST", live.url("call-data-mapper"), data=ORDERS,
                                            headers={"Content-Type": "application/xml"})
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == "application/xml"
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>') and "<tns:to>ADA</tns:to>" in text
