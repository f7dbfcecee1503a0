"""Xslt (Transform XML, Transform using Data Mapper XSLT) on SaxonC-HE: maps from a Standard project's
Artifacts/Maps, an integration-account folder or inline; options, parameters, content types, failures."""

from __future__ import annotations

import pytest

from emulator.runtime.actions import artifacts, xslt

from .project import run_path, standard_project, write_artifacts, xml_body

pytest.importorskip("saxonche")

# a map shaped like the ones the Data Mapper generates: XSLT 3.0, text value templates, a named mode
DATA_MAPPER_MAP = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:src="urn:shop:orders" xmlns:tns="urn:shop:shipping"
    xmlns:dm="http://azure.workflow.datamapper" exclude-result-prefixes="xsl xs src dm"
    version="3.0" expand-text="yes">
  <xsl:output indent="yes" media-type="text/xml" method="xml"/>
  <xsl:template match="/"><xsl:apply-templates select="." mode="azure.workflow.datamapper"/></xsl:template>
  <xsl:template match="/" mode="azure.workflow.datamapper">
    <tns:shipments count="{count(/src:Orders/src:Order)}">
      <xsl:for-each select="/src:Orders/src:Order">
        <tns:shipment id="{src:Id}">
          <tns:to>{upper-case(src:Customer)}</tns:to>
          <tns:label>{substring(src:Note, 0, 10)}</tns:label>
        </tns:shipment>
      </xsl:for-each>
    </tns:shipments>
  </xsl:template>
</xsl:stylesheet>"""

ORDERS = """<Orders xmlns="urn:shop:orders">
  <Order><Id>7</Id><Customer>ada</Customer><Note>fragile and heavy</Note></Order>
  <Order><Id>8</Id><Customer>bob</Customer><Note>none</Note></Order>
</Orders>"""

XSLT1_MAP = """<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="greeting" select="'Hello'"/>
  <xsl:template match="/person"><out><xsl:value-of select="concat($greeting, ', ', name)"/></out></xsl:template>
</xsl:stylesheet>"""

TEXT_MAP = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:template match="/">total=<xsl:value-of select="sum(//n)"/></xsl:template>
</xsl:stylesheet>"""


def transform(inputs: dict, kind=None) -> dict:
    action = {"type": "Xslt", "inputs": {"content": "@triggerBody()", **inputs}, "runAfter": {}}
    if kind:
        action["kind"] = kind
    return {"Transform": action,
            "Response": {"type": "Response", "kind": "Http", "runAfter": {"Transform": ["Succeeded"]},
                         "inputs": {"statusCode": 200, "body": "@body('Transform')"}}}


async def test_data_mapper_map_from_the_standard_project(tmp_path):
    root = standard_project(tmp_path / "app", transform({"map": {"source": "LogicApp", "name": "Orders.xslt"}},
                                                       kind="DataMapper"),
                            maps={"Orders.xslt": DATA_MAPPER_MAP})
    response, record = await run_path(root, xml_body(ORDERS))
    assert record["status"] == "Succeeded"
    body = response["body"]
    assert body["$content-type"] == "application/xml"
    text = body.text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')  # no byte order mark for Data Mapper
    assert 'count="2"' in text and "<tns:to>ADA</tns:to>" in text and "<tns:label>fragile a</tns:label>" in text
    assert "src:" not in text  # exclude-result-prefixes honoured


async def test_integration_account_map_bom_parameters_and_options(tmp_path):
    account = write_artifacts(tmp_path / "account", maps={"Greet.xslt": XSLT1_MAP})
    actions = transform({"integrationAccount": {"map": {"name": "Greet"}},
                         "xsltParameters": {"greeting": "Hi"}})
    actions["NoBom"] = {"type": "Xslt", "runAfter": {"Transform": ["Succeeded"]},
                        "inputs": {"content": "@triggerBody()", "integrationAccount": {"map": {"name": "Greet"}},
                                   "transformOptions": "DisableByteOrderMark"}}
    root = standard_project(tmp_path / "app", actions)
    response, record = await run_path(root, "<person><name>Ada</name></person>", artifacts=account)
    assert record["status"] == "Succeeded", record
    text = response["body"].text()
    assert text.startswith("\ufeff<?xml") and text.endswith("<out>Hi, Ada</out>")
    plain = record["actions"]["NoBom"]["outputs"]["body"]
    assert plain.text() == '<?xml version="1.0" encoding="UTF-8"?><out>Hello, Ada</out>'


