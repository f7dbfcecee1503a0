"""Fixtures for the access-control tests: one signing key per test session, fake workflows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

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
    raw = {"type": type_, "kind": "Http", "inputs": inputs or {}}
    return SimpleNamespace(
        name=name, type=type_, raw=raw, operation_options={o.lower() for o in operation_options}
    )


def make_workflow(access_control=None, *, source=None, name="flow", flavor="consumption", triggers=None):
    triggers = triggers if triggers is not None else [make_trigger()]
    return SimpleNamespace(
        name=name,
        source=source,
        access_control=access_control,
        flavor=flavor,
        triggers={t.name: t for t in triggers},
        definition={"triggers": {t.name: t.raw for t in triggers}},
    )


def oauth_control(*policies, **triggers_extra) -> dict:
    """An accessControl object with the given policies (each a dict of claim name -> value)."""
    body = {
        f"p{i}": {"type": "AAD", "claims": [{"name": k, "value": v} for k, v in claims.items()]}
        for i, claims in enumerate(policies)
    }
    triggers = {"openAuthenticationPolicies": {"policies": body}} if policies else {}
    triggers.update(triggers_extra)
    return {"triggers": triggers}
