"""Fixtures for the access-control tests: one signing key per test session, workflows built by the loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.definitions import load_definition
from emulator.runtime.actions.registry import lookup
from emulator.server.keys_jwt import KeyStore

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
AUDIENCE = "https://management.azure.com/"
ISSUER_V1 = f"https://sts.windows.net/{TENANT}/"


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> KeyStore:
    store = KeyStore(tmp_path_factory.mktemp("state"))
    assert store.kid  # generate the key once
    return store


def make_trigger(name="manual", inputs=None, operation_options=(), type_="Request"):
    """``(name, raw trigger)``: what :func:`make_workflow` puts in the definition."""
    raw = {"type": type_, "kind": "Http", "inputs": inputs or {}}
    if operation_options:
        raw["operationOptions"] = ", ".join(operation_options)
    return name, raw


def make_workflow(access_control=None, *, source=None, name="flow", flavor="consumption", triggers=None):
    """A real loaded :class:`~emulator.definitions.model.Workflow` with the given access control."""
    triggers = triggers if triggers is not None else [make_trigger()]
    definition = {"triggers": dict(triggers), "actions": {}}
    workflow, problems = load_definition(definition, name, action_types=lookup, flavor=flavor,
                                         source=str(source) if source is not None else "<memory>")
    workflow.source = Path(source) if source is not None else None
    workflow.access_control = access_control
    return workflow


def oauth_control(*policies, **triggers_extra) -> dict:
    """An accessControl object with the given policies (each a dict of claim name -> value)."""
    body = {
        f"p{i}": {"type": "AAD", "claims": [{"name": k, "value": v} for k, v in claims.items()]}
        for i, claims in enumerate(policies)
    }
    triggers = {"openAuthenticationPolicies": {"policies": body}} if policies else {}
    triggers.update(triggers_extra)
    return {"triggers": triggers}
