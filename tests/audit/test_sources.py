"""How the audit reads expressions: the parse tree, not the text. Every form of a caller's header, query,
path parameter and body field, and what it is compared with."""

from __future__ import annotations

import pytest

from emulator.audit.sources import (
    Scope,
    comparisons,
    is_token_check,
    returned_sources,
    secret_like,
    source_of,
)
from emulator.audit.tree import expressions_in, parse_body

SCOPE = Scope(triggers=["manual"], values={"Parse_headers": ("body", parse_body("triggerOutputs()['headers']"))},
              variables={"token": parse_body("triggerOutputs()?['headers']?['X-Key']")},
              parameters={"keys": {"type": "Array"}, "key": {"type": "SecureString"}})


@pytest.mark.parametrize("text,kind,key", [
    ("triggerOutputs()['headers']['x-key']", "header", "x-key"),
    ("triggerOutputs()?['headers']?['x-key']", "header", "x-key"),
    ("trigger()['outputs']['headers']['x-key']", "header", "x-key"),
    ("trigger()?.outputs?.headers?['x-key']", "header", "x-key"),
    ("outputs('manual')['headers']['x-key']", "header", "x-key"),
    ("triggerOutputs()['queries']['code']", "query", "code"),
    ("triggerOutputs()['relativePathParameters']['token']", "path", "token"),
    ("triggerBody()?['auth']?['token']", "body", "auth.token"),
    ("body('manual')?['password']", "body", "password"),
    ("triggerOutputs()['body']['password']", "body", "password"),
    ("body('Parse_headers')?['x-key']", "header", "x-key"),
    ("variables('token')", "header", "X-Key"),
    ("split(triggerOutputs()['headers']['Authorization'], ' ')[1]", "header", "Authorization"),
    ("TRIGGEROUTPUTS()['headers']['x-key']", "header", "x-key"),
    ("triggerOutputs()['headers']", "headers", None),
    ("triggerOutputs()", "trigger", None),
])
def test_sources(text, kind, key):
    source = source_of(parse_body(text), SCOPE)
    assert (source.kind, source.key) == (kind, key)


def test_not_a_source():
    assert source_of(parse_body("parameters('x')"), SCOPE) is None
    assert source_of(parse_body("body('Other')?['x']"), SCOPE) is None


def checks(text):
    return [c for node in expressions_in(text) for c in comparisons(node, SCOPE) if is_token_check(c)]


def test_comparison_with_literal_and_parameter():
    (c,) = checks("@equals(triggerOutputs()['headers']['x-key'], 'abc-123-def')")
    assert (c.op, c.other.kind, c.other.name, c.negated, c.weakness) == ("equals", "literal", "abc-123-def", False, None)
    (c,) = checks("@equals(parameters('key'), triggerOutputs()['headers']['x-key'])")
    assert (c.other.kind, c.other.name) == ("parameter", "key")


def test_polarity():
    assert checks("@not(equals(triggerOutputs()['headers']['x-key'], parameters('key')))")[0].negated
    assert checks("@equals(equals(triggerOutputs()['headers']['x-key'], parameters('key')), false)")[0].negated
    assert checks("@equals(indexOf(triggerOutputs()['headers']['x-key'], parameters('key')), -1)")[0].negated
    assert not checks("@and(equals(triggerOutputs()['headers']['x-key'], parameters('key')), true)")[0].negated


@pytest.mark.parametrize("text,weak", [
    ("@contains(triggerOutputs()['headers']['x-key'], parameters('key'))", "'contains'"),
    ("@contains(parameters('keys'), triggerOutputs()['headers']['x-key'])", None),  # membership in an array
    ("@contains('key1,key2', triggerOutputs()['headers']['x-api-key'])", "'contains'"),
    ("@startsWith(triggerOutputs()['queries']['token'], parameters('key'))", "'startsWith'"),
    ("@greater(indexOf(triggerOutputs()['queries']['token'], parameters('key')), -1)", "'indexOf'"),
    ("@equals(toUpper(triggerOutputs()['queries']['token']), parameters('key'))", "a case-insensitive comparison"),
    ("@{equals(triggerOutputs()['queries']['token'], parameters('key'))}", None),
])
def test_weakness(text, weak):
    (c,) = checks(text)
    assert (c.weakness or None) == weak or (weak and c.weakness.startswith(weak))


