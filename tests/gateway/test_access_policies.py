"""check-header and ip-filter: statuses and bodies as spec §11, and the element in the log line."""

from __future__ import annotations

import logging

from tests.gateway.conftest import SUB_KEY, inbound

KEY = {"Ocp-Apim-Subscription-Key": SUB_KEY}

CHECK = ('<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="Tenant refused" '
         'ignore-case="true"><value>contoso</value><value>fabrikam</value></check-header>')


async def test_check_header(gateway):
    client = await gateway(api_policy=inbound(CHECK))
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 403
    assert await resp.json() == {"statusCode": 403, "message": "Tenant refused"}
    assert resp.headers["Content-Type"] == "application/json"
    resp = await client.get("/echo/x", headers={**KEY, "X-Tenant": "northwind"})
    assert resp.status == 403
    resp = await client.get("/echo/x", headers={**KEY, "X-Tenant": "CONTOSO"})
    assert resp.status == 200


async def test_check_header_existence_only_and_case(gateway):
    client = await gateway(api_policy=inbound(
        '<check-header name="X-Id" failed-check-httpcode="401" failed-check-error-message=\'@("need " + "id")\' '
        'ignore-case="false"><value>Abc</value></check-header>'))
    resp = await client.get("/echo/x", headers={**KEY, "X-Id": "abc"})
    assert resp.status == 401 and (await resp.json())["message"] == "need id"
    assert (await client.get("/echo/x", headers={**KEY, "X-Id": "Abc"})).status == 200


async def test_ip_filter_allow_and_forbid(gateway, caplog):
    client = await gateway(api_policy=inbound(
        '<ip-filter action="allow"><address-range from="10.0.0.0" to="10.0.0.255" /></ip-filter>'))
    caplog.set_level(logging.INFO, logger="emulator.gateway")
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 403
    assert await resp.json() == {"statusCode": 403, "message": "Forbidden"}
    line = [r.getMessage() for r in caplog.records if r.name == "emulator.gateway"][-1]
    assert "api=echo" in line and "subscription=tester" in line and "status=403" in line
    assert "answered-by=ip-filter" in line and SUB_KEY not in line


async def test_ip_filter_forbid_loopback(gateway):
    client = await gateway(api_policy=inbound(
        '<ip-filter action="forbid"><address>127.0.0.1</address><address>::1</address></ip-filter>'))
    assert (await client.get("/echo/x", headers=KEY)).status == 403
    client = await gateway(api_policy=inbound('<ip-filter action="forbid"><address>10.9.9.9</address></ip-filter>'))
    assert (await client.get("/echo/x", headers=KEY)).status == 200
