"""Json.NET's wording for JSON text that cannot be read, from Python's :class:`json.JSONDecodeError`.

The host reads request bodies with Json.NET; its ``InvalidRequestContent`` message quotes the reader's
error: ``Unexpected character encountered while parsing value: x. Path 'a', line 1, position 6.`` This
module maps Python's error to that message: the same sentence for each kind of mistake, the JSON path of
the value being read, the line and the position (the characters read on that line).
"""

from __future__ import annotations

import json
import re

_SIMPLE_NAME = re.compile(r"^[A-Za-z0-9_$]+$")


def json_net_message(text: str, exc: json.JSONDecodeError) -> str:
    """The Json.NET reader's message for ``exc`` raised while reading ``text``."""
    pos = min(exc.pos, len(text))
    rest = text[pos:].lstrip(" \t\r\n")
    at_end = not rest
    char = rest[:1]
    msg = exc.msg
    if msg.startswith("Unterminated string"):
        sentence, pos, at_end = 'Unterminated string. Expected delimiter: ".', len(text), True
    elif msg.startswith("Invalid \\escape") or msg.startswith("Invalid \\u"):
        sentence = f"Bad JSON escape sequence: {text[pos:pos + 2]}."
    elif at_end:
        sentence, pos = "Unexpected end when reading JSON.", len(text)
    elif msg.startswith("Expecting property name"):
        sentence = f"Invalid property identifier character: {char}."
    elif msg.startswith("Expecting ':'"):
        sentence = f"Invalid character after parsing property name. Expected ':' but got: {char}."
    elif msg.startswith("Expecting ','"):
        sentence = f"After parsing a value an unexpected character was encountered: {char}."
    elif msg.startswith("Extra data"):
        sentence = f"Additional text encountered after finished reading JSON content: {char}."
    else:  # "Expecting value" and the rest
        sentence = f"Unexpected character encountered while parsing value: {char}."
    if not at_end:
        pos = len(text) - len(rest) + 1  # Json.NET counts the offending character as read
    return f"{sentence} {where(text, pos)}"


def where(text: str, pos: int) -> str:
    """``Path '<path>', line <n>, position <m>.`` after reading ``text[:pos]``."""
    line_start = text.rfind("\n", 0, pos) + 1
    line = text.count("\n", 0, pos) + 1
    return f"Path '{_path(text, pos)}', line {line}, position {pos - line_start}."


def _path(text: str, end: int) -> str:
    """The Json.NET path of the value being read when the reader stopped at ``end``."""
    stack: list[list] = []  # ["obj", name, expecting_name] | ["arr", index, started]

    def value_starts():
        if stack and stack[-1][0] == "arr":
            stack[-1][2] = True

    i = 0
    while i < end:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            raw = text[i:j + 1]
            if stack and stack[-1][0] == "obj" and stack[-1][2]:
                try:
                    stack[-1][1] = json.loads(raw)
                except ValueError:
                    stack[-1][1] = raw[1:-1]
                stack[-1][2] = False
            else:
                value_starts()
            i = j + 1
            continue
        if c in "{[":
            value_starts()
            stack.append(["obj", None, True] if c == "{" else ["arr", 0, False])
        elif c in "}]":
            if stack:
                stack.pop()
        elif c == ",":
            if stack and stack[-1][0] == "obj":
                stack[-1][2] = True
            elif stack:
                stack[-1][1] += 1
                stack[-1][2] = False
        elif not c.isspace() and c != ":":
            value_starts()
        i += 1
    parts = []
    for kind, key, flag in stack:
        if kind == "obj" and key is not None:
            parts.append(f".{key}" if _SIMPLE_NAME.match(key) else f"['{key}']")
        elif kind == "arr" and (flag or key):
            parts.append(f"[{key}]")
    return "".join(parts).lstrip(".")
