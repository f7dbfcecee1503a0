"""Liquid as the host's DotLiquid: the documented JSON-to-JSON example, JSON/XML to text, DotLiquid casing,
.NET date formats, failures."""

from __future__ import annotations

import pytest

from .project import run_path, standard_project, write_artifacts, xml_body

pytest.importorskip("liquid")

# the host's documented JSON-to-JSON template
DOC_TEMPLATE = """{%- assign deviceList = content.devices | Split: ', ' -%}

{
    "fullName": "{{content.firstName | Append: ' ' | Append: content.lastName}}",
    "firstNameUpperCase": "{{content.firstName | Upcase}}",
    "phoneAreaCode": "{{content.phone | Slice: 1, 3}}",
    "devices" : [
        {%- for device in deviceList -%}
            {%- if forloop.Last == true -%}
            "{{device}}"
            {%- else -%}
            "{{device}}",
            {%- endif -%}
        {%- endfor -%}
    ]
}
"""
DOC_INPUT = {"devices": "Surface, Mobile, Desktop computer, Monitors", "firstName": "Dean", "lastName": "Ledet",
             "phone": "(111)0001111"}
DOC_OUTPUT = {"fullName": "Dean Ledet", "firstNameUpperCase": "DEAN", "phoneAreaCode": "111",
              "devices": ["Surface", "Mobile", "Desktop computer", "Monitors"]}


def liquid(kind: str, ref: dict) -> dict:
    return {"Transform": {"type": "Liquid", "kind": kind, "runAfter": {},
                          "inputs": {"content": "@triggerBody()", **ref}},
            "Response": {"type": "Response", "kind": "Http", "runAfter": {"Transform": ["Succeeded"]},
                         "inputs": {"statusCode": 200, "body": "@body('Transform')"}}}


async def test_documented_json_to_json(tmp_path):
    ref = {"map": {"source": "LogicApp", "name": "SimpleJsonToJsonTemplate.liquid"}}
    root = standard_project(tmp_path / "app", liquid("JsonToJson", ref),
                            maps={"SimpleJsonToJsonTemplate.liquid": DOC_TEMPLATE})
    response, record = await run_path(root, DOC_INPUT, content_type="application/json")
    assert record["status"] == "Succeeded", record
    assert response["body"] == DOC_OUTPUT


async def test_integration_account_template_json_to_text(tmp_path):
    account = write_artifacts(tmp_path / "account", maps={"Greeting.liquid": (
        "{% for p in content.people %}{{ forloop.Index }}. {{ p.name | Downcase | Capitalize }}"
        "{% unless forloop.Last %}; {% endunless %}{% endfor %} ({{ content.people | Size }})")})
    root = standard_project(tmp_path / "app", liquid("JsonToText",
                                                     {"integrationAccount": {"map": {"name": "Greeting"}}}))
    response, record = await run_path(root, {"people": [{"name": "ADA"}, {"name": "bob"}]},
                                      content_type="application/json", artifacts=account)
    assert record["status"] == "Succeeded", record
    assert response["body"] == "1. Ada; 2. Bob (2)"


async def test_xml_to_json_and_text(tmp_path):
    template = ('{"id": {{ content.Id }}, "qty": {{ content.Qty | Times: 2 }}, '
                '"ref": "{{ content["@ref"] }}"}')
    root = standard_project(tmp_path / "app", liquid("XmlToJson", {"map": {"content": template}}))
    response, record = await run_path(root, xml_body('<Order ref="A1"><Id>7</Id><Qty>3</Qty></Order>'))
    assert record["status"] == "Succeeded", record
    assert response["body"] == {"id": 7, "qty": 33, "ref": "A1"}  # XML values are text: DotLiquid 2.0 repeats it
    root = standard_project(tmp_path / "app2", liquid("XmlToText",
                                                      {"map": {"content": "{{ content.b | Upcase }}"}}))
    response, record = await run_path(root, "<a><b>x</b></a>")
    assert response["body"] == "X"


async def test_dotnet_date_formats(tmp_path):
    template = ('{{ content.d | Date: "MM/dd/yyyy HH:mm" }}|{{ content.d | Date: "dddd, MMMM d" }}|'
                '{{ "soon" | Date: "yyyy" }}')
    root = standard_project(tmp_path / "app", liquid("JsonToText", {"map": {"content": template}}))
    response, _ = await run_path(root, {"d": "2024-03-05T14:07:00Z"}, content_type="application/json")
    assert response["body"] == "03/05/2024 14:07|Tuesday, March 5|soon"


@pytest.mark.parametrize("template, kind, code", [
    ("{{ content.a | upcase }}", "JsonToText", "LiquidTransformFailed"),   # Ruby casing is not DotLiquid's
    ("{% if %}", "JsonToText", "InvalidMap"),
    ("not json {{ content.a }}", "JsonToJson", "IncorrectLiquidTransformOutputType"),
    ("{% assign x = content.a | Replace: '(' %}{{ x }}", "JsonToText", "LiquidTransformFailed"),
])
async def test_failures(tmp_path, template, kind, code):
    root = standard_project(tmp_path / "app", liquid(kind, {"map": {"content": template}}))
    _, record = await run_path(root, {"a": "x"}, content_type="application/json")
    rec = record["actions"]["Transform"]
    assert rec["status"] == "Failed" and rec["error"]["code"] == code, rec


