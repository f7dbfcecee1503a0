"""Small workflow definitions for the server's tests (loaded and run by the real loader and runtime)."""

from __future__ import annotations


def flow(actions: dict | None = None, trigger_inputs: dict | None = None, trigger_name: str = "manual",
         **trigger_extra) -> dict:
    trigger = {"type": "Request", "kind": "Http", "inputs": trigger_inputs or {}}
    trigger.update(trigger_extra)
    return {"definition": {"$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/"
                                      "2016-06-01/workflowdefinition.json#",
                           "contentVersion": "1.0.0.0", "triggers": {trigger_name: trigger},
                           "actions": actions if actions is not None else {}}}


def response(status=200, body=None, headers=None, **extra) -> dict:
    inputs = {"statusCode": status}
    if body is not None:
        inputs["body"] = body
    if headers is not None:
        inputs["headers"] = headers
    return {"type": "Response", "kind": "Http", "inputs": inputs, **extra}


ECHO = flow({"Response": response(200, "@triggerOutputs()")})


def wait(seconds: float) -> dict:
    """A Wait action on the real clock (fractions of a second are fine)."""
    return {"type": "Wait", "inputs": {"interval": {"count": seconds, "unit": "Second"}}, "runAfter": {}}


def after(action: dict, *names: str, statuses=("Succeeded",)) -> dict:
    return dict(action, runAfter={n: list(statuses) for n in names})


FAIL_RUN = {"type": "Terminate", "inputs": {"runStatus": "Failed"}, "runAfter": {}}
