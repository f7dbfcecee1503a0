"""``Xslt`` (Transform XML, and Transform using Data Mapper XSLT): XSLT 1.0, 2.0 and 3.0 maps on SaxonC-HE.

Inputs: ``content`` (XML: a string, an ``xml()`` value or an XML body), the map
(``integrationAccount.map.name``, ``map: {"source": "LogicApp" | "IntegrationAccount", "name"}``, or an
inline stylesheet as ``map.content``), ``xsltParameters`` (name -> value, passed as ``xsl:param``) and
``transformOptions`` (comma-separated: ``ApplyXsltOutputAttributes``, ``DisableByteOrderMark``,
``GenerateTextOutput``: the body is the result as a string).

Outputs: ``{"body": <the result>}``, a body with content type ``application/xml``; with
``ApplyXsltOutputAttributes`` the type follows the map's ``xsl:output`` (``method="text"`` ->
``text/plain``, ``html`` -> ``text/html``, or its ``media-type``). Transform XML starts its result with a
byte order mark unless ``DisableByteOrderMark`` is given (the documented default); Data Mapper maps
(``kind: "DataMapper"``) do not. A JSON result (``xsl:output method="json"`` with
``ApplyXsltOutputAttributes``) becomes the JSON value, as the host keeps ``application/json`` content. A Data Mapper map whose input is JSON gets it as XPath 3.1
``json-to-xml()`` XML; one whose result is JSON text (``xml-to-json()``) answers JSON.

Maps are compiled once per file version (see :mod:`.artifacts`); the Saxon processor is made on first use.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from ...expressions.values import blob_from_envelope, to_json_value
from ..errors import ActionFailure
from .builtin import JSON, XML, BuiltIn, artifact_of, content_bytes, one_line, text_body
from .registry import action_type

XSL_NS = "{http://www.w3.org/1999/XSL/Transform}"
_OUTPUT_TYPES = {"text": "text/plain", "html": "text/html", "xhtml": "application/xhtml+xml", "json": JSON}
_JSON_TYPES = (JSON, "text/json")
_SAXON = None


def saxon():
    """The one SaxonC processor of this process (made on first use: it starts a GraalVM isolate)."""
    global _SAXON
    if _SAXON is None:
        from saxonche import PySaxonProcessor

        _SAXON = PySaxonProcessor(license=False)
    return _SAXON


class CompiledMap:
    __slots__ = ("executable", "method", "media_type")

    def __init__(self, executable, method: str, media_type: str | None):
        self.executable = executable
        self.method = method
        self.media_type = media_type

    @property
    def content_type(self) -> str:
        return self.media_type or _OUTPUT_TYPES.get(self.method, XML)


def compile_map(data: bytes, path=None) -> CompiledMap:
    """Compile a stylesheet; a broken one raises ActionFailure(InvalidMap) with Saxon's message."""
    from saxonche import PySaxonApiError

    method, media_type = _output_attributes(data)
    processor = saxon().new_xslt30_processor()
    try:
        text = data.decode("utf-8-sig")
        patched = with_msxsl_node_set(text)
        if path is not None:
            path = path.resolve()
            processor.set_cwd(str(path.parent))  # includes and imports resolve beside the map
        if path is not None and patched is text:
            executable = processor.compile_stylesheet(stylesheet_file=str(path))
        else:
            executable = processor.compile_stylesheet(stylesheet_text=patched)
    except (PySaxonApiError, UnicodeDecodeError) as exc:
        raise ActionFailure("InvalidMap", f"The map could not be compiled: {one_line(exc)}") from None
    executable.set_save_xsl_message(True)  # xsl:message text goes into the error, not to stderr
    return CompiledMap(executable, method, media_type)


_MSXSL_PREFIX = re.compile(r"""xmlns:([\w.-]+)\s*=\s*["']urn:schemas-microsoft-com:xslt["']""")
_XSL_PREFIX = re.compile(r"""xmlns:([\w.-]+)\s*=\s*["']http://www\.w3\.org/1999/XSL/Transform["']""")
_ROOT = re.compile(r"<([\w.-]+):(?:stylesheet|transform)\b[^>]*>")


def with_msxsl_node_set(text: str) -> str:
    """A map that calls ``msxsl:node-set()`` (.NET's extension, common in XSLT 1.0 maps) gets a definition of it:
    in XSLT 2.0 and later a temporary tree already is a node set, so the function returns its argument."""
    msxsl = _MSXSL_PREFIX.search(text)
    if msxsl is None or f"{msxsl.group(1)}:node-set(" not in text:
        return text
    xsl, root = _XSL_PREFIX.search(text), _ROOT.search(text)
    if xsl is None or root is None:
        return text
    x, prefix = xsl.group(1), msxsl.group(1)
    function = (f'<{x}:function name="{prefix}:node-set"><{x}:param name="tree"/>'
                f'<{x}:sequence select="$tree"/></{x}:function>')
    return text[:root.end()] + function + text[root.end():]


