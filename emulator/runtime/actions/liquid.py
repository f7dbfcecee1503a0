"""``Liquid`` (Transform JSON to JSON / JSON to text / XML to JSON / XML to text) on ``python-liquid``.

The host renders with DotLiquid 2.0 set to C# naming; this environment is configured the same way:

- the input is bound as ``content``; XML input first becomes JSON as ``json(xml)`` makes it, and
  ``content`` is its root element (``<Order><Id>`` is ``content.Id``, an attribute ``content["@id"]``);
- filters, ``forloop`` members and the ``JSONArrayFor`` tag as DotLiquid and the host have them (see
  :mod:`.dotliquid`); an unknown filter (``upcase``: Ruby casing) fails the action.

``kind`` picks the output: ``JsonToJson``/``XmlToJson`` read the rendered text as Json.NET does (trailing
commas and comments are fine; the body is the value; text that is not JSON fails with the host's
``IncorrectLiquidTransformOutputType``); ``JsonToText``/``XmlToText`` answer the text
as a string. Templates are parsed once per file version; a template that does not parse fails with
``InvalidMap``, one that fails while rendering with ``LiquidTransformFailed``. docs/fidelity.md lists what
still differs from DotLiquid.
"""

from __future__ import annotations

from ...expressions.values import Blob, blob_from_envelope
from ..errors import ActionFailure
from .builtin import BuiltIn, artifact_of, content_bytes, content_json, one_line
from .dotliquid import FilterFailed, environment
from .registry import action_type

JSON_KINDS = ("jsontojson", "xmltojson")
XML_KINDS = ("xmltojson", "xmltotext")
OUTPUT_NOT_JSON = "IncorrectLiquidTransformOutputType"  # the host's code (Azure/logicapps issue 1034)


def compile_template(data: bytes, path=None):
    from liquid.exceptions import LiquidError

    try:
        return environment().from_string(data.decode("utf-8-sig"))
    except (LiquidError, UnicodeDecodeError) as exc:
        raise ActionFailure("InvalidMap", f"The Liquid template could not be parsed: {one_line(exc)}") from None


def _content(step, kind: str, value):
    if kind in XML_KINDS:
        from ...functions import xmldom
        from ...functions.xmljson import xml_to_json

        blob = blob_from_envelope(value) if isinstance(value, dict) else None
        text = blob.text() if isinstance(blob, Blob) else content_bytes(step, value).decode("utf-8-sig")
        try:
            return xml_content(xml_to_json(xmldom.parse(text)))
        except xmldom.XmlError as exc:
            raise ActionFailure("InvalidXml", f"The 'content' of action '{step.name}' is not valid XML: "
                                f"{one_line(exc)}") from None
    return content_json(step, value)


def xml_content(converted: dict):
    """XML input as ``content``: the root element (``<name><first>`` is ``content.first``), as in the host's
    examples, which use the same templates for JSON and XML input."""
    elements = {k: v for k, v in converted.items() if not k.startswith(("?", "!"))}
    if len(elements) == 1:
        return next(iter(elements.values()))
    return elements


@action_type("Liquid")
class Liquid(BuiltIn):
    artifact = ("map", compile_template)

    @staticmethod
    def run(step, inputs: dict) -> None:
        from liquid.exceptions import LiquidError

        from ...functions.xmljson import JsonTextError, parse_json

        kind = str(step.action.kind or "JsonToJson").lower()
        template = artifact_of(step, inputs)
        content = _content(step, kind, inputs.get("content"))
        try:
            text = template.render(content=content)
        except (LiquidError, FilterFailed) as exc:
            raise ActionFailure("LiquidTransformFailed", f"The Liquid template of action '{step.name}' failed: "
                                f"{one_line(exc)}") from None
        if kind in JSON_KINDS:
            try:  # read as the host reads it (Json.NET): trailing commas, comments, single quotes are fine
                body = parse_json(text)
            except JsonTextError as exc:
                raise ActionFailure(OUTPUT_NOT_JSON, "An error occurred while converting the transformed value to "
                                    f"JSON. The transformed value is not a valid JSON. '{exc}'") from None
            step.outputs = {"body": body}
        else:
            step.outputs = {"body": text}
