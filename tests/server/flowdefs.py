"""Small workflow definitions for the server's tests (run by tests/server/fake_runtime.py)."""

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