async def test_apply_xslt_output_attributes_gives_text(tmp_path):
    root = standard_project(tmp_path / "app", transform({
        "map": {"name": "Sum"}, "transformOptions": "ApplyXsltOutputAttributes,DisableByteOrderMark"}),
        maps={"Sum.xsl": TEXT_MAP})
    response, record = await run_path(root, "<r><n>2</n><n>40</n></r>")
    assert response["body"]["$content-type"] == "text/plain"
    assert response["body"].text() == "total=42"


async def test_generate_text_output_and_the_older_map_name_shape(tmp_path):
    account = write_artifacts(tmp_path / "account", maps={"Sum.xsl": TEXT_MAP})
    root = standard_project(tmp_path / "app", transform({"mapName": "Sum", "transformOptions": "GenerateTextOutput"}))
    response, record = await run_path(root, "<r><n>1</n><n>2</n></r>", artifacts=account)
    assert record["status"] == "Succeeded", record
    assert response["body"] == "total=3"


async def test_xslt1_map_with_msxsl_node_set_and_an_include(tmp_path):
    legacy = """<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:ms="urn:schemas-microsoft-com:xslt" exclude-result-prefixes="ms">
  <xsl:include href="Common.xsl"/>
  <xsl:template match="/Order">
    <xsl:variable name="lines"><xsl:for-each select="Line"><l><xsl:value-of select="@qty"/></l></xsl:for-each>
    </xsl:variable>
    <Summary lines="{count(ms:node-set($lines)/l)}"><xsl:call-template name="stamp"/></Summary>
  </xsl:template>
</xsl:stylesheet>"""
    common = ('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
              '<xsl:template name="stamp"><by>map</by></xsl:template></xsl:stylesheet>')
    root = standard_project(tmp_path / "app", transform({"map": {"name": "Legacy"},
                                                        "transformOptions": "DisableByteOrderMark"}),
                            maps={"Legacy.xslt": legacy, "Common.xsl": common})
    response, record = await run_path(root, '<Order><Line qty="1"/><Line qty="2"/></Order>')
    assert record["status"] == "Succeeded", record
    assert response["body"].text().endswith('<Summary lines="2"><by>map</by></Summary>')


async def test_inline_map_compiled_once(tmp_path, monkeypatch):
    compiled = []
    real = xslt.CompiledMap.__init__

    def counting(self, *args):
        compiled.append(1)
        real(self, *args)

    monkeypatch.setattr(xslt.CompiledMap, "__init__", counting)
    root = standard_project(tmp_path / "app", transform({"map": {"content": XSLT1_MAP},
                                                        "transformOptions": "DisableByteOrderMark"}))
    before = len(artifacts._CACHE)
    for _ in range(3):
        response, record = await run_path(root, "<person><name>Bo</name></person>")
        assert response["body"].text().endswith("<out>Hello, Bo</out>")
    assert len(compiled) == 1 and len(artifacts._CACHE) == before + 1


