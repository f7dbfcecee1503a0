"""XmlValidation with xmlschema: schemas from Artifacts/Schemas (with includes) or an integration-account
folder; the validator's messages on failure; a branch that handles the failure."""

from __future__ import annotations

import pytest

from .project import run_path, standard_project, write_artifacts, xml_body

pytest.importorskip("xmlschema")

ORDER_XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:shop:orders"
    xmlns="urn:shop:orders" elementFormDefault="qualified">
  <xs:include schemaLocation="Types.xsd"/>
  <xs:element name="Order">
    <xs:complexType><xs:sequence>
      <xs:element name="Id" type="xs:int"/>
      <xs:element name="Qty" type="Quantity"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>"""

TYPES_XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:shop:orders"
    xmlns="urn:shop:orders" elementFormDefault="qualified">
  <xs:simpleType name="Quantity"><xs:restriction base="xs:int"><xs:minInclusive value="1"/></xs:restriction>
  </xs:simpleType>
</xs:schema>"""

GOOD = '<Order xmlns="urn:shop:orders"><Id>7</Id><Qty>2</Qty></Order>'
BAD = '<Order xmlns="urn:shop:orders"><Id>x</Id><Qty>0</Qty><Extra/></Order>'


def validate(inputs: dict) -> dict:
    return {
        "XML_Validation": {"type": "XmlValidation", "runAfter": {},
                           "inputs": {"content": "@triggerBody()", **inputs}},
        "Ok": {"type": "Response", "kind": "Http", "runAfter": {"XML_Validation": ["Succeeded"]},
               "inputs": {"statusCode": 200, "body": "valid"}},
        "Rejected": {"type": "Response", "kind": "Http", "runAfter": {"XML_Validation": ["Failed"]},
                     "inputs": {"statusCode": 400,
                                "body": "@first(outputs('XML_Validation')?['errors'])?['message']"}},
    }


SCHEMAS = {"Order.xsd": ORDER_XSD, "Types.xsd": TYPES_XSD}


async def test_valid_content_passes(tmp_path):
    root = standard_project(tmp_path / "app", validate({"schema": {"source": "LogicApp", "name": "Order.xsd"}}),
                            schemas=SCHEMAS)
    response, record = await run_path(root, xml_body(GOOD))
    assert record["actions"]["XML_Validation"]["status"] == "Succeeded"
    assert response["status"] == 200 and response["body"] == "valid"


async def test_invalid_content_fails_with_every_message(tmp_path):
    account = write_artifacts(tmp_path / "account", schemas=SCHEMAS)
    root = standard_project(tmp_path / "app", validate({"integrationAccount": {"schema": {"name": "Order"}}}))
    response, record = await run_path(root, BAD, artifacts=account)
    rec = record["actions"]["XML_Validation"]
    assert rec["status"] == "Failed" and rec["error"]["code"] == "XmlValidationFailed"
    paths = [d.get("path") for d in rec["error"]["details"]]
    assert paths == ["/Order/Id", "/Order/Qty", "/Order"]
    assert rec["outputs"]["errors"] == rec["error"]["details"]
    assert "Extra" in rec["error"]["details"][2]["message"]
    assert response["status"] == 400 and response["body"] == rec["error"]["details"][0]["message"]


@pytest.mark.parametrize("case, code", [("missing", "SchemaNotFound"), ("not-xml", "InvalidXml"),
                                        ("bad-schema", "InvalidSchema")])
async def test_failures(tmp_path, case, code):
    schemas = {**SCHEMAS, "Broken.xsd": "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element/>"
                                        "</xs:schema>"}
    name = {"missing": "Nope.xsd", "not-xml": "Order.xsd", "bad-schema": "Broken.xsd"}[case]
    root = standard_project(tmp_path / "app", validate({"schema": {"name": name}}), schemas=schemas)
    _, record = await run_path(root, "<Order><Id>1" if case == "not-xml" else GOOD)
    rec = record["actions"]["XML_Validation"]
    assert rec["status"] == "Failed" and rec["error"]["code"] == code, rec


async def test_inline_schema(tmp_path):
    xsd = TYPES_XSD.replace("</xs:schema>", '<xs:element name="Qty" type="Quantity"/></xs:schema>')
    root = standard_project(tmp_path / "app", validate({"schema": {"content": xsd}}))
    _, record = await run_path(root, '<Qty xmlns="urn:shop:orders">0</Qty>')
    assert record["actions"]["XML_Validation"]["error"]["code"] == "XmlValidationFailed"
