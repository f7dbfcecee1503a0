"""choose/when/otherwise, set-variable, forward-request, return-response, mock-response, cors, on-error."""

from __future__ import annotations

import logging

from tests.gateway.conftest import SUB_KEY, inbound

KEY = {"Ocp-Apim-Subscription-Key": SUB_KEY}


async def test_choose_and_set_variable(gateway):
    client = await gateway(api_policy=inbound(
        '<set-variable name="tier" value=\'@(context.Request.Headers.GetValueOrDefault("X-Tier", "free"))\' />'
        '<choose><when condition=\'@((string)context.Variables["tier"] == "gold")\'>'
        '<set-header name="X-Lane" exists-action="override"><value>fast</value></set-header></when>'
        '<when condition=\'@(context.Variables.GetValueOrDefault&lt;string&gt;("tier") == "silver")\'>'
        '<set-header name="X-Lane" exists-action="override"><value>medium</value></set-header></when>'
        '<otherwise><set-header name="X-Lane" exists-action="override"><value>slow</value></set-header>'
        '</otherwise></choose>'))
    for tier, lane in (("gold", "fast"), ("silver", "medium"), ("bronze", "slow")):
        resp = await client.get("/echo/x", headers={**KEY, "X-Tier": tier})
        assert (await resp.json())["headers"]["X-Lane"] == lane


async def test_return_response_stops_the_pipeline(gateway, caplog):
    caplog.set_level(logging.INFO, logger="emulator.gateway")
    client = await gateway(api_policy=inbound(
        '<return-response><set-status code="418" reason="Teapot" />'
        '<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>'
        '<set-body>@("{\\"ip\\": \\"" + context.Request.IpAddress + "\\"}")</set-body></return-response>',
        outbound='<set-header name="X-Outbound" exists-action="override"><value>ran</value></set-header>'))
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 418 and await resp.json() == {"ip": "127.0.0.1"} and "X-Outbound" not in resp.headers
    assert "answered-by=return-response" in caplog.records[-1].getMessage()


async def test_mock_response(gateway):
    client = await gateway(api_policy=inbound('<mock-response status-code="201" content-type="application/json" />'))
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 201 and await resp.read() == b""


async def test_forward_request_errors_go_to_on_error(gateway):
    client = await gateway(api={"backend": {"url": "http://127.0.0.1:9"}}, api_policy=(
        "<policies><inbound><base /></inbound><backend><forward-request timeout=\"5\" /></backend>"
        "<outbound><base /></outbound><on-error><base />"
        "<set-header name=\"X-Error\" exists-action=\"override\">"
        "<value>@(context.LastError.Source + \":\" + context.LastError.Reason)</value></set-header>"
        "</on-error></policies>"))
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 500
    assert await resp.json() == {"statusCode": 500, "message": "Internal server error"}
    assert resp.headers["X-Error"] == "forward-request:BackendConnectionFailure"


async def test_fail_on_error_status_code(gateway):
    client = await gateway(api_policy=(
        "<policies><inbound><base /><rewrite-uri template=\"/x\" /><set-method>DELETE</set-method></inbound>"
        "<backend><forward-request fail-on-error-status-code=\"true\" /></backend>"
        "<on-error><return-response><set-status code=\"599\" reason=\"x\" /></return-response></on-error>"
        "</policies>"))
    assert (await client.get("/echo/x", headers=KEY)).status == 200  # the echo answers 200


async def test_on_error_can_answer_a_policy_refusal(gateway):
    client = await gateway(api_policy=inbound(
        '<ip-filter action="forbid"><address>127.0.0.1</address></ip-filter>',
        on_error='<return-response><set-status code="451" reason="Nope" />'
                 '<set-body>@(context.LastError.Reason)</set-body></return-response>'))
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 451 and await resp.text() == "CallerIpNotAllowed"


async def test_expression_failure_is_500(gateway):
    client = await gateway(api_policy=inbound('<set-variable name="x" value="@((int)context.Request.Method)" />'))
    resp = await client.get("/echo/x", headers=KEY)
    assert resp.status == 500


CORS = ('<cors allow-credentials="true"><allowed-origins><origin>https://app.test</origin></allowed-origins>'
        '<allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method>'
        '</allowed-methods><allowed-headers><header>content-type</header><header>x-a</header></allowed-headers>'
        '<expose-headers><header>x-backend</header></expose-headers></cors>')


async def test_cors_preflight_and_actual(gateway):
    client = await gateway(global_policy=inbound(CORS))
    resp = await client.options("/echo/x", headers={"Origin": "https://app.test",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "Content-Type, X-A"})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "https://app.test"
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert resp.headers["Access-Control-Allow-Headers"] == "content-type,x-a"
    assert resp.headers["Access-Control-Max-Age"] == "300"
    resp = await client.get("/echo/x", headers={**KEY, "Origin": "https://app.test"})
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "https://app.test"
    assert resp.headers["Access-Control-Expose-Headers"] == "x-backend"
    resp = await client.get("/echo/x", headers={**KEY, "Origin": "https://evil.test"})
    assert resp.status == 200 and "Access-Control-Allow-Origin" not in resp.headers and await resp.read() == b""
    resp = await client.options("/echo/x", headers={"Origin": "https://app.test",
                                                    "Access-Control-Request-Method": "DELETE"})
    assert resp.status == 200 and "Access-Control-Allow-Origin" not in resp.headers


async def test_cors_preflight_without_options_operation(gateway):
    client = await gateway(global_policy=inbound(CORS),
                           operations=[{"name": "get", "method": "GET", "urlTemplate": "/x"}])
    resp = await client.options("/echo/x", headers={"Origin": "https://app.test",
                                                    "Access-Control-Request-Method": "GET"})
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "https://app.test"
    assert (await client.options("/echo/x")).status == 404


async def test_cors_defaults_get_and_post_and_unmatched_preflight_is_an_empty_200(gateway):
    client = await gateway(api_policy=inbound(
        '<cors terminate-unmatched-request="false"><allowed-origins><origin>*</origin></allowed-origins>'
        '<allowed-headers><header>*</header></allowed-headers></cors>'))
    preflight = {"Origin": "https://a.test", "Access-Control-Request-Method": "POST"}
    resp = await client.options("/echo/x", headers=preflight)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET,POST"
    resp = await client.options("/echo/x", headers={**preflight, "Access-Control-Request-Method": "PUT"})
    assert resp.status == 200 and "Access-Control-Allow-Origin" not in resp.headers and await resp.read() == b""


async def test_preflight_without_cors_or_operation_is_404(gateway):
    client = await gateway(operations=[{"name": "get", "method": "GET", "urlTemplate": "/x"}])
    resp = await client.options("/echo/x", headers={"Origin": "https://a.test", "Access-Control-Request-Method": "GET"})
    assert resp.status == 404
