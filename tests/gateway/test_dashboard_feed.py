"""What the gateway gives the dashboard: each call on the server's live feed (with the policy that answered),
the inbound policies per API in ``GET /gateway``, and a subscription's keys only when asked for."""

from __future__ import annotations

from emulator.server.events import as_event
from tests.gateway.conftest import inbound
from tests.gateway.test_e2e import FLOW, KEY, doc


async def test_each_gateway_call_is_on_the_live_feed(live_gateway):
    live = await live_gateway({"orders.json": FLOW}, doc())
    feed = live.server.calls
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/42", json={})
    assert status == 401
    refused = as_event(feed.recent[-1][1])
    assert refused["source"] == "gateway" and refused["status"] == 401 and refused["outcome"] == "refused"
    assert refused["answeredBy"] == "subscription" and refused["api"] == "orders" and refused["path"] == "/orders/42"
    status, _, _ = await live.call("POST", f"{live.gateway_base}/orders/42", json={},
                                   headers={"Ocp-Apim-Subscription-Key": KEY})
    assert status == 201
    events = [as_event(e) for _, e in feed.recent]
    forwarded = [e for e in events if e.get("source") == "gateway"][-1]
    assert forwarded["outcome"] == "forwarded" and forwarded["workflow"] == "orders"
    assert forwarded["subscription"] == "team" and forwarded["operation"] == "submit"
    assert any(e.get("source") == "trigger" and e.get("runId") for e in events)  # the flow's own call
    assert KEY not in repr(events)


async def test_inbound_policies_and_keys_on_request(live_gateway):
    live = await live_gateway({"orders.json": FLOW}, doc(policy=True), {"api.xml": inbound('<rate-limit calls="5" '
                                                                                           'renewal-period="60" />')})
    status, _, body = await live.call("GET", f"{live.base}/gateway")
    assert status == 200 and body["apis"][0]["inbound"] == ["rate-limit"]
    assert body["apis"][0]["operations"][0]["inbound"] == ["rate-limit"]
    status, _, keys = await live.call("POST", f"{live.base}/gateway/subscriptions/team/listSecrets")
    assert status == 200 and keys == {"primaryKey": KEY, "secondaryKey": None}
    status, _, missing = await live.call("POST", f"{live.base}/gateway/subscriptions/nobody/listSecrets")
    assert status == 404 and missing["error"]["code"] == "ResourceNotFound"
