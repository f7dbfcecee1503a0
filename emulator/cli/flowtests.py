"""``python -m emulator test PATH... [--junit-xml FILE]``: run declarative flow tests (docs/testing.md)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .main import EXTENSIONS, command


def _add(sub):
    p = sub.add_parser("test", help="run flow test files (*.flowtest.json / .yaml); exit 1 on a failure")
    p.add_argument("paths", nargs="+", metavar="PATH", help="flow test files, or folders searched for them")
    p.add_argument("--junit-xml", metavar="FILE", help="also write the results as JUnit XML")
    p.add_argument("--quiet", "-q", action="store_true", help="print failures and the totals only")


EXTENSIONS.append(_add)


@command("test", "run flow test files")
def cmd_test(args) -> int:
    from ..testing.flowtest import FlowTestError, find_flowtests, load_flowtest, run_case

    results = []  # (file, case name, failure text or None, seconds)
    files = find_flowtests(args.paths)
    for path in files:
        try:
            spec = load_flowtest(path)
        except FlowTestError as exc:
            results.append((str(path), "(file)", str(exc), 0.0))
            print(f"ERROR {path}\n{_indent(str(exc))}")
            continue
        for index, case in enumerate(spec["cases"]):
            name = case.get("name") or f"case {index + 1}"
            started = time.perf_counter()
            failures = run_case(path, spec, case)
            elapsed = time.perf_counter() - started
            text = "\n".join(failures) if failures else None
            results.append((str(path), name, text, elapsed))
            if text:
                print(f"FAIL {path}::{name}\n{_indent(text)}")
            elif not args.quiet:
                print(f"PASS {path}::{name} ({elapsed * 1000:.1f} ms)")
    failed = sum(1 for r in results if r[2] is not None)
    passed = len(results) - failed
    if not files:
        print(f"no flow test files (*.flowtest.json, *.flowtest.yaml) in {' '.join(args.paths)}", file=sys.stderr)
    if args.junit_xml:
        write_junit(args.junit_xml, results)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not files else 0


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def write_junit(target: str, results: list) -> None:
    """JUnit XML as CI systems read it: one testsuite, a testcase per case, a failure element per failed case."""
    import xml.etree.ElementTree as ET

    failures = sum(1 for r in results if r[2] is not None)
    suite = ET.Element("testsuite", name="flowtests", tests=str(len(results)), failures=str(failures), errors="0",
                       skipped="0", time=f"{sum(r[3] for r in results):.3f}")
    for file, name, failure, seconds in results:
        case = ET.SubElement(suite, "testcase", classname=file, name=name, time=f"{seconds:.3f}")
        if failure is not None:
            ET.SubElement(case, "failure", message=failure.splitlines()[0] if failure else "failed").text = failure
    root = ET.Element("testsuites")
    root.append(suite)
    Path(target).parent.mkdir(parents=True, exist_ok=True)  # as pytest's --junitxml: reports/x.xml just works
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
