"""URI parsing functions (System.Uri semantics)."""

from __future__ import annotations

import pytest

from emulator.expressions import ExpressionError, compile_template


def ev(expr: str, **context):
    return compile_template(expr).evaluate(context)


def err(expr: str) -> str:
    with pytest.raises(ExpressionError) as info:
        ev(expr)
    return info.value.message


SHOWNEW = "https://www.contoso.com/catalog/shownew.htm?date=today"


@pytest.mark.parametrize("fn, uri, expected", [
    # documented examples
    ("uriHost", "https://www.localhost.com:8080", "www.localhost.com"),
    ("uriPath", SHOWNEW, "/catalog/shownew.htm"),
    ("uriPath", "https://www.contoso.com", "/"),
    ("uriPathAndQuery", SHOWNEW, "/catalog/shownew.htm?date=today"),
    ("uriPathAndQuery", "https://www.contoso.com", "/"),
    ("uriPort", "https://www.localhost:8080", 8080),
    ("uriPort", "https://www.contoso.com", 443),
    ("uriQuery", SHOWNEW, "?date=today"),
    ("uriScheme", SHOWNEW, "https"),
    # defaults and normalisation
    ("uriPort", "http://contoso.com/x", 80),
    ("uriPort", "ftp://contoso.com", 21),
    ("uriPort", "wss://contoso.com", 443),
    ("uriPort", "custom://contoso.com/x", -1),
    ("uriPort", "http://contoso.com:0/", 0),
    ("uriPort", "http://contoso.com:/", 80),
    ("uriScheme", "HTTPS://Contoso.com", "https"),
    ("uriHost", "https://WWW.Contoso.COM/A", "www.contoso.com"),
    ("uriHost", "https://user:pw@contoso.com:99/", "contoso.com"),
    ("uriHost", "http://[::1]:8080/x", "[::1]"),
    ("uriPort", "http://[::1]:8080/x", 8080),
    ("uriHost", "http://127.0.0.1/x", "127.0.0.1"),
    ("uriHost", "http://my_host.local/", "my_host.local"),
    ("uriPath", "https://contoso.com/A/B", "/A/B"),
    ("uriPath", "https://contoso.com/a/./b/../c", "/a/c"),
    ("uriPath", "https://contoso.com/../../a", "/a"),
    ("uriPath", "https://contoso.com/a/b/..", "/a/"),
    ("uriPath", "http:\\\\contoso.com\\a\\b", "/a/b"),
    ("uriPath", "https://contoso.com/a b/é", "/a%20b/%C3%A9"),
    ("uriPath", "https://contoso.com/a%2Fb/100%", "/a%2Fb/100%25"),
    ("uriPath", "https://contoso.com/a#frag/x", "/a"),
    ("uriQuery", "https://contoso.com/a?x=1 2&y=é#frag", "?x=1%202&y=%C3%A9"),
    ("uriQuery", "https://contoso.com/a", ""),
    ("uriQuery", "https://contoso.com/a?", "?"),
    ("uriPathAndQuery", "https://contoso.com?q=1", "/?q=1"),
    ("uriPathAndQuery", "https://contoso.com/p?a=b?c#d", "/p?a=b?c"),
    ("uriHost", "  https://contoso.com  ", "contoso.com"),
    # non-hierarchical and other schemes
    ("uriPath", "urn:isbn:0451450523", "isbn:0451450523"),
    ("uriHost", "urn:isbn:0451450523", ""),
    ("uriPort", "urn:isbn:0451450523", -1),
    ("uriHost", "mailto:someone@Example.com", "example.com"),
    ("uriPort", "mailto:someone@example.com", 25),
    ("uriScheme", "file:///c:/dir/file.txt", "file"),
    ("uriPath", "file:///c:/dir/file.txt", "/c:/dir/file.txt"),
    ("uriHost", "file:///c:/dir/file.txt", ""),
    ("uriPath", "C:\\dir\\file.txt", "/C:/dir/file.txt"),
    ("uriScheme", "C:\\dir\\file.txt", "file"),
])
def test_uri_parts(fn, uri, expected):
    result = ev(f"@{fn}('{uri}')")
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("uri", [
    "", "contoso.com", "/relative/path", "www.contoso.com/a?b=c", "https://", "https:///path",
    "http://contoso .com/", "http://contoso.com:99999/", "http://contoso.com:8x/", "http://[::1/",
    "http://[zz]/", "1http://contoso.com", "http:contoso.com",
])
def test_invalid_uris_fail(uri):
    for fn in ("uriHost", "uriPath", "uriPathAndQuery", "uriPort", "uriQuery", "uriScheme"):
        assert f"The template language function '{fn}' was invoked with a parameter that is not valid" in err(
            f"@{fn}('{uri}')")


def test_invalid_uri_message():
    assert err("@uriHost('abc')") == (
        "The template language function 'uriHost' was invoked with a parameter that is not valid. The value 'abc' "
        "is not a well-formed absolute URI: Invalid URI: The format of the URI could not be determined.")


@pytest.mark.parametrize("arg, kind", [("1", "Integer"), ("null", "Null"), ("binary('http://a')", "Object")])
def test_uri_functions_need_strings(arg, kind):
    assert err(f"@uriScheme({arg})") == (
        "The template language function 'uriScheme' expects its first parameter to be of type string. The provided "
        f"value is of type '{kind}'. Please see https://aka.ms/logicexpressions#urischeme for usage details.")


def test_arity():
    assert "expects one parameter" in err("@uriHost('http://a', 'b')")
