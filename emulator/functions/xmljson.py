"""JSON <-> XML conversion as the host does it (Json.NET ``XmlNodeConverter``), and Json.NET's JSON reader.

XML -> JSON (``json(xml)``): attributes become ``@name``, text ``#text``, CDATA ``#cdata-section``, the
declaration ``?xml``, the DOCTYPE ``!DOCTYPE``; children with the same name are grouped into an array
(in order of first appearance); an element with only one text child becomes a string, an empty element
``null`` (``<a/>``) or ``""`` (``<a></a>``). A lone comment disappears; several comments under one parent
leave ``"#comment": []`` (the host writes them as JSON comments and parses the text again).

JSON -> XML (``xml(object)``): the reverse; names are made valid with ``XmlConvert.EncodeName``
(``ro/ot`` -> ``ro_x002F_ot``); ``#comment`` is not special and becomes an element ``_x0023_comment``.
"""

from __future__ import annotations

import math
from decimal import Decimal

from ..expressions.values import format_float
from . import xmldom as dom

JSON_NS = "http://james.newtonking.com/projects/json"


class ConversionError(ValueError):
    """The value cannot be converted."""


# =========================================================================== XML -> JSON

class _Names:
    """``XmlNamespaceManager`` as the converter uses it: prefix lookup by namespace URI."""

    def __init__(self):
        self.scopes: list[list[tuple[str, str]]] = [[("xml", dom.XML_NS), ("xmlns", dom.XMLNS_NS), ("", "")]]

    def push(self) -> None:
        self.scopes.append([])

    def pop(self) -> None:
        self.scopes.pop()

    def add(self, prefix: str, uri: str) -> None:
        self.scopes[-1].append((prefix, uri))

    def lookup_prefix(self, uri: str) -> str | None:
        seen: set[str] = set()
        for scope in reversed(self.scopes):
            for prefix, ns in reversed(scope):
                if prefix in seen:
                    continue
                seen.add(prefix)
                if ns == uri:
                    return prefix
        return None


def _full_name(node, names: _Names) -> str:
    local = dom.decode_name(node.local)
    if isinstance(node, dom.Attr) and node.qname == "xmlns":
        return local
    prefix = names.lookup_prefix(node.ns) if node.ns is not None else None
    return f"{prefix}:{local}" if prefix else local


def _property_name(node, names: _Names) -> str:
    if isinstance(node, dom.Attr):
        if node.ns == JSON_NS:
            return "$" + node.local
        return "@" + _full_name(node, names)
    if isinstance(node, dom.CData):
        return "#cdata-section"
    if isinstance(node, dom.Comment):
        return "#comment"
    if isinstance(node, dom.Element):
        if node.ns == JSON_NS:
            return "$" + node.local
        return _full_name(node, names)
    if isinstance(node, dom.PI):
        return "?" + node.target
    if isinstance(node, dom.DocType):
        return "!DOCTYPE"
    if isinstance(node, dom.Declaration):
        return "?xml"
    if isinstance(node, dom.Whitespace):
        return "#significant-whitespace" if node.significant else "#whitespace"
    return "#text"


def _is_array(node) -> bool:
    return isinstance(node, dom.Element) and any(
        a.ns == JSON_NS and a.local == "Array" and a.value.strip().lower() == "true" for a in node.attrs)


def _skipped_attr(attr: dom.Attr) -> bool:
    return (attr.ns == dom.XMLNS_NS and attr.value == JSON_NS) or (attr.ns == JSON_NS and attr.local == "Array")


_DROP = object()  # a value that vanishes (a comment written where a property was expected)


class _Obj:
    """An object under construction: keys in first-write order, a repeated key overwrites (Json.NET)."""

    def __init__(self):
        self.data: dict = {}

    def put(self, key: str, value) -> None:
        if value is not _DROP:
            self.data[key] = value


def xml_to_json(doc: dom.Document) -> dict:
    """``JsonConvert.SerializeXmlNode(doc)`` read back as a JSON value."""
    names = _Names()
    obj = _Obj()
    _grouped(doc, names, obj)
    return obj.data


