"""Our JSON Schema of the workflow definition language, checked with ``jsonschema`` at load."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("definition.schema.json")


@lru_cache(maxsize=1)
def validator():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def json_path(base: str, parts) -> str:
    path = base
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif str(part).isidentifier():
            path += f".{part}"
        else:
            path += f"['{part}']"
    return path


def check_definition(definition, base_path: str = "$") -> list[tuple[str, str]]:
    """``[(json_path, message)]`` for every structural error, deepest first in document order."""
    errors = sorted(validator().iter_errors(definition), key=lambda e: [str(p) for p in e.absolute_path])
    return [(json_path(base_path, e.absolute_path), _message(e)) for e in errors]


def _message(error) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "pattern" and error.schema.get("pattern", "").startswith("^(?i:succeeded"):
        return (f"'{error.instance}' is not a valid runAfter status; expected one of Succeeded, Failed, "
                "Skipped, TimedOut")
    return error.message
