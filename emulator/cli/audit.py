"""``audit PATH... [--gateway FILE] [--format table|json|sarif] [--fail-on high|medium|low]``: who can call
each flow, what protects it, and the findings (docs/audit.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from .main import EXTENSIONS, command


def _add(sub) -> None:
    p = sub.add_parser("audit", help="security audit of flows: who can call them and what protects them")
    p.add_argument("paths", nargs="+", metavar="PATH", help="workflow files, .zip packages or folders")
    p.add_argument("--gateway", metavar="FILE", help="gateway configuration (apis[].backend) to check for bypasses")
    p.add_argument("--format", choices=("table", "json", "sarif"), default="table")
    p.add_argument("--fail-on", choices=("high", "medium", "low"), default=None,
                   help="exit 1 when a finding has this severity or higher")


EXTENSIONS.append(_add)


@command("audit", "security audit of flows")
def cmd_audit(args) -> int:
    from ..audit import GatewayFileError, audit_paths
    from ..audit.formats import render
    from ..server.access import AccessPolicy

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:  # a mistyped PATH must not pass a CI gate with "no findings"
        for path in missing:
            print(f"error: {path}: no such file or folder", file=sys.stderr)
        return 2
    try:
        report = audit_paths(args.paths, access_policy=AccessPolicy.from_workflow, gateway=args.gateway)
    except GatewayFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(report, args.format))
    if args.format != "table":
        for problem in report.problems:
            print(f"problem: {problem}", file=sys.stderr)
    return 1 if report.fails(args.fail_on) else 0
