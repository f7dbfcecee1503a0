"""Line numbers of JSON paths in a JSON text (for SARIF regions), with the loader's path spelling."""

from __future__ import annotations

import bisect
import json
from json.decoder import scanstring

from ..tree import key_path

_WS = " \t\r\n"


def line_map(text: str) -> dict[str, int]:
    """``{"$.definition.actions.X": 12, ...}`` (1-based lines of each key, or of each array item); empty when
    the text is not JSON."""
    text = text.lstrip("\ufeff")
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    out: dict[str, int] = {}
    decoder = json.JSONDecoder()

    def line(pos: int) -> int:
        return bisect.bisect_right(starts, pos)

    def ws(pos: int) -> int:
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        return pos

    def value(pos: int, path: str) -> int:
        pos = ws(pos)
        out.setdefault(path, line(pos))
        ch = text[pos]
        if ch == "{":
            pos = ws(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                pos = ws(pos)
                key_line = line(pos)
                key, pos = scanstring(text, pos + 1)
                pos = ws(pos) + 1  # ':'
                sub = key_path(path, key)
                out.setdefault(sub, key_line)
                pos = ws(value(pos, sub))
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # ','
        if ch == "[":
            pos = ws(pos + 1)
            if text[pos] == "]":
                return pos + 1
            i = 0
            while True:
                pos = ws(value(pos, f"{path}[{i}]"))
                i += 1
                if text[pos] == "]":
                    return pos + 1
                pos += 1
        _, end = decoder.raw_decode(text, pos)
        return end

    try:
        value(0, "$")
    except (ValueError, IndexError, RecursionError):
        return {}
    return out


def full_path(base: str, path: str) -> str:
    """A relative path (``actions.X``) under the definition's base (``$.definition``)."""
    if not path:
        return base
    return f"{base}{path}" if path.startswith("[") else f"{base}.{path}"
