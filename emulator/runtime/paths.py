"""Relative path templates (``/orders/{orderId}``) compiled once, matched per request (spec §1.4)."""

from __future__ import annotations

import re
from urllib.parse import unquote

_PARAM = re.compile(r"\{([^{}/]+)\}")


class RelativePath:
    """A compiled ``relativePath``: literal segments match case-insensitively, ``{name}`` one segment.

    Matching takes time linear in the path, whatever the template and the caller's path: a segment with
    several parameters (``{name}.{ext}``, ``{a}-{b}-{c}``) is matched by finding its literals left to right,
    not by a regular expression, which would backtrack for minutes on a long path that does not fit.
    """

    def __init__(self, template: str | None):
        self.template = (template or "").strip().strip("/")
        self.names: list[str] = _PARAM.findall(self.template)
        # per template segment: ("param", name) for a whole-segment "{name}", ("literal", lower-case text)
        # for plain ASCII text, else ("parts", (literal, name, literal, ..., literal) lower-cased, names)
        self._segments = tuple(_compile_segment(seg) for seg in self.template.split("/")) if self.template else ()

    def __bool__(self) -> bool:
        return bool(self.template)

    def match(self, raw: str) -> dict | None:
        """Parameters for a raw (still percent-encoded) path after ``/invoke``; None when it does not fit.

        Encoded slashes are first kept inside one segment (``{file}`` = ``a/b``); when that does not
        fit the template, they are read as separators (``{a}/{b}`` from ``a%2Fb``), as spec §1.2 asks.
        """
        raw = raw.strip("/")
        found = self._segmentwise(raw.split("/") if raw else [], decode=True)
        if found is None:  # (an empty path is one empty segment here: "{id}" matches it with id = "")
            found = self._segmentwise(unquote(raw).split("/"), decode=False)
        return found

    def _segmentwise(self, segments: list, decode: bool) -> dict | None:
        if len(segments) != len(self._segments):
            return None
        values = {}
        for seg, (kind, what, names) in zip(segments, self._segments):
            text = unquote(seg) if decode and "%" in seg else seg
            if kind == "param":
                values[what] = text
            elif kind == "literal":
                if text.lower() != what:
                    return None
            else:
                found = _match_parts(what, text)
                if found is None:
                    return None
                values.update(zip(names, found))
        return values


def _compile_segment(segment: str) -> tuple:
    names = _PARAM.findall(segment)
    if len(names) == 1 and segment == "{" + names[0] + "}":
        return "param", names[0], ()
    if not names and segment.isascii():
        return "literal", segment.lower(), ()
    literals, pos = [], 0
    for match in _PARAM.finditer(segment):
        literals.append(segment[pos:match.start()].lower())
        pos = match.end()
    literals.append(segment[pos:].lower())
    return "parts", tuple(literals), tuple(names)


def _match_parts(literals: tuple, text: str) -> list | None:
    """The parameter values of ``text`` for a segment ``literals[0] {p0} literals[1] ... {pn} literals[n+1]``:
    the first and last literals anchor the ends, each literal between is found at its first place after the
    one before (each parameter takes the shortest text that lets the rest fit); None when it does not fit."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: compare as it is
        lowered = text
    first, last = literals[0], literals[-1]
    end = len(text) - len(last)
    if end < len(first) or not lowered.startswith(first) or not lowered.endswith(last):
        return None
    values, pos = [], len(first)
    for literal in literals[1:-1]:
        found = lowered.find(literal, pos, end)
        if found < 0:
            return None
        values.append(text[pos:found])
        pos = found + len(literal)
    values.append(text[pos:end])
    return values
