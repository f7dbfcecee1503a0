"""Policy XML read into a small tree that remembers each element's file and line (expat, no DTDs or entities).

APIM accepts policy expressions written without XML escaping, as its documentation shows them
(``value="@(context.Request.Headers.GetValueOrDefault("User-Agent", ""))"``, ``@{ ... As<JObject>() ... }``):
:func:`escape_expressions` escapes each ``@(...)``/``@{...}`` that opens an attribute value or an element's
text before the XML parser sees it (an already escaped one is left as it means).

Named values (``{{name}}``) are replaced in attribute values and text once, here, so every policy sees the
resolved text; an unknown name is a load error at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from .errors import GatewayLoadError

_NAMED = re.compile(r"\{\{\s*([A-Za-z0-9._-]+)\s*\}\}")
MAX_POLICY_BYTES = 1_048_576


@dataclass
class Node:
    tag: str
    attrs: dict
    line: int
    file: str
    children: list = field(default_factory=list)
    text: str = ""  # the concatenated character data directly inside the element (stripped)

    def error(self, message: str) -> GatewayLoadError:
        return GatewayLoadError(message, self.file, self.line, self.tag)

    def elements(self, tag: str | None = None) -> list:
        return [c for c in self.children if tag is None or c.tag == tag]

    def child(self, tag: str):
        found = self.elements(tag)
        return found[0] if found else None


def parse(text: str, file: str, named_values: dict | None = None) -> Node:
    """The root element of ``text``; bad XML is a GatewayLoadError naming the line."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise GatewayLoadError(f"the policy is larger than {MAX_POLICY_BYTES} bytes", file)
    parser = expat.ParserCreate()
    stack: list[Node] = []
    root: list[Node] = []
    buffers: list[list[str]] = []

    def start(tag, attrs):
        line = parser.CurrentLineNumber
        node = Node(tag, {k: _resolve(v, named_values, file, line, tag) for k, v in attrs.items()}, line, file)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)
        buffers.append([])

    def end(tag):
        node = stack.pop()
        node.text = _resolve("".join(buffers.pop()).strip(), named_values, file, node.line, node.tag)

    def data(chunk):
        if buffers:
            buffers[-1].append(chunk)

    def forbid(*_args):
        raise GatewayLoadError("DTDs and entity declarations are not allowed in policies", file,
                               parser.CurrentLineNumber)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    try:
        parser.Parse(_BARE_AMP.sub("&amp;", escape_expressions(text.lstrip("\ufeff"))), True)
    except expat.ExpatError as exc:
        message = f"the policy is not well-formed XML: {expat.errors.messages[exc.code]}"
        element = stack[-1].tag if stack else None
        if stack:
            message += f" (<{stack[-1].tag}> opened at line {stack[-1].line} is not closed)"
        raise GatewayLoadError(message, file, exc.lineno, element) from None
    return root[0]


def _resolve(text: str, named_values, file, line, tag) -> str:
    if "{{" not in text or named_values is None:
        return text

    def value(match):
        name = match.group(1)
        found = named_values.get(name.lower())
        if found is None:
            raise GatewayLoadError(f"the named value '{name}' is not defined", file, line, tag)
        return found

    return _NAMED.sub(value, text)


# A ``&`` that starts no entity or character reference is a literal ampersand: APIM's docs print templates such as
# ``template="/v2/US/hardware/{storenumber}&{ordernumber}?City=city&State=state"`` unescaped.
_BARE_AMP = re.compile(r"&(?![A-Za-z_][A-Za-z0-9._-]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)")

_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def escape_expressions(text: str) -> str:
    """Escape ``<``, ``>``, ``&`` and quotes inside every expression that opens an attribute value or an
    element's text; the line structure is kept."""
    out, i, n = [], 0, len(text)
    while True:
        j = text.find("@", i)
        while j >= 0 and not (j + 1 < n and text[j + 1] in "({" and _opens_value(text, j)):
            j = text.find("@", j + 1)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        end = _matching(text, j + 1)
        if end is None:  # unbalanced: leave it to the XML parser and the expression compiler to report
            out.append(text[i:])
            return "".join(out)
        body = text[j:end + 1]
        for escaped, plain in _ENTITIES:
            body = body.replace(escaped, plain)
        body = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        out.append(text[i:j] + body.replace("'", "&apos;"))
        i = end + 1


def _opens_value(text: str, at: int) -> bool:
    """True when ``@`` at ``at`` starts an attribute value (``="@``) or an element's text (``>  @``)."""
    k = at - 1
    if k >= 0 and text[k] in "\"'":
        k2 = k - 1
        while k2 >= 0 and text[k2] in " \t\r\n":
            k2 -= 1
        return k2 >= 0 and text[k2] == "="
    while k >= 0 and text[k] in " \t\r\n":
        k -= 1
    return k >= 0 and text[k] == ">"


def _matching(text: str, start: int) -> int | None:
    """The index of the bracket closing the one at ``start``, skipping C# string and char literals."""
    pairs = {"(": ")", "{": "}"}
    stack, i, n = [], start, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            verbatim = ch == '"' and i > 0 and text[i - 1] == "@"
            i += 1
            while i < n:
                if text[i] == "\\" and not verbatim:
                    i += 2
                    continue
                if text[i] == ch:
                    if verbatim and i + 1 < n and text[i + 1] == '"':
                        i += 2
                        continue
                    break
                if text[i] == "\n" and ch == "'":
                    return None
                i += 1
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")}":
            if not stack or stack.pop() != ch:
                return None
            if not stack:
                return i
        i += 1
    return None
