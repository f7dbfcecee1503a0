"""Workflow: call another loaded workflow's Request trigger in-process and wait for its response."""

from __future__ import annotations

from ...definitions.status import FAILED
from ...expressions.values import to_string
from .. import trigger
from ..errors import ActionFailure, HostError
from ..invocation import CLIENT_TRACKING_HEADER
from .outbound import apply_answer, log_call, request_summary, set_http_outputs
from .registry import Handler, action_type


def _target(options, inputs: dict):
    host = inputs.get("host") or {}
    wf_ref = (host.get("workflow") or {}).get("id") or host.get("workflowName") or ""
    name = str(wf_ref).rstrip("/").rsplit("/", 1)[-1]
    workflows = options.workflow_map()
    for key, wf in workflows.items():
        if key.lower() == name.lower() or wf.name.lower() == name.lower():
            return wf, host.get("triggerName")
    return None, host.get("triggerName")


@action_type("Workflow")
class Workflow(Handler):
    @staticmethod
    async def execute(step):
        inputs = step.evaluate_inputs() or {}
        step.inputs = inputs
        options = step.run.options
        request = request_summary(step, path=str(((inputs.get("host") or {}).get("workflow") or {}).get("id", "")),
                                  headers=inputs.get("headers"), body=inputs.get("body"))
        mocked = options.mocks.find(request)
        if mocked is not None:
            set_http_outputs(step, await apply_answer(step, mocked, request))
            return
        child, trigger_name = _target(options, inputs)
        if child is None:
            log_call(step, request, None, None)
            raise ActionFailure("WorkflowNotFound", f"The workflow called by action '{step.name}' "
                                f"('{request.get('path')}') is not loaded in the emulator; load it next to this "
                                "workflow or mock the action.", record_code="NotFound")
        headers = {str(k): to_string(v) for k, v in (inputs.get("headers") or {}).items()}
        if not any(k.lower() == CLIENT_TRACKING_HEADER for k in headers):  # the child shares the caller's id
            headers[CLIENT_TRACKING_HEADER] = step.run.client_tracking_id
        outputs = {"headers": {"Content-Type": "application/json", **headers}}
        if "body" in inputs:
            outputs["body"] = inputs["body"]
        try:
            inv = await trigger.fire(child, trigger_name, outputs, options)
        except KeyError as exc:
            raise ActionFailure("WorkflowTriggerNotFound", str(exc.args[0]), record_code="NotFound") from None
        except HostError as err:
            raise ActionFailure(err.code, err.message) from None
        if inv.skipped:
            set_http_outputs(step, {"statusCode": 202, "headers": {}})
            return
        # The action waits for the child's Response (even an asynchronous one) or the end of its run.
        answer = await trigger.answer(inv, expects_response=True, polling=False, timeout=None)
        child_run = {"name": inv.run_id, "id": inv.record.get("id")}
        kind = answer.kind
        if kind is trigger.AnswerKind.NO_RESPONSE:
            if inv.done.done() and inv.record.get("status") == FAILED and child.has_response_action:
                err = trigger.no_response(inv.run_id)
                raise ActionFailure(err.code, err.message, record_code="BadGateway")
            result = {"statusCode": 202, "headers": {"x-ms-workflow-run-id": inv.run_id}}
        elif kind is trigger.AnswerKind.TIMED_OUT:
            err = answer.refusal(inv.run_id, trigger.response_action_name(child))
            result = {"statusCode": err.status, "headers": {}, "body": err.body()}
        else:
            response = answer.response
            result = {"statusCode": response["status"], "headers": dict(response.get("headers") or {})}
            if response.get("hasBody", True):
                result["body"] = response.get("body")
        log_call(step, request, {**result, "run": child_run}, None)
        set_http_outputs(step, result)
