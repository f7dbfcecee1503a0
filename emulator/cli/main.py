"""Command line: ``python -m emulator`` / ``logicapps-emulator``.

Each sub-command lives in a small ``cmd_*`` function registered in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import sys

COMMANDS = {}


def command(name: str, help_text: str):
    def decorate(fn):
        COMMANDS[name] = (fn, help_text)
        return fn

    return decorate


def _add_eval(sub):
    p = sub.add_parser("eval", help="evaluate one template string and print the JSON result")
    p.add_argument("template", help="a JSON string value, e.g. \"@concat('a','b')\"")
    p.add_argument("--context", help="JSON file with the run state (parameters, variables, trigger, actions...)")
    p.add_argument("--now", help="frozen UTC clock, ISO 8601")
    return p


@command("eval", "evaluate one template string")
def cmd_eval(args) -> int:
    from ..expressions import EvalContext, ExpressionError, compile_template, to_json_value
    from ..expressions.values import to_json_text
    from .conformance import parse_now

    mapping = {}
    if args.context:
        with open(args.context, encoding="utf-8-sig") as fh:
            mapping = json.load(fh)
    ctx = EvalContext.from_mapping(mapping, now=parse_now(args.now) if args.now else None)
    try:
        value = compile_template(args.template).evaluate(ctx)
    except ExpressionError as exc:
        where = f" (column {exc.column})" if exc.column else ""
        print(json.dumps({"error": {"code": exc.code, "message": exc.message + where}}), file=sys.stderr)
        return 1
    print(to_json_text(to_json_value(value), indent=2))
    return 0


@command("conformance", "run expression conformance case files")
def cmd_conformance(args) -> int:
    from .conformance import run

    return run(args.files, sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logicapps-emulator",
        description="Local emulator of HTTP-triggered Azure Logic Apps and Power Automate workflows.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_eval(sub)
    p = sub.add_parser("conformance", help="run expression conformance case files")
    p.add_argument("files", nargs="+")
    for extend in EXTENSIONS:
        extend(sub)
    return parser


# The modules of this package that add sub-commands (``SUBCOMMAND_MODULES``): each appends a function
# taking the subparsers object to EXTENSIONS and registers its handler with @command(name, help).
EXTENSIONS: list = []
SUBCOMMAND_MODULES = ("run", "serve", "token", "audit", "flowtests")


def main(argv=None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    fn, _ = COMMANDS[args.command]
    try:
        return fn(args)
    except BrokenPipeError:  # the reader went away (`run ... | head`): stop quietly, as Unix tools do
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout at exit: into nowhere, not a traceback
        return 141  # what a shell reports for a process ended by SIGPIPE (128 + 13)


def _load_extensions() -> None:
    """Import the modules that contribute sub-commands (validate and run, serve, token)."""
    import importlib

    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"{__package__}.{name}")