def _grouped(node, names: _Names, obj: _Obj) -> None:
    """``SerializeGroupedNodes`` writing properties into ``obj``."""
    groups: dict[str, list] = {}
    for child in node.children:
        groups.setdefault(_property_name(child, names), []).append(child)
    for name, nodes in groups.items():
        if len(nodes) == 1 and not _is_array(nodes[0]):
            if isinstance(nodes[0], dom.Element):
                # the element's own namespace declarations are in scope when its name is written
                name, value = _element(nodes[0], names)
            else:
                value = _value(nodes[0], names)
            obj.put(name, value)
        else:
            obj.put(name, [v for v in (_value(n, names) for n in nodes) if v is not _DROP])


def _value(node, names: _Names):
    """``SerializeNode``: the JSON value written for one node."""
    if isinstance(node, dom.Comment):
        return _DROP
    if isinstance(node, dom.Declaration):
        out = {"@version": node.version} if node.version else {}
        if node.encoding:
            out["@encoding"] = node.encoding
        if node.standalone:
            out["@standalone"] = node.standalone
        return out
    if isinstance(node, dom.DocType):
        out = {}
        for key, val in (("@name", node.name), ("@public", node.public), ("@system", node.system),
                         ("@internalSubset", node.subset)):
            if val:
                out[key] = val
        return out
    if isinstance(node, dom.PI):
        return node.data
    if isinstance(node, (dom.Text, dom.CData, dom.Whitespace)):
        return node.value
    if isinstance(node, dom.Attr):
        return node.value
    return _element(node, names)[1]


def _element(elem: dom.Element, names: _Names) -> tuple[str, object]:
    """The property name (resolved with the element's own declarations) and the value of an element."""
    if _is_array(elem) and elem.children and len({_property_name(c, names) for c in elem.children}) == 1:
        # an array element whose children share one name: the children themselves
        obj = _Obj()
        _grouped(elem, names, obj)
        return _property_name(elem, names), next(iter(obj.data.values()), None)
    names.push()
    try:
        for attr in elem.attrs:
            if attr.ns == dom.XMLNS_NS:
                prefix = "" if attr.qname == "xmlns" else dom.decode_name(attr.local)
                names.add(prefix, attr.value)
        name = _property_name(elem, names)
        value_attrs = [a for a in elem.attrs if not _skipped_attr(a)]
        if not value_attrs and len(elem.children) == 1 and isinstance(elem.children[0], dom.Text):
            return name, elem.children[0].value
        if not elem.children and not elem.attrs:
            return name, None if elem.empty else ""
        obj = _Obj()
        for attr in elem.attrs:
            if not _skipped_attr(attr):
                obj.put(_property_name(attr, names), attr.value)
        _grouped(elem, names, obj)
        return name, obj.data
    finally:
        names.pop()


# =========================================================================== JSON -> XML

class _NsManager:
    def __init__(self):
        self.scopes: list[dict[str, str]] = [{"xml": dom.XML_NS, "xmlns": dom.XMLNS_NS}]

    def push(self) -> None:
        self.scopes.append({})

    def pop(self) -> None:
        self.scopes.pop()

    def add(self, prefix: str, uri: str) -> None:
        self.scopes[-1][prefix] = uri

    def remove_default(self) -> None:
        self.scopes[-1].pop("", None)

    def lookup(self, prefix: str) -> str | None:
        for scope in reversed(self.scopes):
            if prefix in scope:
                return scope[prefix]
        return None

    @property
    def default(self) -> str:
        return self.lookup("") or ""


