"""Policy expressions: the C# subset parsed with grammar/apim.lark at load, evaluated against a call."""

from __future__ import annotations

import pytest

from emulator.gateway.context import Exchange, RequestState
from emulator.gateway.csharp import EvalError, Jwt
from emulator.gateway.expressions import ExpressionLoadError, compile_value


@pytest.fixture
def ex():
    state = RequestState("post", "http://gw/api/orders/7?a=1&b=two", {"X-Key": "v1", "Accept": "a, b"},
                         b'{"n": 5, "name": "pen"}', "10.1.2.3")
    state.path, state.matched = "/orders/7", {"id": "7"}
    exchange = Exchange(state)
    exchange.variables.update({"v": "hello", "count": 3})
    return exchange


def value(text, ex):
    return compile_value(text).evaluate(ex)


@pytest.mark.parametrize("text, expected", [
    ('@(context.Request.Headers.GetValueOrDefault("x-key", "d"))', "v1"),
    ('@(context.Request.Headers.GetValueOrDefault("missing", "d"))', "d"),
    ('@(context.Request.Headers.GetValueOrDefault("missing"))', None),
    ('@(context.Request.Headers["X-Key"][0])', "v1"),
    ('@(context.Request.Headers.ContainsKey("x-key"))', True),
    ('@(context.Request.IpAddress)', "10.1.2.3"),
    ('@(context.Request.Method)', "POST"),
    ('@(context.Request.Method == "POST" && !(context.Request.IpAddress == "1.1.1.1"))', True),
    ('@(context.Request.Method != "POST" || false)', False),
    ('@(context.Request.OriginalUrl.Path)', "/api/orders/7"),
    ('@(context.Request.Url.Query.GetValueOrDefault("b"))', "two"),
    ('@(context.Request.OriginalUrl.Query.GetValueOrDefault("a", "") + "-" + 3)', "1-3"),
    ('@(context.Request.MatchedParameters["id"])', "7"),
    ('@((string)context.Variables["v"])', "hello"),
    ('@(context.Variables.GetValueOrDefault<string>("v", "").ToUpper())', "HELLO"),
    ('@(context.Variables.GetValueOrDefault<int>("count") * 2)', 6),
    ('@(context.Variables.ContainsKey("nope"))', False),
    ('@(context.Subscription?.Name ?? "anonymous")', "anonymous"),
    ('@(context.Subscription == null)', True),
    ('@("a,b,c".Split(\',\')[1])', "b"),
    ('@("Bearer xyz".StartsWith("bearer", StringComparison.OrdinalIgnoreCase))', True),
    ('@("abc".Equals("ABC"))', False),
    ('@("  x ".Trim().Length)', 1),
    ('@("abcdef".Substring(2, 3).Replace("d", "D"))', "cDe"),
    ('@(string.IsNullOrEmpty(context.Request.Headers.GetValueOrDefault("nope")))', True),
    ('@(String.Join("|", "a,b".Split(\',\')))', "a|b"),
    ('@(7 / 2 + 7 % 2)', 4),
    ('@(1 < 2 ? "yes" : "no")', "yes"),
    ('@($"Hi {context.Variables["v"]}, {1 + 1}!")', "Hi hello, 2!"),
    ('@(@"C:\\dir")', "C:\\dir"),
    ('@(context.Request.Headers.Any(h => h.Key == "X-Key"))', True),
    ('@(context.Request.Headers.GetValueOrDefault("Accept"))', "a, b"),
    ('@(true.ToString())', "True"),
    ('@{ var b = context.Request.Body.As<JObject>(preserveContent: true); return (int)b["n"] * 2; }', 10),
    ('@{ string s = "x"; if (s == "y") { return 1; } else if (s == "x") { return 2; } return 3; }', 2),
    ("plain text", "plain text"),
    ("Bearer @(not an expression)", "Bearer @(not an expression)"),
])
def test_values(text, expected, ex):
    assert value(text, ex) == expected


def test_body_is_consumed_without_preserve_content(ex):
    assert value("@(context.Request.Body.As<string>())", ex) == '{"n": 5, "name": "pen"}'
    assert value("@(context.Request.Body.As<string>())", ex) == ""


def test_as_jwt_reads_claims_without_verifying(ex):
    import jwt

    token = jwt.encode({"sub": "me", "roles": ["a", "b"]}, "k" * 32, algorithm="HS256")
    ex.request.headers["Authorization"] = f"Bearer {token}"
    text = ('@(context.Request.Headers.GetValueOrDefault("Authorization", "").Split(\' \')[1].AsJwt()'
            '?.Claims.GetValueOrDefault("roles", ""))')
    assert value(text, ex) == "a,b"
    assert isinstance(value('@("x.y".AsJwt() ?? "none")', ex), str)
    assert isinstance(compile_value(f'@("{token}".AsJwt())').evaluate(ex), Jwt)


@pytest.mark.parametrize("text, words", [
    ("@(context.Request.Foo)", "member 'Foo'"),
    ("@(foo.Bar())", "name 'foo'"),
    ("@(context.Request.Headers.Frob())", "method 'Frob'"),
    ("@(Environment.Exit(1))", "name 'Environment'"),
    ("@(System.IO.File.ReadAllText(\"x\"))", "name 'System'"),
    ("@(1 +)", "cannot be parsed"),
    ("@(context.__class__)", "member '__class__'"),
    ("@(string.Frob(1))", "'string' does not contain a method 'Frob'"),
    ("@{ x = 1; return x; }", "name 'x'"),
    ('@("\\q")', "escape"),
])
def test_unsupported_is_a_load_error(text, words):
    with pytest.raises(ExpressionLoadError, match=words.replace("(", r"\(").replace("'", "'")):
        compile_value(text)


@pytest.mark.parametrize("text", [
    '@((int)context.Variables["v"])',
    '@(context.Request.Headers["missing"])',
    '@(context.Subscription.Name)',
    '@("abc".Substring(5))',
    '@(1 / 0)',
    '@(context.Request.Method ? 1 : 2)',
])
def test_runtime_failures_are_eval_errors(text, ex):
    with pytest.raises(EvalError):
        value(text, ex)


def test_deep_nesting_is_a_load_error_not_a_crash():
    assert compile_value("@(" + "(" * 3000 + "1" + ")" * 3000 + ")").evaluate(Exchange(None)) == 1
    with pytest.raises(ExpressionLoadError, match="too deeply"):
        compile_value("@(" + "!" * 5000 + "true)")
