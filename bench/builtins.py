"""The built-in engines: one workflow run with the action vs the engine called directly with the same input.

For each of Xslt (SaxonC-HE), Liquid (python-liquid), XmlValidation (xmlschema) and JavaScriptCode (V8), the
first run (compiling the map / starting the engine) and the mean of later runs, against the bare engine
call, printed as a ratio. The run includes the workflow machinery (trigger record, expressions, records).

Run: ``make bench`` or ``.venv/bin/python bench/builtins.py``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: bench/http.py would shadow the standard library's http

from emulator.definitions import load_path  # noqa: E402
from emulator.expressions.values import Blob  # noqa: E402
from emulator.runtime import RunOptions, VirtualClock, run_to_end  # noqa: E402
from emulator.runtime.actions import javascript, liquid, xml_validation, xslt  # noqa: E402
from emulator.runtime.actions.registry import lookup  # noqa: E402

N = 200
ORDER = ('<Order id="A-17"><Customer><Name>Ada</Name></Customer><Lines>'
         + "".join(f'<Line sku="P{i}"><Quantity>{i}</Quantity><Price>9.99</Price></Line>' for i in range(20))
         + "</Lines></Order>")
MAP = (ROOT / "flows" / "Artifacts" / "Maps" / "OrderToJson.xslt").read_text()
XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="Order"><xs:complexType>
<xs:sequence><xs:element name="Customer"><xs:complexType><xs:sequence><xs:element name="Name" type="xs:string"/>
</xs:sequence></xs:complexType></xs:element><xs:element name="Lines"><xs:complexType><xs:sequence>
<xs:element name="Line" maxOccurs="unbounded"><xs:complexType><xs:sequence><xs:element name="Quantity" type="xs:int"/>
<xs:element name="Price" type="xs:decimal"/></xs:sequence><xs:attribute name="sku"/></xs:complexType></xs:element>
</xs:sequence></xs:complexType></xs:element></xs:sequence><xs:attribute name="id"/></xs:complexType></xs:element>
</xs:schema>"""
TEMPLATE = '{"names": [{% for l in content.lines %}"{{ l.sku | Upcase }}"{% unless forloop.Last %},{% endunless %}' \
           '{% endfor %}], "n": {{ content.lines | Size }}}'
LINES = {"lines": [{"sku": f"p{i}", "quantity": i} for i in range(20)]}
CODE = "return workflowContext.trigger.outputs.body.lines.map(l => l.sku.toUpperCase());"

CASES = {
    "Xslt": ({"type": "Xslt", "inputs": {"content": "@triggerBody()", "map": {"name": "Order.xslt"},
                                         "transformOptions": "ApplyXsltOutputAttributes"}}, "xml"),
    "Liquid": ({"type": "Liquid", "kind": "JsonToJson",
                "inputs": {"content": "@triggerBody()", "map": {"name": "Lines.liquid"}}}, "json"),
    "XmlValidation": ({"type": "XmlValidation", "inputs": {"content": "@triggerBody()",
                                                           "schema": {"name": "Order.xsd"}}}, "xml"),
    "JavaScriptCode": ({"type": "JavaScriptCode", "inputs": {"code": CODE}}, "json"),
}


def direct(name: str):
    """The bare engine call doing the same work (compiled once, outside the timing)."""
    if name == "Xslt":
        compiled = xslt.compile_map(MAP.encode())
        return lambda: compiled.executable.transform_to_string(xdm_node=xslt.saxon().parse_xml(xml_text=ORDER))
    if name == "Liquid":
        template = liquid.compile_template(TEMPLATE.encode())
        return lambda: json.loads(template.render(content=LINES))
    if name == "XmlValidation":
        schema = xml_validation.compile_schema(XSD.encode())
        return lambda: list(schema.iter_errors(ORDER))
    context = {"trigger": {"outputs": {"body": LINES}}, "actions": {}, "workflow": {}}
    return lambda: javascript.run_script(CODE, context, 5.0)


def bare(fn) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(N):
        fn()
    return (time.perf_counter() - start) / N


async def main() -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "Artifacts" / "Maps").mkdir(parents=True)
    (folder / "Artifacts" / "Schemas").mkdir(parents=True)
    (folder / "Artifacts" / "Maps" / "Order.xslt").write_text(MAP)
    (folder / "Artifacts" / "Maps" / "Lines.liquid").write_text(TEMPLATE)
    (folder / "Artifacts" / "Schemas" / "Order.xsd").write_text(XSD)
    print(f"{'action':16} {'first run':>10} {'per run':>10} {'engine alone':>13} {'ratio':>6}")
    for name, (action, body_kind) in CASES.items():
        file = folder / f"{name}.json"
        file.write_text(json.dumps({"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}},
                                                   "actions": {"A": {**action, "runAfter": {}}}}}))
        wf = load_path(file, action_types=lookup).workflows[0]
        body = Blob(ORDER.encode(), "application/xml") if body_kind == "xml" else LINES
        options = RunOptions(clock=VirtualClock())

        async def once(wf=wf, body=body, options=options):
            _, record, _ = await run_to_end(wf, None, {"headers": {}, "body": body}, options)
            assert record["status"] == "Succeeded", record["actions"]["A"].get("error")

        start = time.perf_counter()
        await once()
        first = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(N):
            await once()
        per_run = (time.perf_counter() - start) / N
        alone = await asyncio.to_thread(bare, direct(name))  # V8's timeout needs a thread without a loop
        print(f"{name:16} {first * 1000:8.1f}ms {per_run * 1000:8.2f}ms {alone * 1000:11.2f}ms "
              f"{per_run / alone:5.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
