"""JSON Schema validation with the host's (Newtonsoft.Json.Schema) wording.

Used by ParseJson (``ValidationFailed`` details) and available to the server for the Request
trigger's ``EnableSchemaValidation`` (``TriggerInputSchemaMismatch`` messages).
"""

from __future__ import annotations

import jsonschema

from ..expressions.values import to_json_value, type_name

_JSON_TYPES = {"string": "String", "integer": "Integer", "number": "Number", "boolean": "Boolean",
               "object": "Object", "array": "Array", "null": "Null"}


def _got(value) -> str:
    name = type_name(value)
    return "Float" if name == "Float" else name


def _path(error) -> str:
    out = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(error) -> str:
    v = error.validator
    inst = error.instance
    if v == "type":
        want = error.validator_value
        wants = want if isinstance(want, list) else [want]
        names = ", ".join(_JSON_TYPES.get(w, str(w)) for w in wants)
        return f"Invalid type. Expected {names} but got {_got(inst)}."
    if v == "required":
        missing = [r for r in error.validator_value if isinstance(inst, dict) and r not in inst]
        return f"Required properties are missing from object: {', '.join(missing)}."
    if v == "additionalProperties":
        extra = [k for k in inst if k not in (error.schema.get("properties") or {})]
        return (f"Property '{extra[0] if extra else '?'}' has not been defined and the schema does not allow "
                "additional properties.")
    if v == "pattern":
        return f"String '{inst}' does not match regex pattern '{error.validator_value}'."
    if v == "enum":
        return f"Value {_json(inst)} is not defined in enum."
    if v == "minLength":
        return f"String '{inst}' is less than minimum length of {error.validator_value}."
    if v == "maxLength":
        return f"String '{inst}' exceeds maximum length of {error.validator_value}."
    if v == "minimum":
        return f"Integer {inst} is less than minimum value of {error.validator_value}."
    if v == "maximum":
        return f"Integer {inst} exceeds maximum value of {error.validator_value}."
    if v == "minItems":
        return f"Array item count {len(inst)} is less than minimum count of {error.validator_value}."
    if v == "maxItems":
        return f"Array item count {len(inst)} exceeds maximum count of {error.validator_value}."
    return error.message


def _json(value) -> str:
    import json

    return json.dumps(value)


def _validator(schema):
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    return cls(schema)


def schema_errors(value, schema) -> list[dict]:
    """Newtonsoft-style error dicts: ``message``, ``path``, ``errorType``, ``schemaId``..."""
    if not isinstance(schema, dict) or not schema:
        return []
    try:
        validator = _validator(schema)
    except jsonschema.SchemaError:
        return []
    out = []
    for err in sorted(validator.iter_errors(to_json_value(value)), key=lambda e: list(map(str, e.absolute_path))):
        path = _path(err)
        out.append({"message": _message(err), "lineNumber": 0, "linePosition": 0, "path": path,
                    "value": to_json_value(err.instance) if err.validator != "required" else None,
                    "schemaId": "#/" + "/".join(str(p) for p in list(err.absolute_schema_path)[:-1]),
                    "errorType": err.validator, "childErrors": []})
    return out


def trigger_mismatch_message(trigger_name: str, errors: list[dict]) -> str:
    """The TriggerInputSchemaMismatch message (spec §5)."""
    details = ",".join(e["message"] for e in errors)
    return (f"The input body for trigger '{trigger_name}' of type 'Request' did not match its schema definition. "
            f"Error details: '{details}'.")
