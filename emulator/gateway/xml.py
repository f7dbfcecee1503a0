"""Policy XML read into a small tree that remembers each element's file and line (expat, no DTDs or entities).

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
        parser.Parse(text.lstrip("\ufeff"), True)
    except expat.ExpatError as exc:
        raise GatewayLoadError(f"the policy is not well-formed XML: {expat.errors.messages[exc.code]}", file,
                               exc.lineno) from None
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
