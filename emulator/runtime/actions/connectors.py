"""Managed connectors and service providers: never called for real, answered by mocks.

ApiConnection, ApiConnectionWebhook, OpenApiConnection(+Webhook), ServiceProvider, Function,
ApiManagement. Unmatched calls get the mocks' ``default`` answer (200, empty body). Every call is
recorded in the call log (``run["calls"]`` and ``MockSet.calls``).
"""

from __future__ import annotations

import re

from ...expressions import ExpressionError
from .outbound import RetryPolicy, apply_answer, request_summary, sent_headers, set_http_outputs, with_retries
from .registry import Handler, action_type

_CONN = re.compile(r"\[\s*'([^']+)'\s*\]\s*\[\s*'connectionId'\s*\]", re.I)


def connector_name(raw_inputs: dict) -> str | None:
    """Best guess at the connector/connection name from the raw (unevaluated) inputs."""
    host = raw_inputs.get("host") if isinstance(raw_inputs.get("host"), dict) else {}
    conn = host.get("connection") if isinstance(host.get("connection"), dict) else {}
    for value in (conn.get("referenceName"), host.get("connectionName"), host.get("apiId"), conn.get("name")):
        if isinstance(value, str) and value:
            match = _CONN.search(value)
            if match:
                return match.group(1)
            if not value.startswith("@"):
                return value.rsplit("/", 1)[-1]
    spc = raw_inputs.get("serviceProviderConfiguration")
    if isinstance(spc, dict):
        return spc.get("connectionName") or str(spc.get("serviceProviderId", "")).rsplit("/", 1)[-1] or None
    fn = raw_inputs.get("function")
    if isinstance(fn, dict):
        return fn.get("connectionName") or str(fn.get("id", "")).rsplit("/", 1)[-1] or None
    api = raw_inputs.get("api")
    if isinstance(api, dict):
        return str(api.get("id", "")).rsplit("/", 1)[-1] or None
    return None


def operation_id(raw_inputs: dict) -> str | None:
    host = raw_inputs.get("host") if isinstance(raw_inputs.get("host"), dict) else {}
    spc = raw_inputs.get("serviceProviderConfiguration") or {}
    return host.get("operationId") or (spc.get("operationId") if isinstance(spc, dict) else None)


class Connector(Handler):
    """Inputs are evaluated except ``host`` / ``serviceProviderConfiguration`` (they reference
    ``$connections``, which rarely exists locally): those are kept as written."""

    static_keys = ("host", "serviceProviderConfiguration", "function", "api")

    @classmethod
    def compile(cls, action, compiler) -> None:
        raw = action.raw.get("inputs") if isinstance(action.raw.get("inputs"), dict) else {}
        action.compiled["static"] = {k: raw[k] for k in cls.static_keys if k in raw}
        action.compiled["dynamic"] = {}
        for key in cls.static_keys:
            if key in raw:
                action.compiled["dynamic"][key] = compiler.value(raw[key], f"{action.path}.inputs.{key}")
        action.inputs = compiler.value({k: v for k, v in raw.items() if k not in cls.static_keys},
                                       f"{action.path}.inputs")
        action.compiled["connector"] = connector_name(raw)
        action.compiled["operation"] = operation_id(raw)

    @staticmethod
    async def execute(step):
        action = step.action
        inputs = step.evaluate_inputs() or {}
        for key, compiled in action.compiled["dynamic"].items():
            try:
                step.ctx.action = step.record
                inputs[key] = compiled.evaluate(step.ctx)
            except ExpressionError:
                inputs[key] = action.compiled["static"][key]
        step.inputs = inputs
        request = request_summary(step, connector=action.compiled.get("connector"),
                                  operationId=action.compiled.get("operation"),
                                  method=str(inputs.get("method", "")).upper() or None, path=inputs.get("path"),
                                  headers=sent_headers(inputs.get("headers"), inputs.get("body")),
                                  queries=inputs.get("queries"),
                                  body=inputs.get("body"), parameters=inputs.get("parameters"))
        mocks = step.run.mocks

        async def send() -> dict:
            answer = mocks.find(request) or mocks.default_answer(request)
            return await apply_answer(step, answer, request)

        response = await with_retries(step, RetryPolicy.from_inputs(inputs.get("retryPolicy")), send)
        if step.outputs is None:
            set_http_outputs(step, response)


@action_type("ApiConnection", "OpenApiConnection")
class ApiConnection(Connector):
    pass


@action_type("ApiConnectionWebhook", "OpenApiConnectionWebhook")
class ApiConnectionWebhook(Connector):
    pass


@action_type("ServiceProvider")
class ServiceProvider(Connector):
    pass


@action_type("Function", "InvokeFunction")
class Function(Connector):
    pass


@action_type("ApiManagement")
class ApiManagement(Connector):
    pass
