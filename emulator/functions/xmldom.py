"""A small XML document model shaped like .NET's ``XmlDocument`` (what the host uses for XML values).

It keeps what the host's conversions look at: the declaration text, the DOCTYPE, comments, CDATA sections
apart from text, whether an element was written ``<a/>`` or ``<a></a>``, attribute order and prefixes.
Whitespace-only text is dropped as ``XmlDocument.LoadXml`` does (``PreserveWhitespace`` off) unless
``xml:space="preserve"`` is in scope.

Two writers: :func:`outer_xml` is ``XmlNode.OuterXml`` (no formatting, ``<a />``); :func:`navigator_outer_xml`
is ``XPathNavigator.OuterXml`` (what ``xpath()`` returns for a node: indented, CDATA written as text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

XML_NS = "http://www.w3.org/XML/1998/namespace"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
XML_WS = " \t\r\n"


class XmlError(ValueError):
    """Not well-formed XML, or a document the host's writer refuses to produce."""


# --------------------------------------------------------------------------- nodes

@dataclass(eq=False)
class Node:
    parent: Node | None = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class Document(Node):
    children: list = field(default_factory=list)

    @property
    def root(self) -> Element | None:
        return next((c for c in self.children if isinstance(c, Element)), None)


@dataclass(eq=False)
class Declaration(Node):
    version: str = "1.0"
    encoding: str | None = None
    standalone: str | None = None


@dataclass(eq=False)
class DocType(Node):
    name: str = ""
    public: str | None = None
    system: str | None = None
    subset: str | None = None


@dataclass(eq=False)
class Attr(Node):
    qname: str = ""
    ns: str = ""
    value: str = ""

    @property
    def prefix(self) -> str:
        return self.qname.split(":", 1)[0] if ":" in self.qname else ""

    @property
    def local(self) -> str:
        return self.qname.split(":", 1)[1] if ":" in self.qname else self.qname

    @property
    def is_namespace_decl(self) -> bool:
        return self.ns == XMLNS_NS


@dataclass(eq=False)
class Element(Node):
    qname: str = ""
    ns: str = ""
    attrs: list = field(default_factory=list)
    children: list = field(default_factory=list)
    empty: bool = True  # written as <a/> (XmlElement.IsEmpty when it has no children)

    @property
    def prefix(self) -> str:
        return self.qname.split(":", 1)[0] if ":" in self.qname else ""

    @property
    def local(self) -> str:
        return self.qname.split(":", 1)[1] if ":" in self.qname else self.qname

    def append(self, node: Node) -> Node:
        node.parent = self
        self.children.append(node)
        self.empty = False
        return node

    def set_attr(self, attr: Attr) -> None:
        attr.parent = self
        for i, old in enumerate(self.attrs):
            if old.qname == attr.qname:
                self.attrs[i] = attr
                return
        self.attrs.append(attr)


@dataclass(eq=False)
class Text(Node):
    value: str = ""


@dataclass(eq=False)
class CData(Node):
    value: str = ""


@dataclass(eq=False)
class Whitespace(Node):
    value: str = ""
    significant: bool = True


@dataclass(eq=False)
class Comment(Node):
    value: str = ""


@dataclass(eq=False)
class PI(Node):
    target: str = ""
    data: str = ""


TEXTUAL = (Text, CData, Whitespace)


def append_child(parent, node: Node) -> Node:
    """Append with the checks ``XmlDocument`` makes on document-level children."""
    if isinstance(parent, Element):
        return parent.append(node)
    if isinstance(node, (Text, CData)) or (isinstance(node, Whitespace) and node.significant):
        raise XmlError("The specified node cannot be inserted as the valid child of this node, "
                       "because the specified node is the wrong type.")
    if isinstance(node, Element) and parent.root is not None:
        raise XmlError("This document already has a 'DocumentElement' node.")
    if isinstance(node, Declaration) and parent.children:
        raise XmlError("Cannot insert the node in the specified location.")
    if isinstance(node, DocType) and (parent.root is not None
                                      or any(isinstance(c, DocType) for c in parent.children)):
        raise XmlError("Cannot insert the node in the specified location.")
    node.parent = parent
    parent.children.append(node)
    return node


# --------------------------------------------------------------------------- names (XmlConvert)