def test_not_token_checks():
    assert checks("@equals(triggerOutputs()['headers']['Content-Type'], 'application/json')") == []
    assert checks("@equals(triggerBody()?['status'], 'active')") == []
    assert checks("@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer')") == []
    assert checks("@contains(triggerOutputs()['headers'], 'x-api-key')") == []
    assert checks("@equals(triggerOutputs()['headers']['x-api-key'], '')") == []


def test_returned_sources_skip_predicates():
    assert returned_sources(parse_body("contains(triggerOutputs()['headers'], 'a')"), SCOPE) == []
    (s,) = returned_sources(parse_body("concat('k=', triggerOutputs()['headers']['x-key'])"), SCOPE)
    assert s.key == "x-key"
    (s,) = returned_sources(parse_body("if(true, 'a', string(trigger()))"), SCOPE)
    assert s.kind == "trigger"


@pytest.mark.parametrize("name,expected", [
    ("x-api-key", True), ("secretKey", True), ("Authorization", True), ("code", True), ("sig", True),
    ("password", True), ("name", False), ("status", False), ("keyboard", False), ("zipcode", False),
    ("tokenUrl", False), ("secretName", False), ("api-key-header", False), ("x-token-type", False),
    ("x-request-id", False), ("clientSecret", True),
    # business keys and codes are not credentials (QA: false hardcoded-secret / token-reflection findings)
    ("countryCode", False), ("partitionKey", False), ("statusCode", False), ("promoCode", False),
    ("productKey", False), ("data.validationCode", False), ("Idempotency-Key", False), ("postalCode", False),
    ("author", False), ("Authorisation", True), ("x-functions-key", True), ("Ocp-Apim-Subscription-Key", True),
    ("x-tenant-key", True), ("authCode", True), ("verificationCode", True),
])
def test_secret_like(name, expected):
    assert secret_like(name) is expected


def test_expressions_in_template_forms():
    assert [n.name for n in expressions_in("a @{concat('x')} b @{string(1)}")] == ["concat", "string"]
    assert expressions_in("@@literal")[0].value == "@literal"
    assert expressions_in("@equals(1,") == []  # a syntax error: the loader reports it


def test_not_token_checks_by_value():
    assert checks("@equals(triggerOutputs()['queries']['api-version'], '2016-10-01-preview1')") == []
    assert checks("@equals(triggerOutputs()['headers']['x-release'], '2016-10-01')") == []
    assert checks("@equals(triggerOutputs()['headers']['x-environment'], parameters('environment'))") == []
    assert checks("@equals(triggerOutputs()['headers']['x-caller'], parameters('key'))")  # a SecureString
    assert checks("@equals(triggerOutputs()['headers']['x-caller'], parameters('callerSecret'))")
    assert checks("@equals(triggerOutputs()['headers']['x-caller'], 'a8f5f167f44f4964e6c998dee827110c')")
    # names, not keys: an event type, a media type
    assert checks("@equals(triggerOutputs()['headers']['x-event-type'], 'order.created.v2')") == []
    assert checks("@equals(triggerOutputs()['headers']['aeg-event-type'], "
                  "'Microsoft.EventGrid.SubscriptionValidationEvent')") == []
    assert checks("@equals(triggerOutputs()['headers']['x-caller'], 'SuperSecretPassword')")


def test_basic_credentials_built_from_literals():
    (c,) = checks("@equals(triggerOutputs()['headers']['Authorization'], concat('Basic ', base64('user:pa55')))")
    assert c.other.kind == "literal" and "user:pa55" in c.other.name


def test_presence_is_not_a_check():
    assert checks("@not(empty(triggerOutputs()?['headers']?['x-api-key']))") == []
