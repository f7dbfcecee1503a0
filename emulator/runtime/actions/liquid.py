"""``Liquid`` (Transform JSON to JSON / JSON to text / XML to JSON / XML to text) on ``python-liquid``.

The host renders with DotLiquid 2.0 set to C# naming; this environment is configured the same way:

- the input is bound as ``content`` (XML input first becomes JSON as ``json(xml)`` makes it, so
  ``<Order><Id>`` is ``content.Order.Id``);
- filters have DotLiquid's names in its casing (``Upcase``, ``DividedBy``, ``TruncateWords``...), the
  Ruby names (``upcase``) are unknown filters and fail the action, and only DotLiquid's filters exist;
- ``forloop`` members are ``forloop.First``, ``forloop.Last``, ``forloop.Index``...;
- ``Date`` takes .NET format strings (``{{ "now" | Date: "MM/dd/yyyy" }}``), as ``formatDateTime`` does;
  text it cannot read as a date comes back unchanged.

``kind`` picks the output: ``JsonToJson``/``XmlToJson`` parse the rendered text as JSON (the body is the
value; text that is not JSON fails with ``InvalidLiquidOutput``); ``JsonToText``/``XmlToText`` answer the text
as a string. Templates are parsed once per file version; a template that does not parse fails with
``InvalidMap``, one that fails while rendering with ``LiquidTransformFailed``. docs/fidelity.md lists what
still differs from DotLiquid.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ...expressions import ExpressionError
from ...expressions.values import Blob, blob_from_envelope
from ..errors import ActionFailure
from . import artifacts
from .builtin import BuiltIn, content_bytes, content_json
from .registry import action_type

# DotLiquid 2.0's StandardFilters (C# names) -> python-liquid's filter of the same behaviour
DOTLIQUID_FILTERS = {
    "Abs": "abs", "Append": "append", "AtLeast": "at_least", "AtMost": "at_most", "Capitalize": "capitalize",
    "Ceil": "ceil", "Compact": "compact", "Concat": "concat", "Default": "default", "DividedBy": "divided_by",
    "Downcase": "downcase", "Escape": "escape", "EscapeOnce": "escape_once", "First": "first", "Floor": "floor",
    "H": "escape", "Join": "join", "Last": "last", "Lstrip": "lstrip", "Map": "map", "Minus": "minus",
    "Modulo": "modulo", "NewlineToBr": "newline_to_br", "Plus": "plus", "Prepend": "prepend", "Remove": "remove",
    "RemoveFirst": "remove_first", "Replace": "replace", "ReplaceFirst": "replace_first", "Reverse": "reverse",
    "Round": "round", "Rstrip": "rstrip", "Size": "size", "Slice": "slice", "Sort": "sort",
    "SortNatural": "sort_natural", "Split": "split", "Strip": "strip", "StripHtml": "strip_html",
    "StripNewlines": "strip_newlines", "Times": "times", "Truncate": "truncate", "TruncateWords": "truncatewords",
    "Uniq": "uniq", "Upcase": "upcase", "UrlDecode": "url_decode", "UrlEncode": "url_encode", "Where": "where",
}
FORLOOP_MEMBERS = {"Name": "name", "Length": "length", "Index": "index", "Index0": "index0", "Rindex": "rindex",
                   "Rindex0": "rindex0", "First": "first", "Last": "last", "Parentloop": "parentloop"}
JSON_KINDS = ("jsontojson", "xmltojson")
XML_KINDS = ("xmltojson", "xmltotext")

_ENV = None


def dotliquid_date(value, fmt=None, *, environment=None):
    """DotLiquid's ``Date``: ``"now"``/``"today"`` or a date text, formatted with a .NET format string."""
    from ...functions.datetime import format_date_time

    if value is None or value == "":
        return value
    if fmt is None or fmt == "":
        return str(value)
    text = value
    if isinstance(value, str) and value.strip().lower() in ("now", "today"):
        text = datetime.now(timezone.utc).isoformat()
    elif isinstance(value, datetime):
        text = value.isoformat()
    try:
        return format_date_time(str(text), str(fmt))
    except ExpressionError:
        return value


def environment():
    """The DotLiquid-like environment (made on first use)."""
    global _ENV
    if _ENV is None:
        _ENV = _make_environment()
    return _ENV


def _make_environment():
    from liquid import BoundTemplate, Environment, RenderContext
    from liquid.builtin.tags.for_tag import ForLoop

    class DotLiquidContext(RenderContext):
        def get_item(self, obj, key):
            if isinstance(obj, ForLoop) and key in FORLOOP_MEMBERS:
                key = FORLOOP_MEMBERS[key]
            return super().get_item(obj, key)

    class DotLiquidTemplate(BoundTemplate):
        context_class = DotLiquidContext

    class DotLiquidEnvironment(Environment):
        template_class = DotLiquidTemplate

    env = DotLiquidEnvironment(strict_filters=True)
    ruby = dict(env.filters)
    env.filters.clear()
    for name, ruby_name in DOTLIQUID_FILTERS.items():
        env.filters[name] = ruby[ruby_name]
    env.filters["Date"] = dotliquid_date
    return env


def compile_template(data: bytes, path=None):
    from liquid.exceptions import LiquidError

    try:
        return environment().from_string(data.decode("utf-8-sig"))
    except (LiquidError, UnicodeDecodeError) as exc:
        raise ActionFailure("InvalidMap", f"The Liquid template could not be parsed: {_one_line(exc)}") from None


def _one_line(exc) -> str:
    return " ".join(str(exc).split())


def _content(step, kind: str, value):
    if kind in XML_KINDS:
        from ...functions import xmldom
        from ...functions.xmljson import xml_to_json

        blob = blob_from_envelope(value) if isinstance(value, dict) else None
        text = blob.text() if isinstance(blob, Blob) else content_bytes(step, value).decode("utf-8-sig")
        try:
            return xml_to_json(xmldom.parse(text))
        except xmldom.XmlError as exc:
            raise ActionFailure("InvalidXml", f"The 'content' of action '{step.name}' is not valid XML: "
                                f"{_one_line(exc)}") from None
    return content_json(step, value)


@action_type("Liquid")
class Liquid(BuiltIn):
    artifact = ("map", compile_template)

    @staticmethod
    def run(step, inputs: dict) -> None:
        import json

        from liquid.exceptions import LiquidError

        kind = str(step.action.kind or "JsonToJson").lower()
        template = artifacts.load(step, inputs, "map", compile_template)
        content = _content(step, kind, inputs.get("content"))
        try:
            text = template.render(content=content)
        except LiquidError as exc:
            raise ActionFailure("LiquidTransformFailed", f"The Liquid template of action '{step.name}' failed: "
                                f"{_one_line(exc)}") from None
        if kind in JSON_KINDS:
            try:
                body = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ActionFailure("InvalidLiquidOutput", f"The output of the Liquid template of action "
                                    f"'{step.name}' is not valid JSON: '{exc.msg}, line {exc.lineno}, position "
                                    f"{exc.colno}'.") from None
            step.outputs = {"body": body}
        else:
            step.outputs = {"body": text}
