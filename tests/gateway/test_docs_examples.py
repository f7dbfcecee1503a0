"""Policy examples from Microsoft's APIM policy reference pages, loaded as the docs print them (expressions not
XML-escaped, comments, whole ``<policies>`` documents) and checked against what the docs and spec §11 say."""

from __future__ import annotations

import pytest

from emulator.gateway import config as gateway_config
from emulator.gateway.errors import GatewayLoadError
from tests.gateway.conftest import SUB_KEY, write_gateway
from tests.gateway.test_limits import frozen

KEY = {"Ocp-Apim-Subscription-Key": SUB_KEY}


def doc(inbound: str = "<base />", backend: str = "<base />", outbound: str = "<base />",
        on_error: str = "<base />") -> str:
    return (f"<policies>\n    <inbound>\n{inbound}\n    </inbound>\n    <backend>\n{backend}\n    </backend>\n"
            f"    <outbound>\n{outbound}\n    </outbound>\n    <on-error>\n{on_error}\n    </on-error>\n</policies>\n")


async def send(client, method="GET", path="/echo/x", headers=None, **kwargs):
    resp = await client.request(method, path, headers={**KEY, **(headers or {})}, **kwargs)
    body = await resp.json() if resp.content_type == "application/json" else await resp.text()
    return resp, body


# check-header (check-header-policy, "Example")
CHECK_HEADER = """<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="Not authorized" ignore-case="false">
    <value>f6dc69a089844cf6b2019bae6d36fac8</value>
</check-header>"""


async def test_check_header_example(gateway):
    client = await gateway(api_policy=doc(CHECK_HEADER))
    resp, body = await send(client)
    assert resp.status == 401 and body == {"statusCode": 401, "message": "Not authorized"}
    resp, body = await send(client, headers={"Authorization": "F6DC69A089844CF6B2019BAE6D36FAC8"})
    assert resp.status == 401
    resp, body = await send(client, headers={"Authorization": "f6dc69a089844cf6b2019bae6d36fac8"})
    assert resp.status == 200 and body["headers"]["Authorization"] == "f6dc69a089844cf6b2019bae6d36fac8"


# ip-filter (ip-filter-policy, "Example": only the address or the range get through)
IP_FILTER = """<ip-filter action="allow">
    <address>13.66.201.169</address>
    <address-range from="13.66.140.128" to="13.66.140.143" />
</ip-filter>"""


async def test_ip_filter_example(gateway):
    client = await gateway(api_policy=doc(IP_FILTER))
    resp, body = await send(client)
    assert resp.status == 403 and body == {"statusCode": 403, "message": "Forbidden"}
    client = await gateway(api_policy=doc(IP_FILTER.replace("allow", "forbid")))
    assert (await send(client))[0].status == 200
    client = await gateway(api_policy=doc('<ip-filter action="allow">\n<address-range from="127.0.0.0" '
                                          'to="127.0.0.255" />\n</ip-filter>'))
    assert (await send(client))[0].status == 200


# rate-limit and rate-limit-by-key (their reference pages' "Example": per subscription; per caller IP counting
# only 200 answers)
RATE_LIMIT = '<rate-limit calls="20" renewal-period="90" remaining-calls-variable-name="remainingCallsPerSubscription"/>'
RATE_LIMIT_BY_KEY = """<rate-limit-by-key  calls="10"
              renewal-period="60"
              increment-condition="@(context.Response.StatusCode == 200)"
              counter-key="@(context.Request.IpAddress)"
              remaining-calls-variable-name="remainingCallsPerIP"/>"""


