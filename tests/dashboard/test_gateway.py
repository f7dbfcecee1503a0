"""The dashboard with the API Management gateway in front (flows/orders.gateway.json): the gateway-only flow
named as such with the gateway's policies, subscriptions whose keys stay hidden until asked, and gateway calls
(refused ones with the policy that answered) live."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

LIVE_WITHIN = 2000


@pytest.fixture(scope="module")
def gateway_file():
    return ROOT / "flows" / "orders.gateway.json"


def test_gateway_only_flow_and_the_policies_in_front(page):
    card = '.flow[data-flow="orders-gateway-only"]'
    kinds = {el.get_attribute("data-kind") for el in page.query_selector_all(f"{card} .protections > li")}
    assert {"sas", "gateway-only", "gateway"} <= kinds
    front = page.inner_text(f'{card} .protections > li[data-kind="gateway"]')
    assert "API 'orders'" in front and "Ocp-Apim-Subscription-Key" in front
    assert "ip-filter, validate-jwt, rate-limit" in front and "Why it matters" in front


def test_subscription_keys_are_hidden_until_asked(page, artifacts):
    page.click("#tab-gateway")
    page.wait_for_selector("#gateway-subscriptions")
    assert "demo-primary-key-0001" not in page.content()
    page.click('#gateway-subscriptions tr[data-subscription="demo-team"] button.show-keys')
    page.wait_for_selector('#gateway-subscriptions tr[data-subscription="demo-team"] code.key')
    assert "demo-primary-key-0001" in page.inner_text("#gateway-subscriptions")
    assert "suspended-key-0001" not in page.content()


def test_gateway_calls_show_live_with_the_policy_that_answered(page, server, artifacts):
    live = server.live
    status, _, _ = server.run(live.call("POST", live.gateway_base + "/orders/42", json={"item": "tea"}))
    assert status == 401  # no subscription key
    page.wait_for_selector('#calls li[data-source="gateway"][data-status="401"]', timeout=LIVE_WITHIN)
    assert "subscription" in page.inner_text('#calls li[data-source="gateway"]')
    status, _, _ = server.run(live.call("POST", live.gateway_base + "/orders/42", json={"item": "tea"},
                                        headers={"Ocp-Apim-Subscription-Key": "demo-primary-key-0001"}))
    assert status == 401  # a key, but no token: validate-jwt answers
    page.wait_for_function("document.querySelector('#calls li[data-source=\"gateway\"]').innerText"
                           ".includes('validate-jwt')", timeout=LIVE_WITHIN)
    page.wait_for_selector("#gateway-calls")
    assert "validate-jwt" in page.inner_text("#gateway-calls") and "demo-team" in page.inner_text("#gateway-calls")
    status, _, _ = server.run(live.call("POST", live.url("orders-gateway-only", relative="42"), json={}))
    assert status == 401  # the flow's own URL, valid sig: refused, the flow is gateway-only
    page.wait_for_selector('#calls li[data-source="trigger"][data-workflow="orders-gateway-only"][data-status="401"]',
                           timeout=LIVE_WITHIN)
    assert "AuthorizationFailed" in page.inner_text('#calls li[data-workflow="orders-gateway-only"]')
    page.screenshot(path=str(artifacts / "gateway.png"))
    assert page.errors == []