def to_xml_value(value) -> str | None:
    """``ConvertTokenToXmlValue``: the text a JSON scalar becomes."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return format_float(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return value
    token = "StartArray" if isinstance(value, list) else "StartObject"
    raise ConversionError(f"Cannot get an XML string value from token type '{token}'.")


def _prefix_of(name: str) -> str | None:
    return name.split(":", 1)[0] if ":" in name else None


def json_to_xml(value) -> dom.Document:
    """``JsonConvert.DeserializeXmlNode(json)``: a JSON object with one root property as an XML document."""
    if not isinstance(value, dict):
        raise ConversionError("XmlNodeConverter can only convert JSON that begins with an object.")
    doc = dom.Document()
    _Deserializer(doc).node(list(value.items()), doc)
    return doc


class _Deserializer:
    def __init__(self, doc: dom.Document):
        self.doc = doc
        self.ns = _NsManager()

    def node(self, items: list, parent) -> None:
        for name, value in items:
            if parent is self.doc and self.doc.root is not None:
                raise ConversionError(
                    "JSON root object has multiple properties. The root object must have a single property in "
                    "order to create a valid XML document. Consider specifying a DeserializeRootElementName.")
            if isinstance(value, list):
                for item in value:
                    self.value(name, item, parent)
            else:
                self.value(name, value, parent)

    def value(self, name: str, value, parent) -> None:
        if name == "#text":
            dom.append_child(parent, dom.Text(value=to_xml_value(value) or ""))
        elif name == "#cdata-section":
            dom.append_child(parent, dom.CData(value=to_xml_value(value) or ""))
        elif name in ("#whitespace", "#significant-whitespace"):
            dom.append_child(parent, dom.Whitespace(value=to_xml_value(value) or "",
                                                    significant=name != "#whitespace"))
        elif name.startswith("?"):
            self.instruction(name, value, parent)
        elif name.lower() == "!doctype":
            self.doctype(value, parent)
        elif isinstance(value, list):
            nested = self.create_element(name, _prefix_of(name))
            dom.append_child(parent, nested)
            for item in value:
                self.value(name, item, nested)
        else:
            self.element(name, value, parent)

    def instruction(self, name: str, value, parent) -> None:
        if name == "?xml":
            if not isinstance(value, dict):
                raise ConversionError("Unexpected value encountered while deserializing XmlDeclaration.")
            fields = {"@version": None, "@encoding": None, "@standalone": None}
            for key, val in value.items():
                if key not in fields:
                    raise ConversionError(
                        f"Unexpected property name encountered while deserializing XmlDeclaration: {key}")
                fields[key] = to_xml_value(val)
            if fields["@version"] != "1.0":
                raise ConversionError("Version number should be 1.0.")
            if fields["@standalone"] not in (None, "", "yes", "no"):
                raise ConversionError("Invalid value for 'standalone' in the XML declaration.")
            dom.append_child(parent, dom.Declaration(version="1.0", encoding=fields["@encoding"] or None,
                                                     standalone=fields["@standalone"] or None))
            return
        target = name[1:]
        dom.check_name(target)
        dom.append_child(parent, dom.PI(target=target, data=to_xml_value(value) or ""))

    def doctype(self, value, parent) -> None:
        if not isinstance(value, dict):
            raise ConversionError("Unexpected value encountered while deserializing DocumentType.")
        fields = {"@name": None, "@public": None, "@system": None, "@internalSubset": None}
        for key, val in value.items():
            if key not in fields:
                raise ConversionError(
                    f"Unexpected property name encountered while deserializing XmlDeclaration: {key}")
            fields[key] = to_xml_value(val)
        dom.check_name(fields["@name"] or "")
        dom.append_child(parent, dom.DocType(name=fields["@name"], public=fields["@public"],
                                             system=fields["@system"], subset=fields["@internalSubset"]))

    def element(self, name: str, value, parent) -> None:
        if not name:
            raise ConversionError("XmlNodeConverter cannot convert JSON with an empty property name to XML.")
        attrs: list[tuple[str, str | None]] = []
        rest: list = []
        if isinstance(value, dict):
            items = list(value.items())
            i = 0
            while i < len(items) and items[i][0].startswith("@") and items[i][0] != "@":
                attr_name = items[i][0][1:]
                attr_value = to_xml_value(items[i][1])
                attrs.append((attr_name, attr_value))
                if attr_name == "xmlns":
                    self.ns.add("", attr_value or "")
                elif attr_name.startswith("xmlns:"):
                    self.ns.add(attr_name[6:], attr_value or "")
                i += 1
            rest = items[i:]
        if name.startswith("@"):
            if parent is self.doc:
                raise ConversionError(
                    f"JSON root object has property '{name}' that will be converted to an attribute. A root "
                    f"object cannot have any attribute properties. Consider specifying a "
                    f"DeserializeRootElementName.")
            if isinstance(value, dict):
                raise ConversionError("Cannot get an XML string value from token type 'StartObject'.")
            self.add_attr(parent, name[1:], to_xml_value(value))
            return
        elem = self.create_element(name, _prefix_of(name))
        dom.append_child(parent, elem)
        for attr_name, attr_value in attrs:
            self.add_attr(elem, attr_name, attr_value)
        if isinstance(value, dict):
            if rest:
                self.ns.push()
                self.node(rest, elem)
                self.ns.pop()
            self.ns.remove_default()
        elif value is not None:
            text = to_xml_value(value)
            if text is not None:
                elem.append(dom.Text(value=text))

    def create_element(self, name: str, prefix: str | None) -> dom.Element:
        qname = dom.encode_name(name)
        dom.check_name(qname)
        ns = self.ns.default if not prefix else self.ns.lookup(prefix)
        if prefix and not ns and ":" in qname:
            qname = qname.split(":", 1)[1]  # XmlDocument drops an undeclared prefix: {"ro:ot": 1} -> <ot>
        return dom.Element(qname=qname, ns=ns or "")

    def add_attr(self, elem: dom.Element, name: str, value: str | None) -> None:
        qname = dom.encode_name(name)
        dom.check_name(qname)
        prefix = _prefix_of(name)
        if qname == "xmlns":
            ns = dom.XMLNS_NS
        else:
            ns = (self.ns.lookup(prefix) or "") if prefix else ""
        elem.set_attr(dom.Attr(qname=qname, ns=ns, value=value or ""))


# =========================================================================== Json.NET reader

class JsonTextError(ValueError):
    """The text is not JSON (message in Json.NET's words where it matters)."""


_WS = " \t\r\n\f\v\u00a0\ufeff"


class JsonReader:
    """Json.NET's lenient reader (``JToken.Parse``): comments, single quotes, unquoted names, NaN/Infinity,
    trailing commas; integers of any size stay integers; a repeated property name keeps the last value at the
    last position (the host reads through ``JTokenWriter``, which removes the earlier property).
    """

    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.line = 1

    def fail(self, message: str):
        raise JsonTextError(f"{message} Path '', line {self.line}, position {self.i}.")

    def parse(self):
        self.skip()
        if self.i >= len(self.s):
            self.fail("Error reading JToken from JsonReader.")
        value = self.value()
        self.skip()
        if self.i < len(self.s):
            self.fail("Additional text encountered after finished reading JSON content: "
                      f"{self.s[self.i]}.")
        return value

    def skip(self) -> None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in _WS:
                if c == "\n":
                    self.line += 1
                self.i += 1
            elif s.startswith("//", self.i):
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end < 0:
                    self.fail("Unexpected end while parsing comment.")
                self.i = end + 2
            else:
                return

    def value(self):
        s = self.s
        if self.i >= len(s):
            self.fail("Unexpected end of content while loading JObject.")
        c = s[self.i]
        if c == "{":
            return self.obj()
        if c == "[":
            return self.arr()
        if c in "\"'":
            return self.string()
        if c == "-" or c.isdigit() or c == ".":
            if s.startswith("-Infinity", self.i):
                self.i += 9
                return float("-inf")
            return self.number()
        for word, val in (("true", True), ("false", False), ("null", None), ("undefined", None),
                          ("NaN", float("nan")), ("Infinity", float("inf"))):
            if s.startswith(word, self.i):
                end = self.i + len(word)
                if end < len(s) and (s[end].isalnum() or s[end] == "_"):
                    break
                self.i = end
                return val
        self.fail(f"Unexpected character encountered while parsing value: {c}.")

    def obj(self) -> dict:
        self.i += 1
        out: dict = {}
        while True:
            self.skip()
            if self.i >= len(self.s):
                self.fail("Unexpected end of content while loading JObject.")
            if self.s[self.i] == "}":
                self.i += 1
                return out
            key = self.name()
            self.skip()
            if self.i >= len(self.s) or self.s[self.i] != ":":
                self.fail(f"Invalid character after parsing property name. Expected ':' but got: "
                          f"{self.s[self.i] if self.i < len(self.s) else 'end'}.")
            self.i += 1
            self.skip()
            value = self.value()
            out.pop(key, None)  # JTokenWriter: a repeated name is removed, the last one is appended
            out[key] = value
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
            elif self.i < len(self.s) and self.s[self.i] == "}":
                continue
            else:
                self.fail("After parsing a value an unexpected character was encountered: "
                          f"{self.s[self.i] if self.i < len(self.s) else 'end'}.")

    def name(self) -> str:
        c = self.s[self.i]
        if c in "\"'":
            return self.string()
        start = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in "_$"):
            self.i += 1
        if start == self.i:
            self.fail(f"Invalid property identifier character: {c}.")
        return self.s[start:self.i]

    def arr(self) -> list:
        self.i += 1
        out: list = []
        while True:
            self.skip()
            if self.i >= len(self.s):
                self.fail("Unexpected end of content while loading JArray.")
            if self.s[self.i] == "]":
                self.i += 1
                return out
            out.append(self.value())
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
            elif self.i < len(self.s) and self.s[self.i] == "]":
                continue
            else:
                self.fail("After parsing a value an unexpected character was encountered: "
                          f"{self.s[self.i] if self.i < len(self.s) else 'end'}.")

    _ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t"}

    def string(self) -> str:
        quote = self.s[self.i]
        self.i += 1
        out: list[str] = []
        s = self.s
        while True:
            if self.i >= len(s):
                self.fail("Unterminated string. Expected delimiter: " + quote + ".")
            c = s[self.i]
            if c == quote:
                self.i += 1
                return "".join(out)
            if c == "\\":
                if self.i + 1 >= len(s):
                    self.fail("Unterminated string. Expected delimiter: " + quote + ".")
                e = s[self.i + 1]
                if e == "u":
                    hexdigits = s[self.i + 2:self.i + 6]
                    if len(hexdigits) < 4 or any(h not in "0123456789abcdefABCDEF" for h in hexdigits):
                        self.fail(f"Invalid Unicode escape sequence: \\u{hexdigits}.")
                    out.append(chr(int(hexdigits, 16)))
                    self.i += 6
                    continue
                if e not in self._ESCAPES:
                    self.fail(f"Bad JSON escape sequence: \\{e}.")
                out.append(self._ESCAPES[e])
                self.i += 2
                continue
            out.append(c)
            self.i += 1

    def number(self):
        s = self.s
        start = self.i
        while self.i < len(s) and (s[self.i].isalnum() or s[self.i] in "+-."):
            self.i += 1
        text = s[start:self.i]
        body = text.lstrip("-")
        try:
            if body.lower().startswith("0x"):
                return int(text.replace("0x", "").replace("0X", ""), 16) * 1
            if all(ch.isdigit() for ch in body) and body:
                return int(text)
            if body and body[0] in "0123456789." and not body.lower().endswith("e"):
                return float(text)
        except ValueError:
            pass
        self.i = start
        self.fail(f"Input string '{text}' is not a valid number.")


def _fix_surrogates(value):
    """JSON ``\\uD83D\\uDE00`` pairs read one unit at a time: join them into one character."""
    if isinstance(value, str):
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [_fix_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_fix_surrogates(k): _fix_surrogates(v) for k, v in value.items()}
    return value


def parse_json(text: str):
    """``JToken.Parse`` of a workflow string."""
    return _fix_surrogates(JsonReader(text).parse())