_START_RANGES = [
    (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D),
    (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF),
    (0xF900, 0xFDCF), (0xFDF0, 0xFFFD),  # .NET: characters outside the BMP are not name characters
]
_NAME_EXTRA = [(0x2D, 0x2E), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040)]


def _in(cp: int, ranges) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def is_ncname_start(ch: str) -> bool:
    return _in(ord(ch), _START_RANGES)


def is_ncname_char(ch: str) -> bool:
    cp = ord(ch)
    return _in(cp, _START_RANGES) or _in(cp, _NAME_EXTRA)


_ESCAPE_LIKE = re.compile(r"_[xX](?:[0-9a-fA-F]{4}|[0-9a-fA-F]{8})_")


def encode_name(name: str, local: bool = False) -> str:
    """``XmlConvert.EncodeName`` (``local=True``: ``EncodeLocalName``, which also escapes ``:``)."""
    if not name:
        return name
    out = []
    for i, ch in enumerate(name):
        if ch == "_" and _ESCAPE_LIKE.match(name, i):
            out.append("_x005F_")
            continue
        ok = is_ncname_start(ch) if i == 0 else is_ncname_char(ch)
        if ch == ":" and not local and i > 0:
            ok = True
        if ok:
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append(f"_x{ord(ch):08X}_")
        else:
            out.append(f"_x{ord(ch):04X}_")
    return "".join(out)


_DECODE = re.compile(r"_[xX]([0-9a-fA-F]{8}|[0-9a-fA-F]{4})_")


def decode_name(name: str) -> str:
    """``XmlConvert.DecodeName``: ``_xHHHH_`` / ``_xHHHHHHHH_`` back to characters."""
    if not name or "_" not in name:
        return name

    def sub(m: re.Match) -> str:
        cp = int(m.group(1), 16)
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF and len(m.group(1)) == 8:
            return m.group(0)
        return chr(cp)

    return _DECODE.sub(sub, name)


def check_name(qname: str) -> None:
    """``XmlDocument.CreateElement`` refuses names that are not XML names."""
    if not qname:
        raise XmlError("The empty string '' is not a valid name.")
    parts = qname.split(":")
    if len(parts) > 2 or any(not p for p in parts):
        raise XmlError(f"The '{qname}' name is not a valid XML name.")
    for part in parts:
        if not is_ncname_start(part[0]):
            raise XmlError(f"Name cannot begin with the '{part[0]}' character, hexadecimal value "
                           f"0x{ord(part[0]):02X}.")
        for ch in part[1:]:
            if not is_ncname_char(ch):
                raise XmlError(f"The '{ch}' character, hexadecimal value 0x{ord(ch):02X}, cannot be "
                               f"included in a name.")


# --------------------------------------------------------------------------- parsing

