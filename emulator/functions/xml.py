"""XML and JSON functions: ``xml``, ``json``, ``xpath`` and the XML name/value escapes.

XML values are :class:`Blob` objects with content type ``application/xml;charset=utf-8`` holding the
document text as the host serialises it (``XmlDocument.OuterXml``: ``<root />``, declaration kept).
The conversions themselves live in :mod:`.xmljson`, the document model in :mod:`.xmldom`.
"""

from __future__ import annotations

import codecs
import html
import math
import operator
import re
import xml.etree.ElementTree as ET
from abc import ABCMeta
from copy import copy
from decimal import Decimal

import elementpath
from elementpath import XPath1Parser, XPathContext

from ..expressions.errors import function_error, type_error, usage
from ..expressions.registry import function
from ..expressions.values import XML_CONTENT_TYPE, Blob, blob_from_envelope
from . import xmldom as dom
from .args import single_param_error, want_str
from .xmljson import ConversionError, JsonTextError, json_to_xml, parse_json, xml_to_json


def xml_blob(text: str) -> Blob:
    return Blob(text.encode("utf-8", errors="surrogatepass"), XML_CONTENT_TYPE)


def _as_blob(value) -> Blob | None:
    if isinstance(value, Blob):
        return value
    if isinstance(value, dict) and set(value) == {"$content-type", "$content"}:
        return blob_from_envelope(value)
    return None


def _blob_text(blob: Blob) -> str:
    charset = "utf-8"
    for part in blob.content_type.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip('"')
    try:
        return blob.data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return blob.data.decode("utf-8", errors="replace")


def _load(fn: str, text: str) -> dom.Document:
    try:
        return dom.parse(text)
    except dom.XmlError as exc:
        raise function_error(fn, f"parameter is not valid. The provided value cannot be parsed as XML: "
                                 f"'{exc}'. " + usage(fn)) from None


# --------------------------------------------------------------------------- xml()

@function("xml", min_args=1, category="conversion")
def xml_(value):
    blob = _as_blob(value)
    if blob is not None:
        return Blob(blob.data, XML_CONTENT_TYPE)
    if isinstance(value, str):
        doc = _load("xml", value)
    elif isinstance(value, dict):
        try:
            doc = json_to_xml(value)
        except (ConversionError, dom.XmlError) as exc:
            raise function_error("xml", f"parameter is not valid. The provided value cannot be converted to "
                                        f"XML: '{exc}'. " + usage("xml")) from None
    else:
        raise single_param_error("xml", "a string or an object", value)
    try:
        text = dom.outer_xml(doc)
    except dom.XmlError as exc:
        raise function_error("xml", f"parameter is not valid. The provided value cannot be converted to XML: "
                                    f"'{exc}'. " + usage("xml")) from None
    return xml_blob(text)


# --------------------------------------------------------------------------- json()

def _check_encoding(doc: dom.Document) -> None:
    """The host reads the XML with its declared encoding: unknown names and UTF-16/32 fail."""
    decl = next((c for c in doc.children if isinstance(c, dom.Declaration)), None)
    if decl is None or not decl.encoding:
        return
    try:
        info = codecs.lookup(decl.encoding)
    except LookupError:
        raise ValueError(f"'{decl.encoding}' is not a supported encoding name.") from None
    if not _is_text_codec(info.name) or re.match(r"utf[-_]?(16|32)", info.name):
        raise ValueError(f"System does not support '{decl.encoding}' encoding.")


def _is_text_codec(name: str) -> bool:
    """A codec between str and bytes (not ``base64``, ``rot13``, ``zlib``...): ``str.encode`` refuses the others
    with LookupError ("not a text encoding")."""
    try:
        "".encode(name)
    except LookupError:
        return False
    except UnicodeError:  # a text codec that encodes nothing (``undefined``)
        pass
    return True