async def test_missing_template_and_bad_xml(tmp_path):
    root = standard_project(tmp_path / "app", liquid("JsonToJson", {"map": {"name": "Nope.liquid"}}))
    _, record = await run_path(root, {"a": 1}, content_type="application/json")
    assert record["actions"]["Transform"]["error"]["code"] == "MapNotFound"
    root = standard_project(tmp_path / "app2", liquid("XmlToText", {"map": {"content": "x"}}))
    _, record = await run_path(root, "<a>")
    assert record["actions"]["Transform"]["error"]["code"] == "InvalidXml"


async def test_documented_json_and_xml_to_text(tmp_path):
    template = "{{content.firstName | Append: ' ' | Append: content.lastName}}"
    root = standard_project(tmp_path / "app", liquid("JsonToText", {"map": {"content": template}}))
    response, _ = await run_path(root, {"firstName": "Dean", "lastName": "Ledet"}, content_type="application/json")
    assert response["body"] == "Dean Ledet"
    root = standard_project(tmp_path / "app2", liquid("XmlToText", {"map": {"content": template}}))
    response, _ = await run_path(root, '<?xml version="1.0"?><name><firstName>Dean</firstName>'
                                       '<lastName>Ledet</lastName></name>')
    assert response["body"] == "Dean Ledet"


async def test_documented_json_array_for_over_xml(tmp_path):
    template = "[{% JSONArrayFor item in content -%}\n      {{item}}\n  {% endJSONArrayFor -%}]"
    root = standard_project(tmp_path / "app", liquid("XmlToJson", {"map": {"content": template}}))
    response, record = await run_path(root, "<numbers><n>1</n><n>2</n><n>3</n></numbers>")
    assert record["status"] == "Succeeded", record
    assert response["body"] == [1, 2, 3]
    objects = ('[{% JSONArrayFor line in content.Line %}{"sku": "{{ line["@sku"] }}"}{% endJSONArrayFor %}]')
    root = standard_project(tmp_path / "app2", liquid("XmlToJson", {"map": {"content": objects}}))
    response, _ = await run_path(root, '<Order><Line sku="a"/><Line sku="b"/></Order>')
    assert response["body"] == [{"sku": "a"}, {"sku": "b"}]


async def test_documented_replace_uses_regular_expressions(tmp_path):
    works = ("""{ "SampleText": "{{ 'The quick brown fox "jumped" over the sleeping dog\\\\' | Replace: '\\\\', """
             """'\\\\' | Replace: '"', '\\"'}}"}""")
    fails = ("""{ "SampleText": "{{ 'The quick brown fox "jumped" over the sleeping dog\\\\' | Replace: '\\', """
             """'\\\\' | Replace: '"', '\\"'}}"}""")
    root = standard_project(tmp_path / "app", liquid("JsonToText", {"map": {"content": works}}))
    response, _ = await run_path(root, {}, content_type="application/json")
    assert response["body"] == '{ "SampleText": "The quick brown fox \\"jumped\\" over the sleeping dog\\\\\\\\"}'
    root = standard_project(tmp_path / "app2", liquid("JsonToText", {"map": {"content": fails}}))
    response, _ = await run_path(root, {}, content_type="application/json")
    assert response["body"].startswith('{ "SampleText": "Liquid error: parsing "\\"')
    root = standard_project(tmp_path / "app3", liquid("JsonToText", {"map": {
        "content": "{{ 'order-17-x' | Replace: '(\\d+)', '#$1$$' }}|{{ 'aaa' | ReplaceFirst: 'a', 'b' }}"}}))
    response, _ = await run_path(root, {}, content_type="application/json")
    assert response["body"] == "order-#17$-x|baa"


async def test_documented_sort_is_textual_and_case_insensitive(tmp_path):
    template = ("{{ content.words | Sort | Join: ',' }}|{{ content.numbers | Sort | Join: ',' }}|"
                "{% assign people = content.people | Sort: 'name' %}{% for p in people %}{{ p.name }}{% endfor %}")
    root = standard_project(tmp_path / "app", liquid("JsonToText", {"map": {"content": template}}))
    response, _ = await run_path(root, {"words": ["b", "C", "a"], "numbers": [10, 9, 100],
                                        "people": [{"name": "bo"}, {"name": "Al"}]}, content_type="application/json")
    assert response["body"] == "a,b,C|10,100,9|Albo"


def test_output_statements_print_objects_as_json_and_whole_doubles_without_fraction():
    from emulator.runtime.actions.dotliquid import environment

    render = environment().from_string(
        "{{ o }}|{{ l }}|{{ f }}|{{ g }}|{{ 'a\\b' | Replace: '\\', '/' }}|{{ 'x' | Replace: '(', '' }}").render
    out = render(o={"a": "1", "b": [1, 2]}, l=[{"k": 1}, "s"], f=2.0, g=4.5)
    assert out == ('{"a":"1","b":[1,2]}|{"k":1}s|2|4.5|Liquid error: parsing "\\" - Illegal \\ at end of pattern.|'
                   "Liquid error: parsing \"(\" - Not enough )'s.")


def test_dotliquid_2_0_filters_where_shopify_differs():
    # DotLiquid's StandardFilters, SyntaxCompatibility.DotLiquid20 branches (the host runs 2.0.361)
    from emulator.runtime.actions.dotliquid import environment

    render = environment().from_string(
        "{{ 'hello big world' | Capitalize }}|{{ 'ADA lovelace' | Capitalize }}|{{ 'a,,b,' | Split: ',' | Size }}|"
        "{{ '3' | Times: 2 }}|{{ '3' | Plus: 2 }}|{{ 3 | Plus: 2 }}|{{ 3 | Times: 2 }}|{{ '  ' | Default: 'x' }}").render
    assert render() == "Hello Big World|ADA Lovelace|2|33|32|5|6|x"