@pytest.mark.parametrize("policy, calls, wait, retry", [(RATE_LIMIT, 20, 10, 80), (RATE_LIMIT_BY_KEY, 10, 0, 60)])
async def test_rate_limit_examples(gateway, policy, calls, wait, retry):
    client = await gateway(api_policy=f"""<policies>
    <inbound>
        <base />
        {policy}
    </inbound>
    <outbound>
        <base />
    </outbound>
</policies>""")
    now = frozen(client)
    for _ in range(calls):
        assert (await send(client))[0].status == 200
    now[0] += wait
    resp, body = await send(client)
    assert resp.status == 429 and resp.headers["Retry-After"] == str(retry)
    assert resp.headers["Content-Type"].startswith("application/json")
    assert body == {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {retry} seconds."}


async def test_rate_limit_by_key_increment_condition_skips_failed_calls(gateway):
    client = await gateway(api_policy="""<policies>
    <inbound>
        <base />
        <rate-limit-by-key calls="1" renewal-period="60"
              increment-condition="@(context.Response.StatusCode == 200)"
              counter-key="@(context.Request.IpAddress)" />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Fail","") == "yes")">
                <return-response><set-status code="400" reason="Bad Request" /></return-response>
            </when>
        </choose>
    </inbound>
</policies>""")
    for _ in range(3):
        assert (await send(client, headers={"X-Fail": "yes"}))[0].status == 400
    assert (await send(client))[0].status == 200
    assert (await send(client))[0].status == 429


# quota (quota-policy, "Example")
async def test_quota_example(gateway):
    client = await gateway(api_policy="""<policies>
    <inbound>
        <base />
        <quota calls="10000" bandwidth="40000" renewal-period="3600" />
    </inbound>
    <outbound>
        <base />
    </outbound>
</policies>""")
    assert (await send(client))[0].status == 200
    client = await gateway(api_policy=doc('<quota calls="2" renewal-period="3600" />'))
    now = frozen(client)
    assert (await send(client))[0].status == 200
    assert (await send(client))[0].status == 200
    now[0] += 3541
    resp, body = await send(client)
    assert resp.status == 403 and resp.headers["Retry-After"] == "59"
    assert body == {"statusCode": 403,
                    "message": "Out of call volume quota. Quota will be replenished in 00:00:59."}


# quota-by-key (quota-by-key-policy, "Example": per IP, counting 2xx and 3xx; the `<` and `&&` unescaped)
async def test_quota_by_key_example(gateway):
    client = await gateway(api_policy=doc("""<quota-by-key calls="10000" bandwidth="40000" renewal-period="3600"
              increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)"
              counter-key="@(context.Request.IpAddress)" />"""))
    assert (await send(client))[0].status == 200
    client = await gateway(api_policy=doc("""<quota-by-key calls="1" renewal-period="172800"
              increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)"
              counter-key="@(context.Request.IpAddress)" />"""))
    now = frozen(client)
    assert (await send(client))[0].status == 200
    now[0] += 172800 - 2.12 * 86400
    resp, body = await send(client)
    assert resp.status == 403 and resp.headers["Retry-After"] == str(round(2.12 * 86400))
    assert body == {"statusCode": 403,
                    "message": "Out of call volume quota. Quota will be replenished in 2.12 days."}


# set-header (set-header-policy, "Examples")
async def test_set_header_examples(gateway):
    client = await gateway(api_policy=doc("""<set-header name="X-Some-Header" exists-action="override">
    <value>20</value>
</set-header>
<set-header name="X-Drop" exists-action="delete" />
<set-header name="x-request-context-data" exists-action="override">
    <value>@(context.Deployment.Region)</value>
</set-header>""", outbound="""<base />
<set-header name="X-Powered-By" exists-action="delete" />
<set-header name="X-AspNet-Version" exists-action="delete" />"""))
    resp, body = await send(client, headers={"X-Drop": "1"})
    assert body["headers"]["X-Some-Header"] == "20" and "X-Drop" not in body["headers"]
    assert "x-request-context-data" in {h.lower() for h in body["headers"]}


# set-query-parameter (set-query-parameter-policy, "Examples")
async def test_set_query_parameter_examples(gateway):
    client = await gateway(api_policy=doc("""<set-query-parameter name="api-key" exists-action="skip">
    <value>12345678901</value>
</set-query-parameter>
<set-query-parameter name="x-product-name" exists-action="override">
    <value>@(context.Api.Name)</value>
</set-query-parameter>"""))
    _, body = await send(client, path="/echo/x")
    assert body["query"] == {"api-key": "12345678901", "x-product-name": "echo"}
    _, body = await send(client, path="/echo/x?api-key=mine")
    assert body["query"]["api-key"] == "mine"


# rewrite-uri (rewrite-uri-policy, "Examples": operation template /get?a={b}, request /get?a=b&c=d)
@pytest.mark.parametrize("policy, path, query", [
    ('<rewrite-uri template="/put" />', "/svc/put", {"c": "d"}),
    ('<rewrite-uri template="/put" copy-unmatched-params="false" />', "/svc/put", {}),
    ('<rewrite-uri template="/put?a={b}" />', "/svc/put", {"a": "b", "c": "d"}),
    ('<rewrite-uri template="/put?a={b}" copy-unmatched-params="false" />', "/svc/put", {"a": "b"}),
])
async def test_rewrite_uri_examples(gateway, policy, path, query):
    client = await gateway(operations=[{"name": "get", "method": "GET", "urlTemplate": "/get?a={b}"}],
                           api_policy=doc(f"<base />\n{policy}"))
    resp, body = await send(client, path="/echo/get?a=b&c=d")
    assert resp.status == 200, body
    assert (body["path"], body["query"]) == (path, query)


@pytest.mark.parametrize("amp", ["&", "&amp;"])  # the docs print the template with a bare '&'
async def test_rewrite_uri_friendly_path_example(gateway, amp):
    client = await gateway(operations=[{"name": "s", "method": "GET", "urlTemplate": "/{storenumber}/{ordernumber}"}],
                           api_policy=doc(f'<base />\n<rewrite-uri template="/v2/US/hardware/{{storenumber}}{amp}'
                                          f'{{ordernumber}}?City=city{amp}State=state" />'))
    resp, body = await send(client, path="/echo/123/456")
    assert resp.status == 200, body
    assert body["path"] == "/svc/v2/US/hardware/123&456"
    assert body["query"] == {"City": "city", "State": "state"}


# set-backend-service (set-backend-service-policy, "Examples": route by a query parameter)
async def test_set_backend_service_example(gateway):
    base = str(gateway.backend.make_url(""))
    client = await gateway(api_policy=f"""<policies>
    <inbound>
        <choose>
            <when condition="@(context.Request.Url.Query.GetValueOrDefault("version") == "2013-05")">
                <set-backend-service base-url="{base}/api/8.2/" />
            </when>
            <when condition="@(context.Request.Url.Query.GetValueOrDefault("version") == "2014-03")">
                <set-backend-service base-url="{base}/api/9.1/" />
            </when>
        </choose>
        <base />
    </inbound>
    <outbound>
        <base />
    </outbound>
</policies>""")
    _, body = await send(client, path="/echo/partners/15?version=2013-05&format=json")
    assert body["path"] == "/api/8.2/partners/15" and body["query"] == {"version": "2013-05", "format": "json"}
    _, body = await send(client, path="/echo/partners/15?version=2014-03")
    assert body["path"] == "/api/9.1/partners/15"
    _, body = await send(client, path="/echo/partners/15")
    assert body["path"] == "/svc/partners/15"


# set-method (set-method-policy: the verb of the backend call)
async def test_set_method_example(gateway):
    client = await gateway(api_policy=doc("<base />\n<set-method>POST</set-method>"))
    _, body = await send(client)
    assert body["method"] == "POST"
    client = await gateway(api_policy=doc('<base />\n<set-method>@(context.Request.Method == "GET" ? "PUT" : "GET")'
                                          "</set-method>"))
    _, body = await send(client)
    assert body["method"] == "PUT"


# set-body (set-body-policy: literal text, and the body read as a string / JObject with preserveContent)
async def test_set_body_examples(gateway):
    client = await gateway(api_policy=doc("<base />\n<set-body>Hello world!</set-body>"))
    _, body = await send(client, "POST", data=b"x")
    assert body["body"] == "Hello world!"
    client = await gateway(api_policy=doc("""<base />
<set-body>@{
    string inBody = context.Request.Body.As<string>(preserveContent: true);
    if (inBody.StartsWith("c")) {
        inBody = "m" + inBody.Substring(1);
    }
    return inBody;
}
</set-body>"""))
    _, body = await send(client, "POST", data=b"cat")
    assert body["body"] == "mat"
    client = await gateway(api_policy=doc("""<base />
<set-body>@{
    var requestBody = context.Request.Body.As<JObject>(preserveContent: true);
    requestBody["partitionKey"] = "eu";
    return requestBody.ToString();
}</set-body>"""))
    _, body = await send(client, "POST", json={"id": 1})
    import json
    assert json.loads(body["body"]) == {"id": 1, "partitionKey": "eu"}


# cors (cors-policy, "Example"), comments included
CORS = """<cors allow-credentials="true">
    <allowed-origins>
        <origin>http://contoso.com</origin>
    </allowed-origins>
    <allowed-methods preflight-result-max-age="300">
        <method>GET</method>
        <method>POST</method>
        <method>PATCH</method>
        <method>DELETE</method>
    </allowed-methods>
    <allowed-headers>
        <!-- Examples below show sample headers your client may send -->
        <header>x-zumo-installation-id</header>
        <header>x-zumo-application</header>
        <header>x-zumo-version</header>
        <header>x-zumo-auth</header>
        <header>content-type</header>
        <header>accept</header>
    </allowed-headers>
    <expose-headers>
        <!-- Examples below show sample headers your backend may return -->
        <header>x-zumo-installation-id</header>
        <header>x-zumo-application</header>
    </expose-headers>
</cors>"""


async def test_cors_example(gateway):
    client = await gateway(api_policy=doc(f"<base />\n{CORS}"))
    resp = await client.options("/echo/x", headers={"Origin": "http://contoso.com",
                                                     "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "content-type,x-zumo-auth"})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "http://contoso.com"
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert resp.headers["Access-Control-Max-Age"] == "300"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    resp, _ = await send(client, headers={"Origin": "http://contoso.com"})
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "http://contoso.com"
    assert "x-zumo-installation-id" in resp.headers["Access-Control-Expose-Headers"].lower()
    resp, _ = await send(client, headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers


# return-response (return-response-policy, "Example")
async def test_return_response_example(gateway):
    client = await gateway(api_policy=doc("""<base />
<return-response>
   <set-status code="401" reason="Unauthorized"/>
   <set-header name="WWW-Authenticate" exists-action="override">
      <value>Bearer error="invalid_token"</value>
   </set-header>
</return-response>"""))
    resp, body = await send(client)
    assert resp.status == 401 and resp.reason == "Unauthorized"
    assert resp.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"' and body == ""
    assert "X-Backend" not in resp.headers


# mock-response (mock-response-policy, "Examples")
async def test_mock_response_examples(gateway):
    client = await gateway(api_policy=doc('<base />\n<mock-response status-code="200" content-type="application/json"/>'))
    resp, body = await send(client)
    assert resp.status == 200 and "X-Backend" not in resp.headers
    client = await gateway(api_policy=doc("<base />\n<mock-response/>"))
    resp, body = await send(client)
    assert resp.status == 200 and "X-Backend" not in resp.headers


# choose + set-variable (choose-policy, set-variable-policy, "Example": a user agent decides)
async def test_choose_and_set_variable_example(gateway):
    client = await gateway(api_policy="""<policies>
    <inbound>
        <set-variable name="isMobile" value="@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPad") || context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPhone"))" />
        <base />
        <choose>
            <when condition="@(context.Variables.GetValueOrDefault<bool>("isMobile"))">
                <set-query-parameter name="mobile" exists-action="override">
                    <value>true</value>
                </set-query-parameter>
            </when>
            <otherwise>
                <set-query-parameter name="mobile" exists-action="override">
                    <value>false</value>
                </set-query-parameter>
            </otherwise>
        </choose>
    </inbound>
</policies>""")
    _, body = await send(client, headers={"User-Agent": "Mozilla (iPhone)"})
    assert body["query"] == {"mobile": "true"}
    _, body = await send(client, headers={"User-Agent": "curl"})
    assert body["query"] == {"mobile": "false"}


# choose in outbound (choose-policy: "Filter response" by product name; here by API name)
async def test_choose_on_response_status(gateway):
    client = await gateway(api_policy=doc(outbound="""<base />
<choose>
  <when condition="@(context.Response.StatusCode == 200 &amp;&amp; context.Api.Name.Equals("echo"))">
    <set-body>@{
        var response = context.Response.Body.As<JObject>();
        response.Remove("headers");
        return response.ToString();
      }
    </set-body>
  </when>
</choose>"""))
    _, body = await send(client)
    import json
    assert "headers" not in json.loads(body) if isinstance(body, str) else "headers" not in body


# forward-request (forward-request-policy, "Examples": API and operation timeouts, and no forwarding at all)
async def test_forward_request_examples(gateway):
    api = """<!-- api level -->
<policies>
    <inbound>
        <base/>
    </inbound>
    <backend>
        <forward-request timeout="60"/>
    </backend>
    <outbound>
        <base/>
    </outbound>
</policies>"""
    for backend, forwarded in (('<forward-request timeout="120"/>\n'
                                '        <!-- effective policy. note the absence of <base/> -->', True),
                               ("<!-- no forwarding to backend -->", False)):
        operation = f"""<!-- operation level -->
<policies>
    <inbound>
        <base/>
    </inbound>
    <backend>
        {backend}
    </backend>
    <outbound>
        <base/>
    </outbound>
</policies>"""
        client = await gateway(api_policy=api, operations=[{"name": "op", "method": "GET", "urlTemplate": "/x",
                                                            "policy": "op.xml"}], extra_files={"op.xml": operation})
        resp, body = await send(client)
        assert resp.status == 200 and ("X-Backend" in resp.headers) == forwarded
        assert body["path"] == "/svc/x" if forwarded else body == ""


# choose-policy / set-body-policy, "Filter response based on product": foreach, new [], Property().Remove()
FILTER_BY_PRODUCT = """<!-- Copy this snippet into the outbound section to remove a number of data elements from the response received from the backend service based on the name of the product -->
<choose>
  <when condition="@(context.Response.StatusCode == 200 && context.Product.Name.Equals("Starter"))">
    <set-body>@{
        var response = context.Response.Body.As<JObject>();
        foreach (var key in new [] {"minutely", "hourly", "daily", "flags"}) {
          response.Property (key).Remove ();
        }
        return response.ToString();
      }
    </set-body>
  </when>
</choose>"""


async def test_filter_response_by_product_example(gateway, aiohttp_server):
    import json

    from aiohttp import web

    async def weather(request):
        return web.json_response({"currently": 1, "minutely": 2, "hourly": 3, "daily": 4, "flags": 5})

    app = web.Application()
    app.router.add_get("/{tail:.*}", weather)
    backend = await aiohttp_server(app)
    client = await gateway(api={"backend": {"url": str(backend.make_url(""))}},
                           api_policy=doc(outbound="<base />\n" + FILTER_BY_PRODUCT),
                           products=[{"name": "Starter", "apis": ["echo"]}, {"name": "Unlimited", "apis": ["echo"]}],
                           subscriptions=[{"name": "s", "scope": "/products/Starter", "primaryKey": "k-starter"},
                                          {"name": "u", "scope": "/products/Unlimited", "primaryKey": "k-unl"}])
    resp = await client.get("/echo/forecast", headers={"Ocp-Apim-Subscription-Key": "k-starter"})
    assert resp.status == 200 and json.loads(await resp.text()) == {"currently": 1}
    resp = await client.get("/echo/forecast", headers={"Ocp-Apim-Subscription-Key": "k-unl"})
    assert json.loads(await resp.text()) == {"currently": 1, "minutely": 2, "hourly": 3, "daily": 4, "flags": 5}


# Policy expressions (api-management-policy-expressions): the documented examples inside the supported subset
@pytest.mark.parametrize("expression, expected", [
    ("@(true)", "True"),
    ("@((1+1).ToString())", "2"),
    ('@("Hi There".Length)', "8"),
    ('@(context.Request.Headers.GetValueOrDefault("X-Caller", "none"))', "me"),
    ('@(context.Request.Headers.GetValueOrDefault("X-Missing", "none"))', "none"),
    ("@(context.Request.IpAddress)", "127.0.0.1"),
    ("@(context.Request.Method)", "GET"),
    ("@(context.Request.Url.Path)", "/svc/x"),  # Url is the backend's (APIM), OriginalUrl the caller's
    ("@(context.Request.OriginalUrl.Path)", "/echo/x"),
    ('@(context.Request.Url.Query.GetValueOrDefault("q", ""))', "1"),
    ("@(context.Subscription.Name)", "tester"),
    ("@(context.Subscription.Key)", SUB_KEY),
    ('@(context.Subscription.Id + "/" + context.Subscription.Name)', "tester/tester"),
    ('@(context.Request.Method == "GET" && !(context.Request.IpAddress != "127.0.0.1"))', "True"),
    ('@(context.Request.Method == "POST" || context.Request.OriginalUrl.Path.StartsWith("/echo"))', "True"),
    ('@(context.Variables.ContainsKey("maxAge") ? int.Parse((string)context.Variables["maxAge"]) : 3600)', "3600"),
    ('@{ var v = context.Request.Headers.GetValueOrDefault("X-Caller", ""); return v == "me" ? "yes" : "no"; }',
     "yes"),
    # the expressions page's Regex example, on a request header here
    ('@(Regex.Match(context.Request.Headers.GetValueOrDefault("Cache-Control",""), @"max-age=(?<maxAge>\\d+)")'
     '.Groups["maxAge"]?.Value)', "120"),
    ('@(Regex.Replace(context.Request.OriginalUrl.Path, @"/(\\w+)/x", "/$1/y"))', "/echo/y"),
    # the basic-authentication snippet's AsBasic()
    ('@(context.Request.Headers.GetValueOrDefault("Authorization").AsBasic().UserId)', "alice"),
    ('@{ var n = 1; n += 2; n++; string s; s = "n="; s += n; return s; }', "n=4"),
])
async def test_documented_expressions(gateway, expression, expected):
    client = await gateway(api_policy=doc(f'<base />\n<set-header name="X-Out" exists-action="override">'
                                          f"<value>{expression}</value></set-header>"))
    _, body = await send(client, path="/echo/x?q=1", headers={"X-Caller": "me", "Cache-Control": "max-age=120",
                                                               "Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert body["headers"]["X-Out"] == expected


async def test_response_status_code_in_outbound(gateway):
    client = await gateway(api_policy=doc(outbound='<base />\n<set-header name="X-Status" exists-action="override">'
                                                   "<value>@(context.Response.StatusCode.ToString())</value>"
                                                   "</set-header>"))
    resp, _ = await send(client)
    assert resp.headers["X-Status"] == "200"


@pytest.mark.parametrize("expression, name", [
    ("""@{
  string[] value;
  if (context.Request.Headers.TryGetValue("Authorization", out value))
  {
    if(value != null && value.Length > 0)
    {
      return Encoding.UTF8.GetString(Convert.FromBase64String(value[0]));
    }
  }
  return null;
}""", "string[] value"),
])
def test_expressions_outside_the_subset_are_load_errors(tmp_path, expression, name):
    path = write_gateway(tmp_path, api_policy=doc(f'<base />\n<set-header name="X-Out" exists-action="override">\n'
                                                  f"<value>{expression}</value>\n</set-header>"))
    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(path)
    error = info.value
    assert error.file.endswith("api.xml") and error.line == 5 and "value" in str(error)
    assert "api.xml" in str(error) and "line 5" in str(error)


def test_unknown_policy_is_a_load_error_with_file_line_element(tmp_path):
    path = write_gateway(tmp_path, api_policy=doc('<base />\n<send-one-way-request mode="new" />'))
    with pytest.raises(GatewayLoadError) as info:
        gateway_config.load(path)
    assert info.value.line == 4 and "send-one-way-request" in str(info.value) and "api.xml" in str(info.value)


# validate-jwt (validate-jwt-policy, "Examples")
def _hs(claims, secret=b"0123456789abcdef0123456789abcdef"):
    import time

    import jwt

    return jwt.encode({"exp": int(time.time()) + 600, **claims}, secret, algorithm="HS256")


async def test_validate_jwt_simple_token_validation_example(gateway):
    import base64

    key = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    client = await gateway(named_values={"jwt-signing-key": {"value": key, "secret": True}}, api_policy=doc("""<base />
<validate-jwt header-name="Authorization" require-scheme="Bearer">
    <issuer-signing-keys>
        <key>{{jwt-signing-key}}</key>  <!-- signing key specified as a named value -->
    </issuer-signing-keys>
    <audiences>
        <audience>@(context.Request.OriginalUrl.Host)</audience>  <!-- audience is set to API Management host name -->
    </audiences>
    <issuers>
        <issuer>http://contoso.com/</issuer>
    </issuers>
</validate-jwt>"""))
    good = {"aud": "127.0.0.1", "iss": "http://contoso.com/"}
    assert (await send(client, headers={"Authorization": "Bearer " + _hs(good)}))[0].status == 200
    resp, body = await send(client)
    assert resp.status == 401 and body == {"statusCode": 401, "message": "JWT not present."}
    resp, _ = await send(client, headers={"Authorization": "Bearer " + _hs({**good, "iss": "http://other/"})})
    assert resp.status == 401


async def test_validate_jwt_entra_single_tenant_example(gateway, tmp_path):
    from emulator.server import keys_jwt

    store = keys_jwt.KeyStore(tmp_path / "state")
    client = await gateway(jwt_keys=store, api_policy=doc("""<base />
<validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid.">
    <openid-config url="https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration" />
    <audiences>
        <audience>api://25eef6e4-c905-4a07-8eb4-0d08d5df8b3f</audience>
    </audiences>
    <required-claims>
        <claim name="group" match="any">
            <value>0ae6ce7a-a6a8-4e53-9f3e-aee39bdd6a4e</value>
        </claim>
    </required-claims>
</validate-jwt>"""))
    aud = "api://25eef6e4-c905-4a07-8eb4-0d08d5df8b3f"
    good = store.mint("contoso.onmicrosoft.com", aud, {"group": ["0ae6ce7a-a6a8-4e53-9f3e-aee39bdd6a4e"]},
                      issuer_style="v2")
    assert (await send(client, headers={"Authorization": "Bearer " + good}))[0].status == 200
    denied = {"statusCode": 401, "message": "Unauthorized. Access token is missing or invalid."}
    resp, body = await send(client)
    assert resp.status == 401 and body == denied
    other = store.mint("contoso.onmicrosoft.com", aud, {"group": ["someone-else"]}, issuer_style="v2")
    resp, body = await send(client, headers={"Authorization": "Bearer " + other})
    assert resp.status == 401 and body == denied


async def test_validate_jwt_authorize_by_claims_example(gateway):
    import base64

    key = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    client = await gateway(named_values={"jwt-signing-key": {"value": key, "secret": True}}, api_policy=doc("""<base />
<validate-jwt header-name="Authorization" require-scheme="Bearer" output-token-variable-name="jwt">
    <issuer-signing-keys>
        <key>{{jwt-signing-key}}</key> <!-- signing key is stored in a named value -->
    </issuer-signing-keys>
    <audiences>
        <audience>@(context.Request.OriginalUrl.Host)</audience>
    </audiences>
    <issuers>
        <issuer>contoso.com</issuer>
    </issuers>
    <required-claims>
        <claim name="group" match="any">
            <value>finance</value>
            <value>logistics</value>
        </claim>
    </required-claims>
</validate-jwt>
<choose>
    <when condition="@(context.Request.Method == "POST" && !((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))">
        <return-response>
            <set-status code="403" reason="Forbidden" />
        </return-response>
    </when>
</choose>"""))
    base = {"aud": "127.0.0.1", "iss": "contoso.com"}
    finance = "Bearer " + _hs({**base, "group": ["finance"]})
    logistics = "Bearer " + _hs({**base, "group": ["logistics"]})
    assert (await send(client, "POST", headers={"Authorization": finance}))[0].status == 200
    assert (await send(client, "GET", headers={"Authorization": logistics}))[0].status == 200
    assert (await send(client, "POST", headers={"Authorization": logistics}))[0].status == 403
    assert (await send(client, "GET", headers={"Authorization": "Bearer " + _hs({**base, "group": ["hr"]})}))[0].status == 401


# api-management-policy-snippets, "Return HTTP 405 if the HTTP Method of the request is not defined": no operation
# matches, on-error runs with context.LastError.Source "configuration"
async def test_unmatched_operation_runs_on_error_with_configuration_source(gateway):
    client = await gateway(operations=[{"name": "create", "method": "POST", "urlTemplate": "/resource"}],
                           api_policy=doc(on_error="""<base />
<choose>
    <when condition="@(context.LastError.Source == "configuration" && context.Request.OriginalUrl.Path == "/echo/resource")">
        <return-response>
            <set-status code="405" reason="Method not allowed" />
            <set-body>@{
                return new JObject(
                    new JProperty("status", "HTTP 405"),
                    new JProperty("message", context.LastError.Message)
                ).ToString();
            }</set-body>
        </return-response>
    </when>
    <otherwise />
</choose>"""))
    resp, body = await send(client, "GET", "/echo/resource")
    import json
    assert resp.status == 405
    assert json.loads(body) == {"status": "HTTP 405", "message": "Unable to match incoming request to an operation."}
    resp, body = await send(client, "GET", "/echo/elsewhere")
    assert resp.status == 404 and body == {"statusCode": 404, "message": "Resource not found"}
    assert (await send(client, "POST", "/echo/resource"))[0].status == 200


async def test_ip_filter_address_and_action_take_expressions(gateway):
    client = await gateway(named_values={"mode": {"value": "allow"}}, api_policy=doc(
        '<ip-filter action="{{mode}}">\n<address>@(context.Request.Headers.GetValueOrDefault("X-Trusted", ""))'
        '</address>\n</ip-filter>'))
    assert (await send(client, headers={"X-Trusted": "127.0.0.1"}))[0].status == 200
    assert (await send(client, headers={"X-Trusted": "10.0.0.1"}))[0].status == 403
    assert (await send(client))[0].status == 403
    client = await gateway(api_policy=doc(
        '<ip-filter action="@(context.Request.Headers.GetValueOrDefault("X-Mode", "forbid"))">\n'
        '<address>127.0.0.1</address>\n</ip-filter>'))
    assert (await send(client))[0].status == 403
    assert (await send(client, headers={"X-Mode": "allow"}))[0].status == 200


# rate-limit-policy: the limits per API and per operation inside <rate-limit>
async def test_rate_limit_with_api_and_operation_children(gateway):
    client = await gateway(operations=[{"name": "get-x", "method": "GET", "urlTemplate": "/x"},
                                       {"name": "get-y", "method": "GET", "urlTemplate": "/y"}],
                           api_policy=doc("""<base />
<rate-limit calls="20" renewal-period="90">
    <api name="echo" calls="10" renewal-period="60">
        <operation name="get-x" calls="2" renewal-period="30" />
    </api>
</rate-limit>"""))
    frozen(client)
    assert [(await send(client, path="/echo/x"))[0].status for _ in range(3)] == [200, 200, 429]
    assert [(await send(client, path="/echo/y"))[0].status for _ in range(9)] == [200] * 8 + [429]


async def test_cors_wildcards(gateway):
    client = await gateway(api_policy=doc("""<base />
<cors allow-credentials="false">
    <allowed-origins>
        <origin>*</origin>
    </allowed-origins>
    <allowed-methods>
        <method>*</method>
    </allowed-methods>
    <allowed-headers>
        <header>*</header>
    </allowed-headers>
    <expose-headers>
        <header>*</header>
    </expose-headers>
</cors>"""))
    resp = await client.options("/echo/x", headers={"Origin": "http://any.example", "Access-Control-Request-Method": "PUT",
                                                     "Access-Control-Request-Headers": "x-custom"})
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] in ("*", "http://any.example")
    assert "PUT" in resp.headers["Access-Control-Allow-Methods"] or resp.headers["Access-Control-Allow-Methods"] == "*"
    resp, _ = await send(client, headers={"Origin": "http://any.example"})
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] in ("*", "http://any.example")


# trace-policy, "Example": the message goes to the gateway's log; the call is unchanged
async def test_trace_example(gateway, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="emulator.gateway.trace")
    client = await gateway(api_policy=doc("""<base />
<trace source="PetStore API" severity="verbose">
    <message>@(context.RequestId)</message>
    <metadata name="Operation Name" value="New-Order"/>
</trace>"""))
    assert (await send(client))[0].status == 200
    assert "trace PetStore API: " in caplog.text and "Operation Name=New-Order" in caplog.text