def _start_tag_is_empty(data: bytes, start: int) -> bool:
    """Whether the start tag at ``data[start]`` ends with ``/>`` (attribute values are quoted)."""
    quote = None
    i = start + 1
    n = len(data)
    while i < n:
        c = data[i]
        if quote is not None:
            if c == quote:
                quote = None
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:  # '>'
            return data[i - 1] == 0x2F
        i += 1
    return False


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.data = text.encode("utf-8", errors="surrogatepass")
        self.doc = Document()
        self.stack: list = [self.doc]
        self.scopes: list[dict] = [{"xml": XML_NS, "xmlns": XMLNS_NS, "": ""}]
        self.space_preserve: list[bool] = [False]
        self.pending: list[str] = []
        self.in_cdata = False
        self.cdata: list[str] = []
        self.doctype_start = 0
        p = expat.ParserCreate()
        p.ordered_attributes = True
        p.buffer_text = True
        p.XmlDeclHandler = self.xml_decl
        p.StartDoctypeDeclHandler = self.start_doctype
        p.EndDoctypeDeclHandler = self.end_doctype
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars
        p.CommentHandler = self.comment
        p.ProcessingInstructionHandler = self.pi
        p.StartCdataSectionHandler = self.start_cdata
        p.EndCdataSectionHandler = self.end_cdata
        self.parser = p

    def error(self, message: str) -> XmlError:
        p = self.parser
        return XmlError(f"{message} Line {p.CurrentLineNumber}, position {p.CurrentColumnNumber + 1}.")

    def run(self) -> Document:
        try:
            self.parser.Parse(self.text, True)
        except expat.ExpatError as exc:
            raise XmlError(f"{self.reader_message(exc.code)}. Line {exc.lineno}, position "
                           f"{exc.offset + 1}.") from None
        except UnicodeEncodeError as exc:  # a lone surrogate cannot be XML text
            raise XmlError(f"'{exc.object[exc.start]!a}', hexadecimal value 0x{ord(exc.object[exc.start]):X}, "
                           "is an invalid character.") from None
        return self.doc

    def reader_message(self, code: int) -> str:
        """The ``XmlTextReader`` wording for the expat errors the host's messages show."""
        name = expat.ErrorString(code)
        if self.doc.root is None:
            if name == expat.errors.XML_ERROR_NO_ELEMENTS:
                return "Root element is missing"
            if name in (expat.errors.XML_ERROR_SYNTAX, expat.errors.XML_ERROR_INVALID_TOKEN,
                        expat.errors.XML_ERROR_UNCLOSED_TOKEN):
                return "Data at the root level is invalid"
        if name == expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT:
            return "There are multiple root elements"
        return name.capitalize()

    @property
    def top(self):
        return self.stack[-1]

    def add(self, node: Node) -> None:
        append_child(self.top, node)

    def flush(self) -> None:
        if not self.pending:
            return
        value = "".join(self.pending)
        self.pending = []
        if value.strip(XML_WS) == "":
            if self.space_preserve[-1] and isinstance(self.top, Element):
                self.add(Whitespace(value=value, significant=True))
            return
        self.add(Text(value=value))

    def xml_decl(self, version, encoding, standalone) -> None:
        sa = None if standalone == -1 else ("yes" if standalone == 1 else "no")
        if version != "1.0":  # XmlTextReader knows XML 1.0 only (host: version="1.1" is an error)
            raise self.error(f"Version number '{version}' is invalid.")
        self.add(Declaration(version=version or "1.0", encoding=encoding, standalone=sa))

    def start_doctype(self, name, system_id, public_id, has_subset) -> None:
        self.flush()
        self.doctype_start = self.parser.CurrentByteIndex
        self.doctype = DocType(name=name, public=public_id, system=system_id,
                               subset="" if has_subset else None)

    def end_doctype(self) -> None:
        dt = self.doctype
        if dt.subset is not None:
            end = self.parser.CurrentByteIndex
            opening = self.data.find(b"[", self.doctype_start, end + 1)
            closing = self.data.rfind(b"]", opening, end + 1)
            if 0 <= opening < closing:
                subset = self.data[opening + 1:closing].decode("utf-8", errors="surrogatepass")
                dt.subset = re.sub(r"\r(?!\n)", "\n", subset)  # host: a lone CR becomes LF, CRLF stays
        self.add(dt)

    def start(self, name, attrs) -> None:
        self.flush()
        scope = dict(self.scopes[-1])
        preserve = self.space_preserve[-1]
        pairs = list(zip(attrs[0::2], attrs[1::2]))
        for qname, value in pairs:
            if qname == "xmlns":
                scope[""] = value
            elif qname.startswith("xmlns:"):
                if not value:
                    raise self.error(f"Invalid namespace declaration '{qname}'.")
                scope[qname[6:]] = value
            elif qname == "xml:space":
                preserve = value == "preserve"
        elem = Element(qname=name, ns=self.resolve(name, scope, element=True),
                       empty=_start_tag_is_empty(self.data, self.parser.CurrentByteIndex))
        for qname, value in pairs:
            if qname == "xmlns" or qname.startswith("xmlns:"):
                ns = XMLNS_NS
            else:
                ns = self.resolve(qname, scope, element=False)
            attr = Attr(qname=qname, ns=ns, value=value)
            attr.parent = elem
            elem.attrs.append(attr)
        self.add(elem)
        elem.empty = elem.empty and not elem.children
        self.stack.append(elem)
        self.scopes.append(scope)
        self.space_preserve.append(preserve)

    def resolve(self, qname: str, scope: dict, element: bool) -> str:
        if ":" not in qname:
            return scope.get("", "") if element else ""
        prefix = qname.split(":", 1)[0]
        if prefix not in scope or (prefix == "xmlns"):
            raise self.error(f"'{prefix}' is an undeclared prefix.")
        return scope[prefix]

    def end(self, name) -> None:
        self.flush()
        elem = self.stack.pop()
        self.scopes.pop()
        self.space_preserve.pop()
        if elem.children:
            elem.empty = False

    def chars(self, data) -> None:
        if self.in_cdata:
            self.cdata.append(data)
        else:
            self.pending.append(data)

    def comment(self, data) -> None:
        self.flush()
        self.add(Comment(value=data))

    def pi(self, target, data) -> None:
        self.flush()
        self.add(PI(target=target, data=data))

    def start_cdata(self) -> None:
        self.flush()
        self.in_cdata = True
        self.cdata = []

    def end_cdata(self) -> None:
        self.in_cdata = False
        self.add(CData(value="".join(self.cdata)))


