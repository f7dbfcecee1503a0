"""``--limit NAME=VALUE`` and ``--limits FILE`` for ``serve`` and ``run`` (emulator/limits.py, docs/limits.md)."""

from __future__ import annotations

import sys

from .. import limits


def add_limit_args(parser) -> None:
    parser.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                        help="change one host limit, e.g. foreach_items=1000 (repeatable; names in docs/limits.md)")
    parser.add_argument("--limits", metavar="FILE", default=None,
                        help="a JSON object of host limits to change ({\"body_bytes\": 1048576, ...})")


def limits_from(args, command: str) -> limits.Limits | None:
    """The limits the arguments ask for, installed for the whole process; None (after a message) when an
    argument is wrong."""
    try:
        chosen = limits.parse_overrides(args.limit, args.limits)
    except (OSError, ValueError) as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return None
    limits.install(chosen)
    return chosen
