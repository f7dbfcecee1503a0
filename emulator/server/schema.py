"""EnableSchemaValidation: the trigger's JSON schema checked with Newtonsoft.Json.Schema wording (spec §5)."""

from __future__ import annotations

import json

import jsonschema

from .errors import HttpError

_TYPE_NAMES = {"object": "Object", "array": "Array", "string": "String", "integer": "Integer",
               "number": "Number", "boolean": "Boolean", "null": "Null"}


def _kind(value) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def _num(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


class SchemaCheck:
    """A compiled trigger schema; ``check(body)`` raises HttpError 400 TriggerInputSchemaMismatch."""

    def __init__(self, trigger_name: str, schema: dict):
        self.trigger_name = trigger_name
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
        try:
            cls.check_schema(schema)
            self._validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        except jsonschema.SchemaError:
            self._validator = None  # an invalid schema validates nothing (the designer would refuse it)

    def messages(self, body) -> list[str]:
        """Newtonsoft's order: an object's own errors, its properties in document order, then ``required``."""
        if self._validator is None:
            return []
        found: list[tuple[list, str]] = []
        missing: dict[tuple, list[str]] = {}
        for error in self._validator.iter_errors(body):
            path = list(error.absolute_path)
            if error.validator == "required":
                key = tuple(path)
                if key not in missing:
                    missing[key] = []
                    found.append((_position(body, path) + [_LAST], key))
                missing[key].append(error.message.split("'")[1] if "'" in error.message else error.message)
            elif error.validator == "additionalProperties":
                for k in error.instance or {}:
                    if k not in (error.schema.get("properties") or {}) and not _pattern_match(error.schema, k):
                        found.append((_position(body, path + [k]) + [-1],
                                      f"Property '{k}' has not been defined and the schema does not allow "
                                      "additional properties."))
            else:
                found.append((_position(body, path) + [-1], _message(error)))
        found.sort(key=lambda item: item[0])
        return [f"Required properties are missing from object: {', '.join(missing[m])}." if isinstance(m, tuple)
                else m for _, m in found]

    def check(self, body) -> None:
        errors = self.messages(body)
        if errors:
            raise HttpError(400, "TriggerInputSchemaMismatch",
                            f"The input body for trigger '{self.trigger_name}' of type 'Request' did not match its "
                            f"schema definition. Error details: '{','.join(errors)}'.")


_LAST = 1 << 30


def _position(instance, path: list) -> list[int]:
    """Document-order position of a path: the index of each key in its object (or of each item)."""
    out = []
    node = instance
    for key in path:
        if isinstance(node, dict):
            keys = list(node)
            out.append(keys.index(key) if key in node else len(keys))
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int):
            out.append(key)
            node = node[key] if key < len(node) else None
        else:
            out.append(0)
            node = None
    return out


def _pattern_match(schema: dict, key: str) -> bool:
    import re

    return any(re.search(p, key) for p in (schema.get("patternProperties") or {}))


def _message(error) -> str:
    v, inst, arg = error.validator, error.instance, error.validator_value
    if v == "type":
        wanted = arg if isinstance(arg, list) else [arg]
        names = ", ".join(_TYPE_NAMES.get(t, str(t)) for t in wanted)
        return f"Invalid type. Expected {names} but got {_kind(inst)}."
    if v == "pattern":
        return f"String '{inst}' does not match regex pattern '{arg}'."
    if v == "enum":
        return f"Value {json.dumps(inst)} is not defined in enum."
    if v == "minLength":
        return f"String '{inst}' is less than minimum length of {arg}."
    if v == "maxLength":
        return f"String '{inst}' exceeds maximum length of {arg}."
    if v == "minimum":
        return f"{_kind(inst)} {_num(inst)} is less than minimum value of {_num(arg)}."
    if v == "maximum":
        return f"{_kind(inst)} {_num(inst)} exceeds maximum value of {_num(arg)}."
    if v == "minItems":
        return f"Array item count {len(inst)} is less than minimum count of {arg}."
    if v == "maxItems":
        return f"Array item count {len(inst)} exceeds maximum count of {arg}."
    if v == "format":
        return f"String '{inst}' does not validate against format '{arg}'."
    return error.message