def parse(text: str) -> Document:
    """``XmlDocument.LoadXml``: well-formedness, namespaces, whitespace dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    doc = _Builder(text).run()
    if doc.root is None:
        raise XmlError("Root element is missing.")
    return doc


# --------------------------------------------------------------------------- writing (shared)

def escape_text(value: str, newline: str | None = None) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if newline is not None:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)
    return value


def escape_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#xA;").replace("\r", "&#xD;"))


def _check_cdata(value: str) -> None:
    if "]]>" in value:
        raise XmlError("Cannot have ']]>' inside an XML CDATA block.")


def _check_comment(value: str) -> None:
    if "--" in value or value.endswith("-"):
        raise XmlError("An XML comment cannot contain '--', and '-' cannot be the last character.")


def _declaration_text(node: Declaration) -> str:
    parts = [f'version="{node.version}"']
    if node.encoding:
        parts.append(f'encoding="{node.encoding}"')
    if node.standalone:
        parts.append(f'standalone="{node.standalone}"')
    return f"<?xml {' '.join(parts)}?>"


def _doctype_text(node: DocType) -> str:
    out = f"<!DOCTYPE {node.name}"
    if node.public is not None:
        out += f' PUBLIC "{node.public}" "{node.system or ""}"'
    elif node.system is not None:
        out += f' SYSTEM "{node.system}"'
    if node.subset is not None:
        out += f"[{node.subset}]"
    return out + ">"


def _pi_text(node: PI) -> str:
    return f"<?{node.target} {node.data}?>" if node.data else f"<?{node.target}?>"


def _start_tag(elem: Element, scope: dict, attrs_first_then_local_ns: bool) -> tuple[str, dict]:
    """The start tag (without the closing ``>``) and the namespace scope inside the element.

    Namespace declarations the names need but that are not in scope are added, as .NET's writers do.
    """
    scope = dict(scope)
    plain = [a for a in elem.attrs if not a.is_namespace_decl]
    decls = [a for a in elem.attrs if a.is_namespace_decl]
    for a in decls:
        scope["" if a.qname == "xmlns" else a.local] = a.value
    needed: list[tuple[str, str]] = []

    def need(prefix: str, ns: str) -> None:
        if prefix in ("xml", "xmlns"):
            return
        if prefix and not ns:
            raise XmlError("Cannot use a prefix with an empty namespace.")
        if scope.get(prefix, "") != ns:
            scope[prefix] = ns
            needed.append((prefix, ns))

    need(elem.prefix, elem.ns)
    for a in plain:
        if a.prefix:
            need(a.prefix, a.ns)
    ordered = plain + decls if attrs_first_then_local_ns else list(elem.attrs)
    parts = [f"<{elem.qname}"]
    for a in ordered:
        parts.append(f' {a.qname}="{escape_attr(a.value)}"')
    for prefix, ns in reversed(needed):
        parts.append(f' xmlns{":" + prefix if prefix else ""}="{escape_attr(ns)}"')
    return "".join(parts), scope


# --------------------------------------------------------------------------- XmlNode.OuterXml

def outer_xml(node, scope: dict | None = None) -> str:
    """``XmlNode.OuterXml`` (``XmlDocument`` writer, no formatting)."""
    out: list[str] = []
    _write_dom(node, dict(scope or {"": ""}), out)
    return "".join(out)


def _write_dom(node, scope: dict, out: list) -> None:
    if isinstance(node, Document):
        for child in node.children:
            _write_dom(child, scope, out)
    elif isinstance(node, Element):
        tag, inner = _start_tag(node, scope, attrs_first_then_local_ns=False)
        out.append(tag)
        if not node.children:
            out.append(" />" if node.empty else f"></{node.qname}>")
            return
        out.append(">")
        for child in node.children:
            _write_dom(child, inner, out)
        out.append(f"</{node.qname}>")
    elif isinstance(node, Text):
        out.append(escape_text(node.value))
    elif isinstance(node, Whitespace):
        if node.value.strip(XML_WS):
            raise XmlError("Only white space characters should be used.")
        out.append(node.value)
    elif isinstance(node, CData):
        _check_cdata(node.value)
        out.append(f"<![CDATA[{node.value}]]>")
    elif isinstance(node, Comment):
        _check_comment(node.value)
        out.append(f"<!--{node.value}-->")
    elif isinstance(node, PI):
        out.append(_pi_text(node))
    elif isinstance(node, Declaration):
        out.append(_declaration_text(node))
    elif isinstance(node, DocType):
        out.append(_doctype_text(node))
    elif isinstance(node, Attr):
        out.append(f'{node.qname}="{escape_attr(node.value)}"')


# --------------------------------------------------------------------------- XPathNavigator.OuterXml

NEWLINE = "\r\n"  # the host runs on Windows: XmlWriterSettings.NewLineChars
INDENT = "  "


def navigator_outer_xml(node) -> str:
    """``XPathNavigator.OuterXml``: an indenting ``XmlWriter`` (``Indent=true``), no declaration.

    Over an ``XmlDocument`` the navigator merges adjacent text and CDATA into one text node, skips
    declarations and DOCTYPEs, and writes namespace declarations after the other attributes.
    """
    if isinstance(node, Attr):
        return f'{node.qname}="{node.value}"'
    writer = _IndentWriter()
    writer.node(node, {"": ""})
    return "".join(writer.out)


class _IndentWriter:
    def __init__(self):
        self.out: list[str] = []
        self.level = 0
        self.mixed = False
        self.mixed_stack: list[bool] = []
        self.pos = 0          # characters written
        self.text_pos = 0     # position right after the last text written

    def write(self, s: str) -> None:
        self.out.append(s)
        self.pos += len(s)

    def indent(self) -> None:
        self.write(NEWLINE + INDENT * self.level)

    def text(self, s: str) -> None:
        self.mixed = True
        self.write(s)
        self.text_pos = self.pos

    def node(self, node, scope: dict) -> None:
        if isinstance(node, Document):
            for child in merged_children(node):
                self.node(child, scope)
        elif isinstance(node, Element):
            self.element(node, scope)
        elif isinstance(node, str):
            self.text(escape_text(node, NEWLINE))
        elif isinstance(node, Comment):
            if not self.mixed and self.text_pos != self.pos:
                self.indent()
            self.write(f"<!--{node.value}-->")
        elif isinstance(node, PI):
            if not self.mixed and self.text_pos != self.pos:
                self.indent()
            self.write(_pi_text(node))

    def element(self, elem: Element, scope: dict) -> None:
        if not self.mixed and self.text_pos != self.pos:
            self.indent()
        self.level += 1
        self.mixed_stack.append(self.mixed)
        tag, inner = _start_tag(elem, scope, attrs_first_then_local_ns=True)
        self.write(tag)
        children = merged_children(elem)
        if not children and elem.empty:
            self.write(" />")
        else:
            self.write(">")
            content_start = self.pos
            for child in children:
                self.node(child, inner)
            has_content = content_start != self.pos
            self.level -= 1
            if not self.mixed and has_content and self.text_pos != self.pos:
                self.indent()
            self.level += 1
            self.write(f"</{elem.qname}>")
        self.level -= 1
        self.mixed = self.mixed_stack.pop()


def merged_children(node) -> list:
    """Children as the XPath data model sees them: adjacent text-like nodes merged into one string."""
    out: list = []
    buf: list[str] | None = None
    for child in node.children:
        if isinstance(child, TEXTUAL):
            if buf is None:
                buf = []
                out.append(buf)
            buf.append(child.value)
        elif isinstance(child, (Declaration, DocType)):
            continue
        else:
            buf = None
            out.append(child)
    return ["".join(x) if isinstance(x, list) else x for x in out]
