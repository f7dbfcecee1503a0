"""JSON Schema validation with the host's (Newtonsoft.Json.Schema) wording.

One place for both users: ParseJson (``ValidationFailed`` error details, :func:`schema_errors`) and the
server's Request trigger with ``EnableSchemaValidation`` (``TriggerInputSchemaMismatch``,
:class:`CompiledSchema` and :func:`trigger_mismatch_message`).
"""

from __future__ import annotations

import json
import re

import jsonschema

from ..expressions.values import to_json_value, type_name

_TYPE_NAMES = {"object": "Object", "array": "Array", "string": "String", "integer": "Integer",
               "number": "Number", "boolean": "Boolean", "null": "Null"}
_LAST = 1 << 30


def _num(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def message(error) -> str:
    """Newtonsoft's text for one jsonschema error."""
    v, inst, arg = error.validator, error.instance, error.validator_value
    if v == "type":
        wanted = arg if isinstance(arg, list) else [arg]
        names = ", ".join(_TYPE_NAMES.get(t, str(t)) for t in wanted)
        return f"Invalid type. Expected {names} but got {type_name(inst)}."
    if v == "required":
        missing = [r for r in arg if isinstance(inst, dict) and r not in inst]
        return f"Required properties are missing from object: {', '.join(missing)}."
    if v == "additionalProperties":
        extra = _undefined_properties(error)
        return (f"Property '{extra[0] if extra else '?'}' has not been defined and the schema does not allow "
                "additional properties.")
    if v == "pattern":
        return f"String '{inst}' does not match regex pattern '{arg}'."
    if v == "enum":
        return f"Value {json.dumps(inst)} is not defined in enum."
    if v == "minLength":
        return f"String '{inst}' is less than minimum length of {arg}."
    if v == "maxLength":
        return f"String '{inst}' exceeds maximum length of {arg}."
    if v == "minimum":
        return f"{type_name(inst)} {_num(inst)} is less than minimum value of {_num(arg)}."
    if v == "maximum":
        return f"{type_name(inst)} {_num(inst)} exceeds maximum value of {_num(arg)}."
    if v == "minItems":
        return f"Array item count {len(inst)} is less than minimum count of {arg}."
    if v == "maxItems":
        return f"Array item count {len(inst)} exceeds maximum count of {arg}."
    if v == "format":
        return f"String '{inst}' does not validate against format '{arg}'."
    return error.message


def _undefined_properties(error) -> list[str]:
    defined = error.schema.get("properties") or {}
    patterns = error.schema.get("patternProperties") or {}
    return [k for k in (error.instance or {}) if k not in defined and not any(re.search(p, k) for p in patterns)]


def _path(error) -> str:
    out = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def compile_schema(schema) -> jsonschema.protocols.Validator | None:
    """A validator for ``schema`` (draft from ``$schema``, Draft 4 by default); None for an invalid schema."""
    if not isinstance(schema, dict) or not schema:
        return None
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError:
        return None  # an invalid schema validates nothing (the designer would refuse it)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(value, schema) -> list[dict]:
    """ParseJson's Newtonsoft-style error dicts: ``message``, ``path``, ``errorType``, ``schemaId``..."""
    validator = compile_schema(schema)
    if validator is None:
        return []
    out = []
    required_at = set()  # jsonschema reports each missing property apart; Newtonsoft lists them in one error
    for err in sorted(validator.iter_errors(to_json_value(value)), key=lambda e: list(map(str, e.absolute_path))):
        if err.validator == "required":
            where = tuple(err.absolute_path)
            if where in required_at:
                continue
            required_at.add(where)
        out.append({"message": message(err), "lineNumber": 0, "linePosition": 0, "path": _path(err),
                    "value": to_json_value(err.instance) if err.validator != "required" else None,
                    "schemaId": "#/" + "/".join(str(p) for p in list(err.absolute_schema_path)[:-1]),
                    "errorType": err.validator, "childErrors": []})
    return out


class CompiledSchema:
    """A trigger schema compiled once; :meth:`messages` lists a body's errors in Newtonsoft's order."""

    def __init__(self, schema: dict):
        self._validator = compile_schema(schema)

    def messages(self, body) -> list[str]:
        """An object's own errors, its properties in document order, then ``required``."""
        if self._validator is None:
            return []
        found: list[tuple[list, object]] = []
        missing: dict[tuple, list[str]] = {}
        for error in self._validator.iter_errors(body):
            path = list(error.absolute_path)
            if error.validator == "required":
                key = tuple(path)
                if key not in missing:
                    missing[key] = []
                    found.append((_position(body, path) + [_LAST], key))
                missing[key].extend(r for r in error.validator_value
                                    if isinstance(error.instance, dict) and r not in error.instance
                                    and r not in missing[key])
            elif error.validator == "additionalProperties":
                for k in _undefined_properties(error):
                    found.append((_position(body, path + [k]) + [-1],
                                  f"Property '{k}' has not been defined and the schema does not allow "
                                  "additional properties."))
            else:
                found.append((_position(body, path) + [-1], message(error)))
        found.sort(key=lambda item: item[0])
        return [f"Required properties are missing from object: {', '.join(missing[m])}." if isinstance(m, tuple)
                else m for _, m in found]


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


def trigger_mismatch_message(trigger_name: str, messages: list[str]) -> str:
    """The TriggerInputSchemaMismatch message (spec §5)."""
    return (f"The input body for trigger '{trigger_name}' of type 'Request' did not match its schema definition. "
            f"Error details: '{','.join(messages)}'.")
