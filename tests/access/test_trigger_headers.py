"""``triggerOutputs()['headers']``: Authorization kept only with IncludeAuthorizationHeadersInOutputs.

One implementation for the server, the ``run`` command and tests: :class:`emulator.runtime.trigger.RequestTrigger`.
"""

from multidict import CIMultiDict

from emulator.definitions import load_definition
from emulator.runtime.actions.registry import lookup
from emulator.runtime.trigger import RequestTrigger


def request_trigger(**extra) -> RequestTrigger:
    wf, problems = load_definition({"triggers": {"manual": {"type": "Request", "kind": "Http", **extra}},
                                    "actions": {}}, "wf", action_types=lookup)
    assert not [p for p in problems if p.severity == "error"]
    return RequestTrigger(wf.triggers["manual"])


def headers_of(trigger: RequestTrigger, headers) -> dict:
    return trigger.outputs(headers, {}, None, None)["headers"]


def test_authorization_removed_by_default():
    headers = {"Content-Type": "application/json", "Authorization": "Bearer x", "X-Other": "1"}
    assert headers_of(request_trigger(), headers) == {"Content-Type": "application/json", "X-Other": "1"}
    assert headers["Authorization"] == "Bearer x"  # the input is not modified


def test_authorization_removed_case_insensitively():
    assert headers_of(request_trigger(), {"authorization": "Bearer x"}) == {}


def test_include_authorization_option():
    trigger = request_trigger(operationOptions="EnableSchemaValidation, IncludeAuthorizationHeadersInOutputs")
    assert trigger.keep_authorization
    assert headers_of(trigger, {"Authorization": "Bearer x"}) == {"Authorization": "Bearer x"}
    assert not request_trigger().keep_authorization


def test_multidict_repeats_joined():
    headers = CIMultiDict([("Accept", "a"), ("Accept", "b"), ("Authorization", "Bearer x")])
    assert headers_of(request_trigger(), headers) == {"Accept": "a,b"}
