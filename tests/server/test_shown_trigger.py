"""The management API's view of a run's trigger: the caller's credentials redacted, the run's own record kept."""

from __future__ import annotations

from types import SimpleNamespace

from emulator.server.run_records import shown_trigger


def entry(config=None):
    trigger = SimpleNamespace(trigger=SimpleNamespace(runtime_configuration=config or {}))
    return SimpleNamespace(trigger=lambda name: trigger)


def test_sig_and_authorization_are_redacted_in_the_shown_trigger_only():
    outputs = {"headers": {"Authorization": "Bearer eyJ.secret.token", "X-Other": "kept"},
               "queries": {"api-version": "2016-10-01", "sig": "s3cret-sig"}, "body": {"a": 1}}
    record = {"trigger": {"name": "manual", "outputs": outputs}}
    shown = shown_trigger(entry(), record)["outputs"]
    assert shown["headers"] == {"Authorization": "Bearer REDACTED", "X-Other": "kept"}
    assert shown["queries"] == {"api-version": "2016-10-01", "sig": "REDACTED"}
    assert shown["body"] == {"a": 1}
    assert record["trigger"]["outputs"]["queries"]["sig"] == "s3cret-sig"  # the run's record is untouched


def test_nothing_to_redact_returns_the_record_itself_and_secure_outputs_stay_hidden():
    record = {"trigger": {"name": "manual", "outputs": {"headers": {}, "queries": {"x": "1"}}}}
    assert shown_trigger(entry(), record) is record["trigger"]
    secured = shown_trigger(entry({"secureData": {"properties": ["outputs"]}}), record)
    assert "x" not in str(secured["outputs"])
