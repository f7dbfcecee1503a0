"""Declarative flow tests: ``*.flowtest.json`` / ``*.flowtest.yaml`` files (schema: ``flowtest.schema.json``).

``load_flowtest(path)`` reads and checks a file; ``run_case(path, spec, case)`` runs one case in a fresh
:class:`LogicApps` and returns its failures (empty: passed), each naming the case, the expectation and what
happened, followed by the run tree.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("flowtest.schema.json")
SUFFIXES = (".flowtest.json", ".flowtest.yaml", ".flowtest.yml")


class FlowTestError(ValueError):
    """A flow test file that cannot be read or does not follow the schema."""


def is_flowtest(path) -> bool:
    return str(path).lower().endswith(SUFFIXES)


def find_flowtests(paths) -> list[Path]:
    """Flow test files among ``paths`` (files, or folders searched recursively; hidden folders skipped)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and is_flowtest(p.name)
                         and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1]))
        else:
            found.append(path)
    return found


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def read_document(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    if path.name.lower().endswith((".yaml", ".yml")):
        import yaml  # PyYAML (a dependency), imported only for YAML flow tests: pytest starts faster
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FlowTestError(f"{path}: not valid YAML: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowTestError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}") from None


def schema_problems(doc) -> list[str]:
    """Every schema violation as ``$.json.path: message``."""
    out = []
    for err in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        out.append(f"{where}: {err.message}")
    return out


def check_file(path) -> list[str]:
    """Problems of one flow test file (reading, schema, the flow and mocks files it names); empty when valid."""
    path = Path(path)
    try:
        doc = read_document(path)
    except (OSError, FlowTestError) as exc:
        return [str(exc)]
    problems = [f"{path}: {p}" for p in schema_problems(doc)]
    if not problems:
        if not (path.parent / doc["flow"]).exists():
            problems.append(f"{path}: $.flow: '{doc['flow']}' does not exist (paths are relative to the test file)")
        mocks = doc.get("mocks")
        if isinstance(mocks, str) and not (path.parent / mocks).is_file():
            problems.append(f"{path}: $.mocks: '{mocks}' does not exist")
        first: dict[str, int] = {}
        for index, case in enumerate(doc["cases"]):  # a case's name is its test id (pytest, JUnit XML)
            seen = first.setdefault(case["name"], index)
            if seen != index:
                problems.append(f"{path}: $.cases[{index}].name: '{case['name']}' is already the name of "
                                f"cases[{seen}] (names must be unique in a file)")
    return problems


def check_flowtests(raw, quiet: bool = False) -> tuple[bool, int, bool]:
    """``validate``'s part: check the flow test files at ``raw`` (a file, or a folder's files), print their
    problems; (any error, files checked, ``raw`` was a flow test file itself)."""
    path = Path(raw)
    files = find_flowtests([path]) if path.is_dir() else ([path] if is_flowtest(path.name) else [])
    failed = False
    for file in files:
        problems = check_file(file)
        for line in problems:
            print(line)
        if problems or not quiet:
            print(f"{'FAIL' if problems else 'ok'} {file}: flow test, {len(problems)} error(s)")
        failed = failed or bool(problems)
    return failed, len(files), not path.is_dir() and bool(files)


def load_flowtest(path) -> dict:
    problems = check_file(path)
    if problems:
        raise FlowTestError("\n".join(problems))
    return read_document(Path(path))


# ---------------------------------------------------------------------- running a case


def run_case(path, spec: dict, case: dict) -> list[str]:
    """Run one case; the list of its failures (empty: it passed)."""
    from .app import FlowLoadError, LogicApps

    path = Path(path)
    name = case.get("name")
    try:
        with LogicApps(now=spec.get("now")) as la:
            names = la.load(path.parent / spec["flow"])
            workflow = spec.get("workflow") or (names[0] if len(names) == 1 else None)
            if workflow is None:
                return [f"case '{name}': the flow holds {len(names)} workflows ({', '.join(names)}): name one "
                        "with \"workflow\""]
            mocks = spec.get("mocks")
            if mocks is not None:
                la.load_mocks(path.parent / mocks if isinstance(mocks, str) else mocks)
            if case.get("mocks"):
                la.load_mocks(case["mocks"])
            request = case.get("request") or {}
            trigger = spec.get("trigger") or "manual"
            result = la.invoke(workflow, trigger, method=request.get("method") or _trigger_method(la, workflow,
                                                                                                   trigger),
                               path=request.get("path") or "", query=_texts(request.get("query")),
                               headers=_texts(request.get("headers")), **_body(request))
            failures = check_expectations(case.get("expect") or {}, result, la.calls, _known_actions(la, workflow))
    except (FlowLoadError, FileNotFoundError, ValueError) as exc:
        return [f"case '{name}': {exc}"]
    if not failures:
        return []
    return [f"case '{name}': {f}" for f in failures] + ["", result.explain()]


def _trigger_method(la, workflow: str, trigger: str) -> str:
    _, trig = la._trigger(workflow, trigger)
    return trig.method if trig is not None else "POST"


def _texts(values: dict | None) -> dict | None:
    """Header or query values as sent: YAML's 5 and true are the text 5 and true (None stays: it removes)."""
    return None if values is None else {k: _text(v) for k, v in values.items()}


def _text(value):
    return value if value is None or isinstance(value, str) else json.dumps(value)


def _body(request: dict) -> dict:
    if "body" not in request:
        return {}
    body = request["body"]
    if isinstance(body, str):
        return {"data": body}
    return {"json": body}


def _known_actions(la, workflow: str) -> set | None:
    from .results import action_names

    entry = la._server.registry.find(workflow)
    return action_names(entry.workflow) if entry is not None else None


def _unknown(names, known: set | None) -> list[str]:
    """A name the flow does not have is a typo, not an action that did not run or made no call."""
    if known is None:
        return []
    return [f"the flow has no action '{n}' (actions: {', '.join(sorted(known))})" for n in names if n not in known]


def check_expectations(expect: dict, result, calls: list, known: set | None = None) -> list[str]:
    named = dict.fromkeys([*((expect.get("run") or {}).get("actions") or {}), *(expect.get("calls") or {})])
    failures: list[str] = _unknown(named, known)
    if "status" in expect and result.status != expect["status"]:
        failures.append(f"expected status {expect['status']}, got {int(result.status)}")
    if "body" in expect and not _body_equals(result, expect["body"]):
        failures.append(f"expected body {_show(expect['body'])}, got {_show(_parsed_body(result))}")
    if "bodyContains" in expect:
        wanted = expect["bodyContains"]
        if isinstance(wanted, str):
            if wanted not in str(result.text):
                failures.append(f"expected the body to contain {wanted!r}, got {_show(str(result.text))}")
        elif not contains(_parsed_body(result), wanted):
            failures.append(f"expected the body to contain {_show(wanted)}, got {_show(_parsed_body(result))}")
    for header, value in (expect.get("headers") or {}).items():
        got = result.headers.get(header)
        if got != _text(value):
            failures.append(f"expected header {header}: {value!r}, got {got!r}")
    if "skipped" in expect and bool(result.skipped) != expect["skipped"]:
        failures.append(f"expected skipped {expect['skipped']}, got {result.skipped} "
                        f"({'no run' if result.run is None else 'a run started'})")
    if "run" in expect:
        failures.extend(_check_run(expect["run"], result.run))
    for action, count in (expect.get("calls") or {}).items():
        made = sum(1 for call in calls if call.get("action") == action)
        if made != count:
            failures.append(f"expected {count} call(s) by action {action}, got {made}")
    return failures


def _check_run(expected, run) -> list[str]:
    if expected is None:
        return [] if run is None else [f"expected no run, got run {run.id} {run.record.get('status')}"]
    if run is None:
        return ["expected a run, none started"]
    out = []
    if "status" in expected and run.record.get("status") != expected["status"]:
        out.append(f"expected run status {expected['status']}, got {run.record.get('status')}")
    records = run.record.get("actions") or {}
    for name, status in (expected.get("actions") or {}).items():
        got = (records.get(name) or {}).get("status")
        if got != status:
            out.append(f"expected action {name} {status or 'not run'}, got {got or 'not run'}")
    return out


def _body_equals(result, wanted) -> bool:
    """JSON compared as JSON; a string also matches the body's text as it is (a text/plain "42" or "true")."""
    return (isinstance(wanted, str) and result.text == wanted) or _parsed_body(result) == wanted


def _parsed_body(result):
    if not result.body:
        return None
    try:
        return json.loads(result.body.decode("utf-8-sig"))
    except ValueError:
        return result.body.decode("utf-8", errors="replace")


def contains(actual, wanted) -> bool:
    """``wanted`` is within ``actual``: dict keys recursively, list items each found in the list, else equal."""
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(actual, list) and all(any(contains(a, w) for a in actual) for w in wanted)
    return actual == wanted


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 300 else text[:300] + " ..."
