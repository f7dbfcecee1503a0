"""Runs expression conformance cases (format: ../shared/conformance/README.md) through the public API."""

from __future__ import annotations

import json
import math
import re
import xml.dom.minidom
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ..expressions import EvalContext, ExpressionError, compile_template
from ..expressions.values import Blob, blob_from_envelope, to_json_value


@dataclass
class Outcome:
    case: dict
    ok: bool
    got: object = None
    detail: str = ""


def parse_now(text: str) -> datetime:
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$", text)
    if m:
        text = f"{m.group(1)}.{m.group(2)[:6].ljust(6, '0')}{m.group(3)}"
    return datetime.fromisoformat(text)


def evaluate_case(case: dict):
    """Return ("value", v) or ("error", phase, message)."""
    now = parse_now(case["now"]) if case.get("now") else None
    try:
        tpl = compile_template(case["expression"])
    except ExpressionError as exc:
        return ("error", "parse", exc.message)
    ctx = EvalContext.from_mapping(case.get("context"), now=now)
    try:
        return ("value", tpl.evaluate(ctx))
    except ExpressionError as exc:
        return ("error", "evaluate", exc.message)
    except RecursionError:
        return ("error", "evaluate", "recursion")


def _typed_equal(expected, got, ordered_keys: bool, tolerance: float | None, unordered: bool) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, int) and not isinstance(expected, bool):
        return isinstance(got, int) and not isinstance(got, bool) and got == expected
    if isinstance(expected, float):
        if not isinstance(got, float):
            return False
        if tolerance is not None:
            return abs(got - expected) <= tolerance
        return got == expected or (math.isnan(got) and math.isnan(expected))
    if isinstance(expected, str) or expected is None:
        return type(got) is type(expected) and got == expected
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return False
        if unordered:
            remaining = list(got)
            for e in expected:
                for i, g in enumerate(remaining):
                    if _typed_equal(e, g, ordered_keys, tolerance, False):
                        del remaining[i]
                        break
                else:
                    return False
            return True
        return all(_typed_equal(e, g, ordered_keys, tolerance, False) for e, g in zip(expected, got))
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(expected) != set(got):
            return False
        if ordered_keys and list(expected) != list(got):
            return False
        return all(_typed_equal(v, got[k], ordered_keys, tolerance, False) for k, v in expected.items())
    return expected == got


def _plain(value):
    """Result as plain JSON data; decimals become JSON numbers."""
    if isinstance(value, Decimal):
        return to_json_value(value)
    return to_json_value(value)


def _xml_text(value) -> str | None:
    blob = blob_from_envelope(value) if isinstance(value, dict) else None
    if blob is not None:
        return blob.text()
    if isinstance(value, str):
        return value
    return None


def _canon_xml(text: str) -> str:
    try:
        dom = xml.dom.minidom.parseString(text.encode("utf-8"))
    except Exception:  # noqa: BLE001 - any parse failure means "not equal"
        return text.strip()
    for node in list(_walk(dom)):
        if node.nodeType == node.TEXT_NODE and not node.data.strip():
            node.parentNode.removeChild(node)
    return dom.documentElement.toxml()


def _walk(node):
    for child in list(node.childNodes):
        yield child
        yield from _walk(child)


def _type_ok(expected_type: str, got) -> bool:
    return {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, float),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "binary": lambda v: blob_from_envelope(v) is not None,
        "xml": lambda v: isinstance(v, Blob) and v.is_xml,
        "xml_nodes": lambda v: True,
    }.get(expected_type, lambda v: True)(got)


def check_case(case: dict) -> Outcome:
    result = evaluate_case(case)
    if case.get("error"):
        if result[0] != "error":
            return Outcome(case, False, _plain(result[1]), "expected an error")
        if case.get("error_phase") == "parse" and result[1] != "parse":
            return Outcome(case, False, result, "expected a parse error, failed at evaluation")
        frag = case.get("error_contains")
        if frag and frag not in result[2]:
            return Outcome(case, False, result[2], f"error message lacks {frag!r}")
        return Outcome(case, True, result[2])
    if result[0] == "error":
        return Outcome(case, False, f"ERROR ({result[1]}): {result[2]}", "unexpected error")
    raw = result[1]
    got = _plain(raw)
    et = case.get("expected_type")
    if "expected" in case:
        ok = _typed_equal(case["expected"], got, bool(case.get("ordered_keys")), case.get("tolerance"),
                          case.get("compare") == "unordered")
        return Outcome(case, ok, got, "" if ok else "value differs")
    if et and not _type_ok(et, raw):
        return Outcome(case, False, got, f"expected type {et}")
    if "expected_json" in case:
        try:
            ok = isinstance(raw, str) and _typed_equal(case["expected_json"], json.loads(raw), False, None, False)
        except ValueError:
            ok = False
        return Outcome(case, ok, got, "" if ok else "JSON text differs")
    if "expected_binary" in case:
        ok = _typed_equal(case["expected_binary"], dict(blob_from_envelope(raw) or {}), False, None, False)
        return Outcome(case, ok, got, "" if ok else "binary differs")
    if "expected_xml" in case:
        text = _xml_text(raw)
        ok = text is not None and _canon_xml(text) == _canon_xml(case["expected_xml"])
        return Outcome(case, ok, text, "" if ok else "XML differs")
    if "expected_xml_nodes" in case:
        nodes = raw if isinstance(raw, list) else [raw]
        texts = [_xml_text(n) for n in nodes]
        want = case["expected_xml_nodes"]
        ok = len(texts) == len(want) and all(
            t is not None and _canon_xml(t) == _canon_xml(w) for t, w in zip(texts, want))
        return Outcome(case, ok, texts, "" if ok else "XML nodes differ")
    if "regex" in case:
        # the case files anchor their patterns themselves (^...$ where the whole string must match)
        ok = isinstance(raw, str) and re.search(case["regex"], raw) is not None
        return Outcome(case, ok, got, "" if ok else "regex does not match")
    if "one_of" in case:
        ok = any(_typed_equal(v, got, False, None, False) for v in case["one_of"])
        return Outcome(case, ok, got, "" if ok else "not one of the allowed values")
    return Outcome(case, True, got)


def load_cases(paths) -> list[dict]:
    cases = []
    for p in paths:
        data = json.loads(Path(p).read_text(encoding="utf-8"))
        cases.extend(data)
    return cases


def run(paths, out) -> int:
    cases = load_cases(paths)
    passed = failed = uncertain = uncertain_failed = 0
    for case in cases:
        outcome = check_case(case)
        if case.get("uncertain"):
            uncertain += 1
            if not outcome.ok:
                uncertain_failed += 1
                print(f"UNCERTAIN {case['id']}: {case['expression']!r} expected "
                      f"{_expected_repr(case)} got {outcome.got!r} ({outcome.detail})", file=out)
            continue
        if outcome.ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {case['id']}: {case['expression']!r} expected {_expected_repr(case)} got "
                  f"{outcome.got!r} ({outcome.detail})", file=out)
    print(f"{uncertain} uncertain ({uncertain - uncertain_failed} agree, {uncertain_failed} differ)", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


def _expected_repr(case: dict) -> str:
    for key in ("expected", "expected_json", "expected_binary", "expected_xml", "expected_xml_nodes", "regex",
                "one_of"):
        if key in case:
            return f"{key}={case[key]!r}"
    if case.get("error"):
        return "an error" + (f" containing {case['error_contains']!r}" if case.get("error_contains") else "")
    return f"type {case.get('expected_type')}"
