"""Action failures as data: the status, code and error an action ends with."""

from __future__ import annotations

from ..definitions.status import FAILED


class ActionFailure(Exception):
    """Raised by an action handler to end the action with ``status``/``code``/``error``."""

    def __init__(self, code: str, message: str, *, error_code: str | None = None, status: str = FAILED,
                 record_code: str = "BadRequest", inputs=None, outputs=None, details=None):
        super().__init__(message)
        self.status = status
        self.record_code = record_code
        self.error = {"code": error_code or code, "message": message}
        if details is not None:
            self.error["details"] = details
        self.inputs = inputs
        self.outputs = outputs
        self.retriable = False  # outbound: a connection failure the retry policy may retry


def invalid_template(action_name: str, err, where: str = "inputs") -> ActionFailure:
    """The host's wrapper for an expression that failed while evaluating an action's inputs."""
    column = getattr(err, "column", None) or 0
    detail = getattr(err, "message", str(err))
    if where == "inputs":
        text = (f"Unable to process template language expressions in action '{action_name}' inputs at line "
                f"'1' and column '{column}': '{detail}'.")
    else:
        text = (f"Unable to process template language expressions for action '{action_name}' at line '1' "
                f"and column '{column}': '{detail}'.")
    return ActionFailure("InvalidTemplate", text, record_code="BadRequest")


class HostError(Exception):
    """A call the host answers with an error instead of a run's answer: a status, the host's code and message.

    Raised for a trigger call (:mod:`emulator.runtime.trigger`: method, path, content, conditions, no response,
    time-out) and, as the server's :class:`~emulator.server.errors.HttpError`, for everything around it (SAS,
    routing, limits). Plain data: whoever answers the caller turns it into ``{"error": {"code", "message"}}``.
    """

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}
