"""What the engines the host runs itself share (Xslt, Liquid, XmlValidation, JavaScriptCode).

A mock given for the action (by name or type) still wins: :class:`BuiltIn` asks the mocks first and runs
the engine only when none answers. The helpers read an action's ``content`` as XML text or JSON.
"""

from __future__ import annotations

import json

from ...expressions.values import Blob, blob_from_envelope, to_json_value, type_name
from ..errors import ActionFailure, invalid_template
from . import artifacts
from .inline import answered_by_mock
from .outbound import request_summary
from .registry import Handler

XML = "application/xml"
JSON = "application/json"
TEXT = "text/plain"


class BuiltIn(Handler):
    """Evaluate the inputs, give a mock the first word, else :meth:`run` the engine."""

    artifact: tuple | None = None  # ("map" | "schema", compile function): prepared at load when literal

    @classmethod
    def compile(cls, action, compiler) -> None:
        super().compile(action, compiler)
        if cls.artifact is not None:
            artifacts.prepare(action, compiler, *cls.artifact)

    @staticmethod
    async def execute(step) -> None:
        inputs = step.evaluate_inputs() or {}
        step.inputs = inputs
        if await answered_by_mock(step, request_summary(step, body=inputs)):
            return
        pending = step.action.handler.run(step, inputs)
        if pending is not None:  # an engine that runs in a worker thread
            await pending

    @staticmethod
    def run(step, inputs: dict):  # pragma: no cover - abstract
        raise NotImplementedError


def artifact_of(step, inputs: dict):
    """The map or schema the action names (its handler's ``artifact``), compiled once: at load when literal."""
    return artifacts.load(step, inputs, *step.action.handler.artifact)


def one_line(message) -> str:
    """An engine's message (an exception or its text) on one line, as the action's error shows it."""
    return " ".join(str(message).split())


def _required(step, value, what: str) -> None:
    """A null ``content`` fails as the host's input validation words it (Azure docs issue 63564)."""
    if value is None:
        raise invalid_template(step.name, f"Required property '{what}' expects a value but got null. Path ''.")


def content_bytes(step, value, what: str = "content") -> bytes:
    """The XML (or text) an action reads: a Blob's bytes, a string's UTF-8, a number's text."""
    _required(step, value, what)
    blob = blob_from_envelope(value) if isinstance(value, dict) else None
    if isinstance(blob, Blob):
        return blob.data
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise ActionFailure("InvalidTemplate", f"The '{what}' of action '{step.name}' must be XML text; the value is "
                        f"of type '{type_name(value)}'.")


def content_json(step, value):
    """The JSON an action reads: objects and arrays as they are, JSON text or a JSON Blob parsed."""
    _required(step, value, "content")
    blob = blob_from_envelope(value) if isinstance(value, dict) else None
    if isinstance(blob, Blob):
        value = blob.text()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ActionFailure("InvalidJSON", f"The 'content' of action '{step.name}' is not valid JSON: "
                                f"'{exc.msg}, line {exc.lineno}, position {exc.colno}'.") from None
    return to_json_value(value)


def text_body(data: str | bytes, content_type: str) -> Blob:
    """An output body with its content type (the Response action sends it as is)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return Blob(raw, content_type)
