"""Built-ins the emulator does not execute itself: other inline code, B2B transforms, AI actions.

CSharpScriptCode, PowerShellCode, XmlParse, XmlCompose,
FlatFile*, RosettaNet*, ParseDocument, ChunkText, Agent... are answered by mocks (by action name or
type); without a mock they succeed with ``{"body": null}`` and the call is logged as unmocked. (Xslt,
Liquid, XmlValidation and JavaScriptCode run on real engines: see xslt.py, liquid.py, xml_validation.py,
javascript.py.)
Power Automate ``Expression`` actions (CurrentTime, GetFutureTime, IndexOf...) are computed.
"""

from __future__ import annotations

from datetime import timedelta

from ...definitions.status import FAILED
from ...expressions.values import to_string
from ..clock import iso
from ..errors import ActionFailure
from .outbound import apply_answer, log_call, request_summary
from .registry import Handler, action_type

MOCKABLE = ("CSharpScriptCode", "PowerShellCode", "XmlParse", "XmlCompose", "FlatFileDecoding",
            "FlatFileEncoding", "RosettaNetEncode", "RosettaNetDecode", "RosettaNetWaitForResponse",
            "ParseDocument", "ChunkText", "Agent",
            "IntegrationAccountArtifactLookup", "SendToBatch", "SwiftEncode", "SwiftDecode", "EdifactEncode",
            "EdifactDecode", "X12Encode", "X12Decode", "AS2Encode", "AS2Decode", "DataMapper",
            "DataMapperTransform", "McpClientTool", "AgentHandoff")


class Mockable(Handler):
    @classmethod
    def compile(cls, action, compiler) -> None:
        super().compile(action, compiler)
        with compiler.lenient():  # agent-only functions (agentParameters...): never evaluated here
            for key in ("tools", "channels"):
                if key in action.raw:
                    action.compiled[key] = compiler.value(action.raw[key], f"{action.path}.{key}")

    @staticmethod
    async def execute(step):
        inputs = step.evaluate_inputs()
        step.inputs = inputs
        request = request_summary(step, body=inputs)
        answer = step.run.mocks.find(request)
        if answer is None and step.run.mocks.strict:
            answer = step.run.mocks.default_answer(request)
        if answer is None:
            log_call(step, request, None, None)
            step.outputs = {"body": None}
            return
        response = await apply_answer(step, answer, request)
        if step.outputs is None:
            step.outputs = {"body": response.get("body")}
            if response.get("statusCode", 200) >= 400:
                step.status = FAILED


for _name in MOCKABLE:
    action_type(_name)(type(_name, (Mockable,), {}))


_UNITS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}


def _shift(step, inputs, sign: int):
    unit = str(inputs.get("timeUnit", "Day")).lower().rstrip("s")
    count = float(inputs.get("interval", 0))
    if unit == "month":
        delta = timedelta(days=30 * count)
    elif unit == "year":
        delta = timedelta(days=365 * count)
    elif unit in _UNITS:
        delta = timedelta(**{_UNITS[unit]: count})
    else:
        raise ActionFailure("InvalidTemplate", f"Unknown timeUnit '{inputs.get('timeUnit')}' in '{step.name}'.")
    return iso(step.run.clock.now() + sign * delta)


_KINDS = {
    "currenttime": lambda step, i: iso(step.run.clock.now()),
    "getfuturetime": lambda step, i: _shift(step, i, 1),
    "getpasttime": lambda step, i: _shift(step, i, -1),
    "indexof": lambda step, i: to_string(i.get("text")).lower().find(to_string(i.get("searchText")).lower()),
    "substring": lambda step, i: to_string(i.get("text"))[int(i.get("startingPosition", 0)):][
        :int(i["length"]) if "length" in i else None],
}


@action_type("Expression")
class Expression(Handler):
    @staticmethod
    async def execute(step):
        inputs = step.evaluate_inputs() or {}
        step.inputs = inputs
        kind = str(step.action.kind or "").lower()
        request = request_summary(step, body=inputs, operationId=step.action.kind)
        if await answered_by_mock(step, request):
            return
        fn = _KINDS.get(kind)
        if fn is None:
            log_call(step, request, None, None)
            raise ActionFailure("ActionNotSupported", f"The 'Expression' action kind '{step.action.kind}' of action "
                                f"'{step.name}' is not computed by the emulator; mock the action.")
        step.outputs = {"body": fn(step, inputs)}


async def answered_by_mock(step, request: dict) -> bool:
    """Apply the mock that matches ``request``, if any (its body becomes the outputs); True when one did."""
    answer = step.run.mocks.find(request)
    if answer is None:
        return False
    response = await apply_answer(step, answer, request)
    if step.outputs is None:
        step.outputs = {"body": response.get("body")}
    return True


@action_type("__unknown__")
class Unknown(Handler):
    """An action type the emulator does not know (loaded with ``allow_unknown_types``)."""

    @classmethod
    def compile(cls, action, compiler) -> None:
        super().compile(action, compiler)

    @staticmethod
    async def execute(step):
        request = request_summary(step)
        if await answered_by_mock(step, request):
            return
        raise ActionFailure("ActionTypeNotSupported", f"The action '{step.name}' has type "
                            f"'{step.action.unknown_type}', which the emulator does not support; mock it by name.",
                            record_code="NotImplemented")
