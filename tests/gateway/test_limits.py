"""rate-limit, rate-limit-by-key, quota, quota-by-key: per key and renewal period, exact under concurrency."""

from __future__ import annotations

import asyncio

from emulator.gateway.counters import Counters, replenished_in
from tests.gateway.conftest import SUB_KEY, inbound

KEY = {"Ocp-Apim-Subscription-Key": SUB_KEY}


def frozen(client, start=1000.0):
    now = [start]
    client.gw.counters.clock = lambda: now[0]
    return now


async def test_rate_limit_per_subscription_with_retry_after(gateway):
    client = await gateway(api_policy=inbound(
        '<rate-limit calls="2" renewal-period="60" remaining-calls-header-name="X-Remaining" '
        'total-calls-header-name="X-Total" />'),
        subscriptions=[{"name": "a", "scope": "/", "primaryKey": "ka"},
                       {"name": "b", "scope": "/", "primaryKey": "kb"}])
    now = frozen(client)
    first = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "ka"})
    assert first.status == 200 and first.headers["X-Remaining"] == "1" and first.headers["X-Total"] == "2"
    assert (await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "ka"})).status == 200
    now[0] += 3
    resp = await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "ka"})
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "57"
    assert await resp.json() == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}
    assert (await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "kb"})).status == 200
    now[0] += 57
    assert (await client.get("/echo/x", headers={"Ocp-Apim-Subscription-Key": "ka"})).status == 200


async def test_rate_limit_by_key_is_exact_under_concurrency(gateway):
    client = await gateway(api_policy=inbound(
        '<rate-limit-by-key calls="5" renewal-period="30" counter-key="@(context.Request.IpAddress)" '
        'retry-after-header-name="X-Retry" />'))
    frozen(client)
    answers = await asyncio.gather(*(client.get("/echo/x", headers=KEY) for _ in range(20)))
    statuses = sorted(r.status for r in answers)
    assert statuses.count(200) == 5 and statuses.count(429) == 15
    refused = next(r for r in answers if r.status == 429)
    assert refused.headers["X-Retry"] == "30" and "Retry-After" not in refused.headers  # replaced


async def test_rate_limit_by_key_increment_condition(gateway):
    client = await gateway(api_policy=inbound(
        '<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" '
        'increment-condition="@(context.Response.StatusCode == 200)" />'
        '<choose><when condition=\'@(context.Request.Headers.GetValueOrDefault("X-Fail", "") == "1")\'>'
        '<return-response><set-status code="500" reason="Boom" /></return-response></when></choose>'))
    frozen(client)
    assert (await client.get("/echo/x", headers={**KEY, "X-Fail": "1"})).status == 500
    assert (await client.get("/echo/x", headers={**KEY, "X-Fail": "1"})).status == 500  # not counted
    assert (await client.get("/echo/x", headers=KEY)).status == 200
    assert (await client.get("/echo/x", headers=KEY)).status == 429


async def test_quota_per_subscription(gateway):
    client = await gateway(api_policy=inbound('<quota calls="2" renewal-period="3600" />'))
    now = frozen(client)
    assert (await client.get("/echo/x", headers=KEY)).status == 200
    assert (await client.get("/echo/x", headers=KEY)).status == 200
    now[0] += 3541
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 403
    assert await resp.json() == {"statusCode": 403,
                                 "message": "Out of call volume quota. Quota will be replenished in 00:00:59."}


async def test_quota_by_key_days_and_api_scoped_limits(gateway):
    client = await gateway(api_policy=inbound(
        '<quota-by-key calls="1" renewal-period="259200" counter-key="@(context.Subscription.Id)" />'))
    frozen(client)
    assert (await client.get("/echo/x", headers=KEY)).status == 200
    resp = await client.get("/echo/x", headers=KEY)
    assert (await resp.json())["message"] == "Out of call volume quota. Quota will be replenished in 3.00 days."
    client = await gateway(api_policy=inbound(
        '<rate-limit calls="10" renewal-period="60"><api name="echo" calls="1" renewal-period="60" /></rate-limit>'))
    frozen(client)
    assert (await client.get("/echo/x", headers=KEY)).status == 200
    assert (await client.get("/echo/x", headers=KEY)).status == 429


async def test_counters_windows_and_wording():
    now = [0.0]
    counters = Counters(clock=lambda: now[0])
    assert (await counters.take("k", 2, 10)).remaining == 1
    assert (await counters.take("k", 2, 10)).remaining == 0
    assert (await counters.take("k", 2, 10)).allowed is False
    now[0] = 10.0
    got = await counters.take("k", 2, 10)
    assert (got.allowed, got.remaining) == (True, 1)
    assert (await counters.take("grid", 1, 10, anchor=3.0)).seconds_left == 3.0  # the window follows the grid
    assert replenished_in(59) == "00:00:59" and replenished_in(3 * 3600 + 1.2) == "03:00:02"
    assert replenished_in(2.12 * 86400) == "2.12 days"


async def test_by_key_limits_take_expressions(gateway):
    client = await gateway(api_policy=inbound(
        '<rate-limit-by-key calls=\'@(context.Subscription.Name == "tester" ? 1 : 100)\' '
        'renewal-period="@(30 * 2)" counter-key="@(context.Subscription.Id)" increment-count="@(1)" />'))
    frozen(client)
    assert (await client.get("/echo/x", headers=KEY)).status == 200
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 429 and resp.headers["Retry-After"] == "60"