@function("json", min_args=1, category="conversion")
def json_(value):
    if value is None:
        return {}
    blob = _as_blob(value)
    if blob is not None:
        text = _blob_text(blob)
        if blob.is_xml:
            doc = _load("json", text)
            try:
                _check_encoding(doc)
            except ValueError as exc:
                raise function_error("json", f"parameter is not valid. The provided XML cannot be converted: "
                                             f"'{exc}'. " + usage("json")) from None
            return xml_to_json(doc)
        value = text
    if not isinstance(value, str):
        raise single_param_error("json", "a string or an XML", value)
    try:
        return parse_json(value)
    except JsonTextError as exc:
        raise function_error("json", f"parameter is not valid. The provided value '{value}' cannot be parsed: "
                                     f"'{exc}'. " + usage("json")) from None


# --------------------------------------------------------------------------- xpath()

_NUMBER = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*")
_COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le,
            ">=": operator.ge}


def _number(value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    m = _NUMBER.fullmatch(str(value))
    return float(m.group(1)) if m else math.nan


def _boolean(value) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    return bool(value)


def _string_of(node) -> str:
    return node.string_value if isinstance(node, elementpath.XPathNode) else str(node)


def _compare_scalars(op, a, b) -> bool:
    if op in (operator.eq, operator.ne):
        if isinstance(a, bool) or isinstance(b, bool):
            return op(_boolean(a), _boolean(b))
        if isinstance(a, (int, float)) or isinstance(b, (int, float)):
            return op(_number(a), _number(b))
        return op(str(a), str(b))
    return op(_number(a), _number(b))


def _compare_evaluate(self, context=None) -> bool:
    """XPath 1.0 comparisons (section 3.4), which elementpath's XPath 1 parser does the XPath 2 way."""
    op = _COMPARE[self.symbol]
    left = self[0].evaluate(copy(context))
    right = self[1].evaluate(copy(context))
    if isinstance(left, list) and isinstance(right, list):
        rights = [_string_of(n) for n in right]
        return any(_compare_scalars(op, _string_of(a), b) for a in left for b in rights)
    if isinstance(left, list) or isinstance(right, list):
        nodes, other = (left, right) if isinstance(left, list) else (right, left)
        if isinstance(other, bool):
            pair = (_boolean(nodes), other) if nodes is left else (other, _boolean(nodes))
            return op(*pair)
        out = False
        for n in nodes:
            value = _string_of(n)
            if isinstance(other, (int, float)):
                value = _number(value)
            pair = (value, other) if nodes is left else (other, value)
            if _compare_scalars(op, *pair):
                out = True
                break
        return out
    return _compare_scalars(op, left, right)


class _XPath1Parser(XPath1Parser):
    """elementpath's XPath 1.0 parser with the XPath 1.0 comparison rules .NET follows."""


for _sym in _COMPARE:
    _base = _XPath1Parser.symbol_table[_sym]
    _XPath1Parser.symbol_table[_sym] = ABCMeta(_base.__name__, (_base,), {"evaluate": _compare_evaluate})


class _EtreeView:
    """The document as an ElementTree for elementpath, remembering which DOM node each element is."""

    def __init__(self, doc: dom.Document):
        self.nodes: dict[int, dom.Element] = {}
        self.namespaces: dict[str, str] = {}
        self.tree = ET.ElementTree(self._build(doc.root))

    def _build(self, elem: dom.Element):
        tag = f"{{{elem.ns}}}{elem.local}" if elem.ns else elem.local
        attrib = {}
        for a in elem.attrs:
            if a.is_namespace_decl:
                self.namespaces.setdefault("" if a.qname == "xmlns" else a.local, a.value)
                continue
            attrib[f"{{{a.ns}}}{a.local}" if a.ns else a.local] = a.value
        if elem.prefix:
            self.namespaces.setdefault(elem.prefix, elem.ns)
        et = ET.Element(tag, attrib)
        self.nodes[id(et)] = elem
        last = None
        for child in dom.merged_children(elem):
            if isinstance(child, str):
                if last is None:
                    et.text = child
                else:
                    last.tail = child
                continue
            if isinstance(child, dom.Element):
                sub = self._build(child)
            elif isinstance(child, dom.Comment):
                sub = ET.Comment(child.value)
            elif isinstance(child, dom.PI):
                sub = ET.PI(child.target, child.data)
            else:
                continue
            et.append(sub)
            last = sub
        return et


def _xpath_item(view: _EtreeView, doc: dom.Document, item):
    if isinstance(item, elementpath.TextNode):
        return item.value
    if isinstance(item, elementpath.ElementNode):
        return xml_blob(dom.navigator_outer_xml(view.nodes[id(item.elem)]))
    if isinstance(item, elementpath.AttributeNode):
        return xml_blob(f"{_attr_qname(view, item)}=\"{item.value}\"")
    if isinstance(item, elementpath.CommentNode):
        return xml_blob(f"<!--{item.string_value}-->")
    if isinstance(item, elementpath.ProcessingInstructionNode):
        return xml_blob(dom.navigator_outer_xml(dom.PI(target=item.name, data=item.value or "")))
    if isinstance(item, elementpath.NamespaceNode):
        return xml_blob(f'xmlns{":" + item.prefix if item.prefix else ""}="{item.uri}"')
    if isinstance(item, elementpath.DocumentNode):
        return xml_blob(dom.navigator_outer_xml(doc))
    return _scalar(item)


def _attr_qname(view: _EtreeView, item) -> str:
    parent = getattr(item, "parent", None)
    owner = view.nodes.get(id(getattr(parent, "elem", None)))
    if owner is not None:
        for a in owner.attrs:
            key = f"{{{a.ns}}}{a.local}" if a.ns else a.local
            if key == item.name and not a.is_namespace_decl:
                return a.qname
    return str(item.name)


def _scalar(value):
    if isinstance(value, bool) or isinstance(value, str) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)  # an XPath number is a double: sum() of 1..5 is 15.0 on the host
    return str(value)