# the shape the Data Mapper generates for a JSON source and a JSON target
DATA_MAPPER_JSON_MAP = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:dm="http://azure.workflow.datamapper"
    xmlns="http://www.w3.org/2005/xpath-functions" exclude-result-prefixes="xsl xs dm" version="3.0" expand-text="yes">
  <xsl:output indent="yes" media-type="text/json" method="text" omit-xml-declaration="yes" />
  <xsl:template match="/">
    <xsl:variable name="xmlinput" select="json-to-xml(/)" />
    <xsl:variable name="xmloutput">
      <xsl:apply-templates select="$xmlinput" mode="azure.workflow.datamapper" />
    </xsl:variable>
    <xsl:value-of select="xml-to-json($xmloutput,map{'indent':true()})" />
  </xsl:template>
  <xsl:template match="/" mode="azure.workflow.datamapper">
    <map>
      <string key="orderId">{concat('FC-', /*/*[@key='orderId'])}</string>
      <number key="total">{sum(/*/*[@key='items']/*)}</number>
      <xsl:choose>
        <xsl:when test="local-name-from-QName(node-name(/*/*[@key='region'])) = 'null'"><null key="region"/></xsl:when>
        <xsl:otherwise><string key="region">{/*/*[@key='region']}</string></xsl:otherwise>
      </xsl:choose>
    </map>
  </xsl:template>
</xsl:stylesheet>"""


async def test_data_mapper_json_to_json(tmp_path):
    root = standard_project(tmp_path / "app", transform({"map": {"source": "LogicApp", "name": "Totals.xslt"}},
                                                       kind="DataMapper"),
                            maps={"Totals.xslt": DATA_MAPPER_JSON_MAP})
    response, record = await run_path(root, {"orderId": "17", "items": [1, 2, 3.5], "region": None},
                                      content_type="application/json")
    assert record["status"] == "Succeeded", record
    assert response["body"] == {"orderId": "FC-17", "total": 6.5, "region": None}
    response, _ = await run_path(root, '{"orderId": "9", "items": [], "region": "EU & <NA>"}')
    assert response["body"] == {"orderId": "FC-9", "total": 0, "region": "EU & <NA>"}


@pytest.mark.parametrize("case, code", [
    ("missing", "MapNotFound"), ("bad-xml", "InvalidXml"), ("bad-map", "InvalidMap"), ("terminate", "XsltTransformFailed"),
])
async def test_failures(tmp_path, case, code):
    maps = {"Bad.xslt": '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
                        '<xsl:template match="/"><xsl:value-of select="foo("/></xsl:template></xsl:stylesheet>',
            "Stop.xslt": '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
                         '<xsl:template match="/"><xsl:message terminate="yes">no orders</xsl:message>'
                         '</xsl:template></xsl:stylesheet>',
            "Ok.xslt": XSLT1_MAP}
    name = {"missing": "Nope.xslt", "bad-xml": "Ok.xslt", "bad-map": "Bad.xslt", "terminate": "Stop.xslt"}[case]
    root = standard_project(tmp_path / "app", transform({"map": {"name": name}}), maps=maps)
    body = "<person><name>x</person>" if case == "bad-xml" else "<person><name>x</name></person>"
    response, record = await run_path(root, body)
    rec = record["actions"]["Transform"]
    assert rec["status"] == "Failed" and rec["error"]["code"] == code, rec
    assert record["actions"]["Response"]["status"] == "Skipped"
    if case == "terminate":
        assert "no orders" in rec["error"]["message"] or "terminated" in rec["error"]["message"]


async def test_a_mock_still_wins(tmp_path):
    root = standard_project(tmp_path / "app", transform({"map": {"name": "Nope.xslt"}}))
    mocks = {"actions": {"Transform": {"outputs": {"body": "<mocked/>"}}}}
    response, record = await run_path(root, "<a/>", mocks=mocks)
    assert record["actions"]["Transform"]["status"] == "Succeeded"
    assert response["body"] == "<mocked/>"


def test_project_maps_are_compiled_at_load(tmp_path):
    from tests.definitions.helpers import load_path

    broken = ('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
              '<xsl:template match="/"><xsl:value-of select="foo("/></xsl:template></xsl:stylesheet>')
    actions = transform({"map": {"name": "Good.xslt"}})
    actions["Other"] = {"type": "Xslt", "runAfter": {}, "inputs": {"content": "<a/>", "map": {"name": "Bad"}}}
    root = standard_project(tmp_path / "app", actions, maps={"Good.xslt": XSLT1_MAP, "Bad.xslt": broken})
    result = load_path(root)
    assert not result.errors
    warnings = [p for p in result.problems if p.severity == "warning"]
    assert [(w.code, w.json_path.endswith("Other.inputs.map")) for w in warnings] == [("InvalidMap", True)]
    good = (root / "Artifacts" / "Maps" / "Good.xslt").resolve()
    assert any(key[0] == str(good) for key in artifacts._CACHE)
