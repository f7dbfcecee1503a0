"""Every host limit the emulator enforces, in one place (docs/limits.md).

:class:`Limits` holds them all; the defaults are the host's documented values (Azure Logic Apps "Limits and
configuration reference", spec runtime.md §9), or a documented choice where the host's is unknown.

How a value reaches the code that enforces it:

- the server's limits (body, URL, header line, body read time) through ``ServerConfig.limits``;
- a run's limits (Foreach items, Until iterations, variable size, run duration) through ``RunOptions.limits``
  (the server passes its own on);
- the expression limits (characters per expression, function result size) and the action nesting depth are
  read when a workflow is compiled or an expression runs, from the process-wide :func:`active` value, which
  :func:`install` sets (``serve`` and ``run`` install theirs before loading anything).

``serve --limit NAME=VALUE`` (repeatable) or ``--limits FILE`` (a JSON object of the same names) change them;
:func:`parse_overrides` reads both forms. This module imports nothing of the emulator: every layer may use it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, fields
from pathlib import Path

DAY = 86_400.0


@dataclass(frozen=True)
class Limits:
    # -- the HTTP request (server) --------------------------------------------------------------
    body_bytes: int = 104_857_600          # message size, 100 MB: 413 RequestContentTooLarge
    url_chars: int = 16_384                # request URL length: 414 RequestUrlTooLong
    header_line_bytes: int = 32_768        # one header line (the host's is not documented): 400
    header_count: int = 100                # headers per request (Kestrel's MaxRequestHeaderCount): 400
    body_read_seconds: float = 120.0       # whole body read (the inbound request timeout): 408
    body_min_rate: float = 240.0           # bytes per second after a grace period (Kestrel's default): 408
    body_grace_seconds: float = 5.0
    idle_seconds: float = 30.0             # a connection without a whole request head is closed (Kestrel: 30 s)
    # -- expressions ----------------------------------------------------------------------------
    expression_chars: int = 8_192          # characters per expression: load error
    string_result_chars: int = 104_857_600  # concat/join results: expression error
    regex_seconds: float = 2.0             # one Regex match in a gateway policy expression (ours): 500
    # -- runs -----------------------------------------------------------------------------------
    foreach_items: int = 100_000           # Foreach array items: action fails
    until_iterations: int = 5_000          # the largest Until limit.count: action fails
    variable_chars: int = 104_857_600      # a string variable's length: action fails
    variable_items: int = 100_000          # an array variable's items: action fails
    run_seconds: float = 90 * DAY          # run duration: the run ends TimedOut
    nesting_depth: int = 8                 # actions nested in actions: load error

    def replace(self, **changes) -> Limits:
        return dataclasses.replace(self, **changes)


DEFAULT = Limits()
_active = DEFAULT


def active() -> Limits:
    """The limits in force for compiling workflows and evaluating expressions."""
    return _active


def install(limits: Limits) -> None:
    """Make ``limits`` the process-wide :func:`active` value (``serve``/``run`` do it once at startup)."""
    global _active
    _active = limits


NAMES = {f.name: f.type for f in fields(Limits)}


def parse_overrides(pairs=(), file: str | Path | None = None, base: Limits = DEFAULT) -> Limits:
    """``base`` with the values of a JSON file (an object of limit names) and then ``NAME=VALUE`` pairs.

    Raises ValueError naming the unknown limit or the value that is not a number.
    """
    changes: dict = {}
    if file:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{file}: a limits file holds one JSON object of limit names")
        changes.update(data)
    for pair in pairs or ():
        name, sep, value = str(pair).partition("=")
        if not sep:
            raise ValueError(f"--limit {pair!r}: expected NAME=VALUE")
        changes[name.strip()] = value.strip()
    typed = {}
    for name, value in changes.items():
        kind = NAMES.get(name)
        if kind is None:
            raise ValueError(f"unknown limit {name!r} (known: {', '.join(NAMES)})")
        try:
            number = float(value) if kind == "float" else int(str(value).replace("_", ""))
        except ValueError:
            raise ValueError(f"limit {name}: {value!r} is not a number") from None
        if number <= 0:
            raise ValueError(f"limit {name}: must be greater than 0")
        typed[name] = number
    return base.replace(**typed)
