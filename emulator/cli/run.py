"""``validate`` and ``run`` sub-commands: check workflow files; run one request in-process."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from .limit_args import add_limit_args, limits_from
from .main import EXTENSIONS, command


def _add(sub):
    p = sub.add_parser("validate", help="load and compile workflow files; print every problem")
    p.add_argument("paths", nargs="*", help="files (.json, .zip) or folders (Standard projects, folders of flows)")
    p.add_argument("--gateway", metavar="FILE",
                   help="also check an API Management gateway file against the flows (default flows: flows/)")
    p.add_argument("--allow-unknown-types", action="store_true",
                   help="unknown action types fail at run time instead of at load")
    p.add_argument("--quiet", "-q", action="store_true", help="only problems and the totals")
    p.add_argument("--no-warnings", dest="warnings", action="store_false",
                   help="print errors only (warnings are still counted)")
    p.add_argument("--warnings", action="store_true", default=True, help=argparse.SUPPRESS)  # the default now

    r = sub.add_parser("run", help="run one request through a workflow in-process")
    r.add_argument("flow", help="workflow file or folder (the first workflow found, or --workflow NAME)")
    r.add_argument("--workflow", help="workflow name when the path holds several")
    r.add_argument("--trigger", help="trigger name (default: the first Request trigger)")
    r.add_argument("--method", default=None, help="HTTP method (default: the trigger's, else POST)")
    r.add_argument("--path", default=None, help="relative path after /invoke, e.g. /orders/42")
    r.add_argument("--query", action="append", default=[], metavar="K=V")
    r.add_argument("--header", action="append", default=[], metavar="'K: V'")
    r.add_argument("--data", help="request body: JSON text, plain text, or @file")
    r.add_argument("--mocks", help="mocks JSON file (docs/mocks.md)")
    r.add_argument("--artifacts", metavar="DIR", help="integration-account folder (Maps/, Schemas/) for Xslt, "
                   "Liquid and XmlValidation (docs/builtins.md)")
    r.add_argument("--json", action="store_true", help='print {"response": ..., "run": ...}')
    r.add_argument("--allow-unknown-types", action="store_true")
    add_limit_args(r)


EXTENSIONS.append(_add)


@command("validate", "load and compile workflow files")
def cmd_validate(args) -> int:
    from ..definitions import load_path
    from ..runtime.actions.registry import lookup
    from ..testing.flowtest import check_flowtests

    if args.gateway:
        from .gateway import validate

        return validate(args.gateway, args.paths or ["flows"])
    if not args.paths:
        print("validate: give at least one PATH (or --gateway FILE)", file=sys.stderr)
        return 2
    failed = False
    total_files = total_wf = 0
    for raw in args.paths:
        flowtests = check_flowtests(raw, args.quiet)  # flow test files: checked against their schema
        failed, total_files = failed or flowtests[0], total_files + flowtests[1]
        if flowtests[2]:
            continue
        result = load_path(raw, action_types=lookup, allow_unknown_types=args.allow_unknown_types)
        by_file: dict[str, list] = {}
        for problem in result.problems:
            by_file.setdefault(problem.file, []).append(problem)
        wf_by_file: dict[str, list] = {}
        for wf in result.workflows:
            wf_by_file.setdefault(str(wf.source), []).append(wf)
        files = list(dict.fromkeys(result.files + list(by_file)))
        for file in files:
            problems = by_file.get(file, [])
            errors = [p for p in problems if p.severity == "error"]
            warnings = [p for p in problems if p.severity != "error"]
            for p in errors + (warnings if args.warnings else []):
                print(str(p))
            names = ", ".join(w.name for w in wf_by_file.get(file, [])) or "-"
            if errors or not args.quiet:
                state = "FAIL" if errors else "ok"
                hidden = " (not shown)" if warnings and not args.warnings else ""
                print(f"{state} {file}: {len(wf_by_file.get(file, []))} workflow(s) [{names}], {len(errors)} "
                      f"error(s), {len(warnings)} warning(s){hidden}")
            failed = failed or bool(errors)
            total_files += 1
            total_wf += len(wf_by_file.get(file, []))
    print(f"{total_files} file(s), {total_wf} workflow(s): {'errors found' if failed else 'all valid'}")
    return 1 if failed else 0


def _parse_data(data: str | None) -> tuple[bytes | None, str | None]:
    if data is None:
        return None, None
    if data.startswith("@"):
        raw = Path(data[1:]).read_bytes()
    else:
        raw = data.encode("utf-8")
    try:
        json.loads(raw.decode("utf-8-sig"))
        return raw, "application/json"
    except (UnicodeDecodeError, json.JSONDecodeError):
        return raw, "text/plain; charset=utf-8"


@command("run", "run one request through a workflow in-process")
def cmd_run(args) -> int:
    from multidict import CIMultiDict, MultiDict

    from ..definitions import load_path
    from ..runtime import RunOptions
    from ..runtime.actions.registry import lookup
    from ..runtime.errors import HostError
    from ..runtime.invocation import find_trigger
    from ..runtime.trigger import RequestTrigger, condition_refusal

    chosen = limits_from(args, "run")
    if chosen is None:
        return 2
    result = load_path(args.flow, action_types=lookup, allow_unknown_types=args.allow_unknown_types)
    errors = result.errors
    for p in errors:
        print(str(p), file=sys.stderr)
    workflows = result.workflows
    if args.workflow:
        workflows = [w for w in workflows if w.name.lower() == args.workflow.lower()]
    if not workflows:
        print(f"no workflow found in {args.flow}", file=sys.stderr)
        return EXIT_REFUSED
    wf = workflows[0]
    if wf.has_errors:  # the server would not serve it either
        print(f"{wf.name}: not run, it has load errors (above)", file=sys.stderr)
        return EXIT_REFUSED
    try:
        trigger = RequestTrigger(find_trigger(wf, args.trigger), standard=wf.flavor == "standard")
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return EXIT_REFUSED
    headers = CIMultiDict()
    for h in args.header:
        k, _, v = h.partition(":")
        headers.add(k.strip(), v.strip())
    body, ctype = _parse_data(args.data)
    if ctype and "Content-Type" not in headers:
        headers["Content-Type"] = ctype
    queries = MultiDict(q.partition("=")[::2] for q in args.query)
    try:  # the server's checks and trigger outputs (emulator.runtime.trigger)
        trigger.check_method((args.method or trigger.method).upper())
        outputs = trigger.outputs(headers, queries, body, trigger.match(args.path or ""))
    except HostError as err:
        _print_refusal(args, err)
        return EXIT_REFUSED
    options = RunOptions(mocks=args.mocks, workflows=result.workflows, response_timeout=None,
                         artifacts=args.artifacts, limits=chosen)
    try:
        response, record, inv = asyncio.run(_run(wf, trigger.name, outputs, options))
    except HostError as err:
        _print_refusal(args, err)
        return EXIT_REFUSED
    if inv.skipped:
        refused = condition_refusal(trigger.name, inv)
        if refused is not None:  # a condition that throws: the server's 400, and no run
            _print_refusal(args, refused)
            return EXIT_REFUSED
        # conditions false: the server's 202 with an empty body, and no run
        skipped = {"status": 202, "headers": {}, "body": None}
        if args.json:
            print(json.dumps({"response": skipped, "run": None, "skipped": True}, indent=2))
        else:
            print("response: 202 (the trigger conditions are false: Skipped, no run was created)")
        return EXIT_SKIPPED
    _print(args, wf, response, record)
    return EXIT_SUCCEEDED if record.get("status") == "Succeeded" else EXIT_FAILED


# Exit codes of ``run`` (README): the run succeeded / ended Failed, Cancelled or TimedOut / the call was
# refused before any run (load errors, method, path, content, a trigger condition that throws) / the trigger
# was skipped (conditions false).
EXIT_SUCCEEDED, EXIT_FAILED, EXIT_REFUSED, EXIT_SKIPPED = 0, 1, 2, 3


def _print_refusal(args, err) -> None:
    """A refused call as the server answers it: the status and the host's error envelope."""
    body = {"error": {"code": err.code, "message": err.message}}
    if args.json:
        print(json.dumps({"response": {"status": err.status, "headers": {}, "body": body}, "run": None},
                         indent=2))
    else:
        print(f"response: {err.status}")
        print(json.dumps(body, indent=2))


async def _run(wf, trigger_name: str, outputs: dict, options):
    """Fire the trigger and wait for the run: (the Response's answer or None, the run record, invocation)."""
    from ..runtime import trigger

    inv = await trigger.fire(wf, trigger_name, outputs, options)
    if inv.skipped:
        return None, None, inv
    answer = await trigger.answer(inv, expects_response=True, polling=False, timeout=None)
    record = await inv.done
    return answer.response, record, inv


def _print(args, wf, response, record) -> None:
    from ..expressions.values import to_json_value
    from ..runtime.run import format_tree

    shown = None if response is None else {"status": response["status"], "headers": response["headers"],
                                           "body": to_json_value(response.get("body"))}
    if args.json:
        print(json.dumps({"response": shown, "run": to_json_value(record)}, indent=2, default=str))
        return
    if shown is None:
        print("response: none (the host answers 202 Accepted, or 502 NoResponse when a Response was expected)")
    else:
        print(f"response: {shown['status']}")
        for k, v in shown["headers"].items():
            print(f"  {k}: {v}")
        body = shown["body"]
        print(body if isinstance(body, str) else json.dumps(body, indent=2))
    print(format_tree(record, wf))
