"""The host's wording of the messages a trigger call and a run share, each in one place.

The server answers with them (``{"error": {"code", "message"}}``), the ``run`` command prints them, and the
runtime writes them into run records; the words follow the Azure host (spec §7, §8).
"""

from __future__ import annotations


def expression_failed(detail: str) -> str:
    """A trigger condition (or the correlation) that throws: the inner message of the caller's 400."""
    return f"The template language expression evaluation failed: '{detail}'."


def trigger_expressions_failed(trigger: str, part: str, message: str) -> str:
    """400 InvalidTemplate: ``part`` is ``conditions`` or ``correlation``; ``message`` already worded."""
    return f"Unable to process template language expressions in trigger '{trigger}' {part}: {message}"


def trigger_evaluation_failed(trigger: str, detail: str) -> str:
    """400 InvalidTemplate when the trigger's expressions cannot even be evaluated (an emulator safety net)."""
    return trigger_expressions_failed(trigger, "conditions", f"evaluation failed: '{detail}'.")


def no_response(run_id: str) -> str:
    """502 NoResponse: the run ended (or its Responses were skipped) without answering the caller."""
    return f"The server did not receive a response from an upstream server. Request tracking id '{run_id}'."


def response_timed_out(action: str) -> str:
    """504 ActionResponseTimedOut: the caller's answer when no Response ran in time."""
    return (f"The execution of template action '{action}' is failed: the client application timed out waiting "
            "for a response from service. This means that workflow took longer to respond than the alloted "
            "timeout value. The connection maintained between the client application and service will be "
            "closed and client application will get an HTTP status code 504 Gateway Timeout.")


def response_action_timed_out(action: str) -> str:
    """The Response action's own failure (in the run record) when it runs after the caller gave up."""
    return (f"The execution of template action '{action}' failed: the client application timed out waiting "
            "for a response from service. This means that workflow took longer to respond than the alloted "
            "timeout value.")


def method_not_valid(expected: str, actual: str) -> str:
    """400 TriggerRequestMethodNotValid."""
    return f"The HTTP method for this request is not valid: expected '{expected}' and actual '{actual}'."


def path_not_valid(path: str, trigger: str, expected: str) -> str:
    """404 TriggerRequestPathNotValid; ``expected`` is ``'template'`` (quoted) or ``no relative path``."""
    return (f"The request path '{path}' does not match the relative path of trigger '{trigger}': "
            f"expected {expected}.")


def invalid_content(detail: str) -> str:
    """400 InvalidRequestContent."""
    return f"The request content is not valid and could not be deserialized: '{detail}'."


def run_timed_out(seconds: float) -> str:
    """A run that went on past the run duration limit (the host's wording is not documented)."""
    return (f"The workflow run did not finish within the run duration limit of {seconds:g} seconds "
            f"and was timed out.")


TERMINATED_FAILED = "The run was terminated with status 'Failed'."