@function("xpath", min_args=2, category="manipulation")
def xpath(value, expression):
    blob = _as_blob(value)
    if blob is not None and blob.is_xml:
        text = _blob_text(blob)
    else:  # a string is not parsed: the host wants xml() first
        raise type_error("xpath", 0, "an XML object", value)
    expression = want_str("xpath", 1, expression)
    doc = _load("xpath", text)
    view = _EtreeView(doc)
    try:
        parser = _XPath1Parser(namespaces=dict(view.namespaces))
        token = parser.parse(expression)
        result = token.evaluate(XPathContext(view.tree, namespaces=dict(view.namespaces)))
    except (elementpath.ElementPathError, KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise function_error("xpath", f"parameters are invalid: the 'xpath' parameter must be a supported, "
                                      f"well-formed XPath expression: '{exc}'. " + usage("xpath")) from None
    if isinstance(result, list):
        return [_xpath_item(view, doc, item) for item in result]
    return _xpath_item(view, doc, result)


# --------------------------------------------------------------------------- names and values

@function("encodeXmlName", min_args=1, category="string")
def encode_xml_name(value):
    return dom.encode_name(want_str("encodeXmlName", 0, value))


@function("decodeXmlName", min_args=1, category="string")
def decode_xml_name(value):
    return dom.decode_name(want_str("decodeXmlName", 0, value))


_XML_VALUE_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


@function("encodeXmlValue", min_args=1, category="string")
def encode_xml_value(value):
    text = want_str("encodeXmlValue", 0, value)
    return "".join(_XML_VALUE_ESCAPES.get(ch, ch) for ch in text)


_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")


@function("decodeXmlValue", min_args=1, category="string")
def decode_xml_value(value):
    text = want_str("decodeXmlValue", 0, value)
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
