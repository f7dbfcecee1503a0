"""``XmlValidation`` (XML Validation): the ``content`` checked against an XSD with ``xmlschema`` (XSD 1.0).

The schema is named as maps are (``integrationAccount.schema.name``, ``schema: {"source", "name"}``, or
inline as ``schema.content``) and found in ``Artifacts/Schemas`` or the integration-account folder's
``Schemas/`` (see :mod:`.artifacts`); includes and imports resolve beside the file. Schemas are compiled
once per file version.

Valid content: the action succeeds (no outputs). Invalid content fails it with ``XmlValidationFailed``,
every validator message in ``error.details`` and ``outputs.errors``; content that is not XML at all fails
with ``InvalidXml``; a schema that does not compile with ``InvalidSchema``.
"""

from __future__ import annotations

import io

from ..errors import ActionFailure
from .builtin import BuiltIn, artifact_of, content_bytes, one_line
from .registry import action_type

MAX_ERRORS = 100


def compile_schema(data: bytes, path=None):
    import xmlschema

    try:
        if path is not None:
            return xmlschema.XMLSchema10(str(path.resolve()))
        return xmlschema.XMLSchema10(io.BytesIO(data))
    except (xmlschema.XMLSchemaException, SyntaxError, ValueError) as exc:
        raise ActionFailure("InvalidSchema", f"The schema could not be compiled: {_one_line(exc)}") from None


def _one_line(exc) -> str:
    """xmlschema's own ``message`` when the error has one, else its text, on one line."""
    return one_line(getattr(exc, "message", None) or exc)


def describe(error) -> dict:
    """One validator message as the action reports it."""
    item = {"message": _one_line(error.reason or error.message)}
    if getattr(error, "path", None):
        item["path"] = error.path
    line = getattr(getattr(error, "elem", None), "sourceline", None)
    if line:
        item["line"] = line
    return item


@action_type("XmlValidation")
class XmlValidation(BuiltIn):
    artifact = ("schema", compile_schema)

    @staticmethod
    def run(step, inputs: dict) -> None:
        from xml.etree.ElementTree import ParseError

        import xmlschema

        schema = artifact_of(step, inputs)
        data = content_bytes(step, inputs.get("content"))
        try:
            document = xmlschema.XMLResource(io.BytesIO(data))
        except (ParseError, xmlschema.XMLResourceError, SyntaxError) as exc:
            raise ActionFailure("InvalidXml", f"The 'content' of action '{step.name}' is not valid XML: "
                                f"{_one_line(exc)}") from None
        errors = []
        for error in schema.iter_errors(document):
            errors.append(describe(error))
            if len(errors) >= MAX_ERRORS:
                break
        if errors:
            raise ActionFailure("XmlValidationFailed", f"The XML validation of action '{step.name}' failed: "
                                f"{errors[0]['message']}", details=errors, outputs={"errors": errors})
