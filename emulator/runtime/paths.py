"""Relative path templates (``/orders/{orderId}``) compiled once, matched per request (spec §1.4)."""

from __future__ import annotations

import re
from urllib.parse import unquote

_PARAM = re.compile(r"\{([^{}/]+)\}")


class RelativePath:
    """A compiled ``relativePath``: literal segments match case-insensitively, ``{name}`` one segment."""

    def __init__(self, template: str | None):
        self.template = (template or "").strip().strip("/")
        self.names: list[str] = _PARAM.findall(self.template)
        pattern, pos = [], 0
        for index, match in enumerate(_PARAM.finditer(self.template)):
            pattern.append(re.escape(self.template[pos:match.start()]))
            pattern.append(f"(?P<p{index}>[^/]*)")
            pos = match.end()
        pattern.append(re.escape(self.template[pos:]))
        self._regex = re.compile("^" + "".join(pattern) + "$", re.IGNORECASE | re.DOTALL)

        # per template segment: ("param", name) for a whole-segment "{name}", ("literal", lower-case text)
        # for plain ASCII text, else ("regex", compiled, names)
        self._segments = tuple(_compile_segment(seg) for seg in self.template.split("/")) if self.template else ()

    def __bool__(self) -> bool:
        return bool(self.template)

    def match(self, raw: str) -> dict | None:
        """Parameters for a raw (still percent-encoded) path after ``/invoke``; None when it does not fit.

        Encoded slashes are first kept inside one segment (``{file}`` = ``a/b``); when that does not
        fit the template, they are read as separators (``{a}/{b}`` from ``a%2Fb``), as spec §1.2 asks.
        """
        raw = raw.strip("/")
        found = self._segmentwise(raw)
        if found is None:
            m = self._regex.match(unquote(raw))
            if m:
                found = {name: m.group(f"p{i}") for i, name in enumerate(self.names)}
        return found

    def _segmentwise(self, raw: str) -> dict | None:
        segments = raw.split("/") if raw else []
        if len(segments) != len(self._segments):
            return None
        values = {}
        for seg, (kind, what, names) in zip(segments, self._segments):
            text = unquote(seg) if "%" in seg else seg
            if kind == "param":
                values[what] = text
            elif kind == "literal":
                if text.lower() != what:
                    return None
            else:
                m = what.match(text)
                if not m:
                    return None
                for i, name in enumerate(names):
                    values[name] = m.group(f"p{i}")
        return values


def _compile_segment(segment: str) -> tuple:
    names = _PARAM.findall(segment)
    if len(names) == 1 and segment == "{" + names[0] + "}":
        return "param", names[0], ()
    if not names and segment.isascii():
        return "literal", segment.lower(), ()
    parts, pos = [], 0
    for index, match in enumerate(_PARAM.finditer(segment)):
        parts.append(re.escape(segment[pos:match.start()]))
        parts.append(f"(?P<p{index}>.*?)")
        pos = match.end()
    parts.append(re.escape(segment[pos:]))
    return "regex", re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL), tuple(names)
