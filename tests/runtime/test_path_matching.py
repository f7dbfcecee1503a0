"""Relative-path matching is linear in the path (no regex backtracking) and agrees with a regex reference."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.runtime.paths import RelativePath


def reference(template: str, segment: str):
    """The lazy regular expression a multi-parameter segment used to be matched with."""
    names = re.findall(r"\{([^{}/]+)\}", template)
    pattern, pos = [], 0
    for index, m in enumerate(re.finditer(r"\{([^{}/]+)\}", template)):
        pattern += [re.escape(template[pos:m.start()]), f"(?P<p{index}>.*?)"]
        pos = m.end()
    pattern.append(re.escape(template[pos:]))
    m = re.match("^" + "".join(pattern) + "$", segment, re.IGNORECASE | re.DOTALL)
    return None if m is None else {name: m.group(f"p{i}") for i, name in enumerate(names)}


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.sampled_from(["{a}.{b}", "x{a}-{b}y", "{a}{b}", "{a}-{b}-{c}.json", "pre{a}", "{a}post", "A{a}b{b}C"]),
       st.text(alphabet="ab.-xyJSONjson", max_size=12))
def test_segments_match_as_the_regex_did(template, text):
    assert RelativePath(template).match(text) == reference(template, text)


def test_a_long_path_that_does_not_fit_is_refused_at_once():
    path = RelativePath("/files/{a}-{b}-{c}-{d}-{e}.json")
    started = time.perf_counter()
    assert path.match("files/" + "-" * 16_000 + "x") is None
    assert path.match("files/" + "a-" * 8_000 + "x.jsonx") is None
    assert time.perf_counter() - started < 0.5  # the regex took hours here (cubic and worse)


def test_encoded_slashes_inside_and_as_separators():
    assert RelativePath("/files/{name}").match("files/a%2Fb") == {"name": "a/b"}
    assert RelativePath("/{a}/{b}").match("x%2Fy") == {"a": "x", "b": "y"}
    assert RelativePath("/files/{n}.{ext}").match("files/a%2Fb.c.txt") == {"n": "a/b", "ext": "c.txt"}
