from multidict import CIMultiDict

from emulator.server.access import AccessPolicy, includes_authorization, trigger_headers

from .conftest import make_trigger


def test_authorization_removed_by_default():
    headers = {"Content-Type": "application/json", "Authorization": "Bearer x", "X-Other": "1"}
    out = trigger_headers(AccessPolicy(), make_trigger(), headers)
    assert out == {"Content-Type": "application/json", "X-Other": "1"}
    assert headers["Authorization"] == "Bearer x"  # the input is not modified


def test_authorization_removed_case_insensitively():
    assert trigger_headers(None, make_trigger(), {"authorization": "Bearer x"}) == {}


def test_include_authorization_option():
    trigger = make_trigger(operation_options=["IncludeAuthorizationHeadersInOutputs"])
    assert includes_authorization(trigger)
    assert trigger_headers(AccessPolicy(), trigger, {"Authorization": "Bearer x"}) == {
        "Authorization": "Bearer x"
    }


def test_option_from_raw_definition():
    raw = {
        "type": "Request",
        "operationOptions": "EnableSchemaValidation, IncludeAuthorizationHeadersInOutputs",
    }
    assert includes_authorization(raw)
    assert not includes_authorization({"type": "Request"})
    assert not includes_authorization(None)


def test_multidict_repeats_joined():
    headers = CIMultiDict([("Accept", "a"), ("Accept", "b"), ("Authorization", "Bearer x")])
    assert trigger_headers(AccessPolicy(), make_trigger(), headers) == {"Accept": "a, b"}
