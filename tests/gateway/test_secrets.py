"""The gateway's secrets (subscription keys, secret named values) and the flow's sig never appear in what the
server and the gateway write: every log record, stdout/stderr, every answer, GET /gateway, the management API."""

from __future__ import annotations

import copy
import logging

from tests.e2e.test_secrets import _content_links
from tests.gateway.conftest import inbound
from tests.gateway.test_e2e import FLOW as e2e_flow
from tests.gateway.test_e2e import KEY, doc

SECONDARY = "e2e-secondary-key-000002"
FLOW = copy.deepcopy(e2e_flow)  # the end-to-end flow, answering only the body (not the headers and queries)
FLOW["definition"]["actions"]["Answer"]["inputs"]["body"] = "@triggerBody()"
# APIM forwards the caller's key (header or query) to the backend, so the flow gets it: its run record keeps it,
# the management API shows it redacted, and no log line of the server or the gateway shows it.
POLICY = inbound('<set-variable name="s" value="{{secret-thing}}" />')


async def test_gateway_keys_and_secret_named_values_are_never_written(live_gateway, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    gateway = doc(policy=True)
    gateway["subscriptions"][0]["secondaryKey"] = SECONDARY
    live = await live_gateway({"orders.json": FLOW}, gateway,
                              {"api.xml": POLICY})
    live.server.config.verbose = True  # the access log shows whole URLs (credentials redacted)
    answers = []

    async def call(method, url, **kwargs):
        async with live.session.request(method, url, **kwargs) as resp:
            text = await resp.text(errors="replace")
            answers.append(f"{resp.status} {dict(resp.headers)} {text}")
            return resp.status

    orders = f"{live.gateway_base}/orders/42"
    assert await call("POST", orders, json={"item": "pen"}, headers={"Ocp-Apim-Subscription-Key": KEY}) == 201
    assert await call("POST", f"{orders}?subscription-key={SECONDARY}", json={"item": "pen"}) == 201
    assert await call("POST", orders, json={}, headers={"Ocp-Apim-Subscription-Key": KEY + "-wrong"}) == 401
    assert await call("POST", f"{orders}?subscription-key={SECONDARY}x", json={}) == 401
    assert await call("GET", f"{live.base}/gateway") == 200
    assert await call("GET", f"{live.base}/workflows/orders/runs?api-version=2016-06-01") == 200
    links = _content_links(answers)
    assert links
    for link in links:
        await call("GET", link)
    assert '"Ocp-Apim-Subscription-Key":"REDACTED"' in "".join(answers)  # the flow got it; it is not shown
    assert '"subscription-key":"REDACTED"' in "".join(answers)
    sig = live.callback("orders")["queries"]["sig"]
    captured = capsys.readouterr()
    everything = "\n".join([caplog.text, captured.out, captured.err, *answers])
    for secret in (KEY, SECONDARY, "hush", sig):
        assert secret not in everything, secret
    assert "Traceback" not in caplog.text