def _output_attributes(data: bytes) -> tuple[str, str | None]:
    """``xsl:output`` ``method`` and ``media-type`` (the last declaration wins, as in XSLT)."""
    method, media_type = "xml", None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return method, media_type
    for node in root.findall(f"{XSL_NS}output"):
        method = (node.get("method") or method).split(":")[-1].lower()
        media_type = node.get("media-type") or media_type
    return method, media_type


def _xsl_messages(executable) -> list[str]:
    messages = executable.get_xsl_messages()
    if messages is None:
        return []
    return [one_line(m) for m in messages]


def _options(value) -> set[str]:
    if isinstance(value, list):
        parts = value
    else:
        parts = str(value or "").split(",")
    return {str(p).strip().lower() for p in parts if str(p).strip()}


def _xdm_value(value):
    proc = saxon()
    if isinstance(value, bool):
        return proc.make_boolean_value(value)
    if isinstance(value, int):
        return proc.make_integer_value(value)
    if isinstance(value, float):
        return proc.make_double_value(value)
    if value is None:
        return proc.make_string_value("")
    if isinstance(value, (dict, list)):
        return proc.make_string_value(json.dumps(value))
    return proc.make_string_value(str(value))


def _source_node(step, content, data_mapper: bool):
    """The input document. XML as parsed; for a Data Mapper map, JSON content becomes a document whose string
    value is the JSON text (its maps read it with ``json-to-xml(/)``)."""
    from saxonche import PySaxonApiError

    proc = saxon()
    if data_mapper:
        text = _json_text(content)
        if text is not None:
            return proc.parse_xml(xml_text=f"<json>{escape(text)}</json>")
    text = content_bytes(step, content).decode("utf-8-sig", errors="replace")
    try:
        return proc.parse_xml(xml_text=text)
    except PySaxonApiError as exc:
        raise ActionFailure("InvalidXml", f"The 'content' of action '{step.name}' is not valid XML: "
                            f"{one_line(exc)}") from None


def _json_text(content) -> str | None:
    """JSON content as text: an object or array, a JSON body, or a string holding JSON; None for XML."""
    blob = blob_from_envelope(content) if isinstance(content, dict) else None
    if blob is not None:
        return blob.text() if "json" in blob.content_type.split(";")[0].lower() else None
    if isinstance(content, (dict, list)):
        return json.dumps(to_json_value(content))
    if isinstance(content, str) and content.lstrip()[:1] in ("{", "["):
        return content
    return None


_NOT_JSON = object()


def _json_body(text: str, strict: bool):
    """JSON output read as a value (the host keeps application/json content as JSON); else _NOT_JSON."""
    stripped = text.strip()
    if not strict and stripped[:1] not in ("{", "["):
        return _NOT_JSON
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        return _NOT_JSON


@action_type("Xslt")
class Xslt(BuiltIn):
    artifact = ("map", compile_map)

    @staticmethod
    def run(step, inputs: dict) -> None:
        from saxonche import PySaxonApiError

        data_mapper = str(step.action.kind or "").lower() == "datamapper"
        options = _options(inputs.get("transformOptions"))
        compiled = artifact_of(step, inputs)
        node = _source_node(step, inputs.get("content"), data_mapper)
        executable = compiled.executable
        executable.clear_parameters()
        params = inputs.get("xsltParameters")
        if isinstance(params, dict):
            for name, value in params.items():
                executable.set_parameter(str(name), _xdm_value(value))
        executable.clear_xsl_messages()
        try:
            result = executable.transform_to_string(xdm_node=node)
        except PySaxonApiError as exc:
            said = _xsl_messages(executable)
            raise ActionFailure("XsltTransformFailed", f"The map of action '{step.name}' failed: "
                                f"{one_line(exc)}" + (f" Message: {said[-1]}" if said else "")) from None
        finally:
            executable.clear_parameters()
            executable.clear_xsl_messages()
        result = result or ""
        content_type = compiled.content_type if "applyxsltoutputattributes" in options else XML
        json_out = content_type.split(";")[0].strip().lower() in _JSON_TYPES
        if json_out or (data_mapper and compiled.method in ("text", "json")):
            body = _json_body(result, strict=json_out)
            if body is not _NOT_JSON:
                step.outputs = {"body": body}
                return
            if json_out:
                raise ActionFailure("XsltTransformFailed", f"The map of action '{step.name}' declares JSON output "
                                    "but its result is not JSON.")
        if "generatetextoutput" in options:
            step.outputs = {"body": result}
            return
        bom = not data_mapper and "disablebyteordermark" not in options
        step.outputs = {"body": text_body(("\ufeff" if bom else "") + result, content_type)}
