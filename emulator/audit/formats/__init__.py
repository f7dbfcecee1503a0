"""Report formats, registered by name: ``table`` (people), ``json`` (scripts), ``sarif`` (code scanning)."""

from __future__ import annotations

import importlib

FORMATS: dict[str, object] = {}
MODULES = ("table", "json_report", "sarif")


def report_format(name: str):
    def decorate(fn):
        FORMATS[name] = fn
        return fn
    return decorate


def render(report, name: str) -> str:
    """The report as text in the format ``name``."""
    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return FORMATS[name](report)


def names() -> tuple[str, ...]:
    return ("table", "json", "sarif")
