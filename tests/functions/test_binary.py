"""Binary and encoding conversions: base64, binary, data URIs, URI components, byte order marks."""

from __future__ import annotations

import copy
import pickle

import pytest

from emulator.expressions import Blob, ExpressionError, compile_template, to_json_value
from emulator.expressions.encoding import decode_base64, decode_text, lookup_charset
from emulator.expressions.values import XML_CONTENT_TYPE, blob_from_envelope, to_string


def ev(expr: str, **context):
    return compile_template(expr).evaluate(context)


def err(expr: str, **context) -> str:
    with pytest.raises(ExpressionError) as info:
        ev(expr, **context)
    return info.value.message


def env(content: str, content_type: str = "application/octet-stream") -> dict:
    return {"$content-type": content_type, "$content": content}


# --------------------------------------------------------------------------- base64

@pytest.mark.parametrize("expr, expected", [
    ("@base64('test')", "dGVzdA=="),
    ("@base64('')", ""),
    ("@base64('héllo')", "aMOpbGxv"),
    ("@base64ToString(base64('test'))", "test"),
    ("@base64ToString('aGVsbG8gd29ybGQ=')", "hello world"),
    ("@base64ToString(' aGVs\r\nbG8g d29y\tbGQ= ')", "hello world"),
    ("@decodeBase64('aGVsbG8=')", "hello"),
    ("@base64ToString('//79')", "\ufffd\ufffd\ufffd"),
])
def test_base64_strings(expr, expected):
    assert ev(expr) == expected


@pytest.mark.parametrize("expr, content", [
    ("@base64ToBinary('')", ""),
    ("@base64ToBinary('aGVsbG8gd29ybGQ=')", "aGVsbG8gd29ybGQ="),
    ("@base64ToBinary('aGVsbG8 gd29ybGQ=')", "aGVsbG8 gd29ybGQ="),  # whitespace kept verbatim
    ("@base64ToBinary(base64('test'))", "dGVzdA=="),
])
def test_base64_to_binary_keeps_content(expr, content):
    value = ev(expr)
    assert isinstance(value, Blob)
    assert list(value.items()) == [("$content-type", "application/octet-stream"), ("$content", content)]


def test_binary_interpolates_as_utf8_with_replacement():
    assert ev("@{base64ToBinary('test')}") == "\ufffd\ufffd-"


@pytest.mark.parametrize("text", ["aa", "$#[<", "abc", "a===", "ab=c", "aGVsbG8%20gd29ybGQ="])
def test_invalid_base64_fails(text):
    assert "cannot be decoded from base64" in err(f"@base64ToBinary('{text}')")
    assert "cannot be decoded from base64" in err(f"@base64ToString('{text}')")


def test_base64_of_binary_and_envelope():
    assert ev("@base64(binary('x'))") == "eA=="
    assert ev("@base64(parameters('b'))", parameters={"b": env("aGk=", "text/plain")}) == "aGk="


@pytest.mark.parametrize("value, kind", [(1, "Integer"), (None, "Null"), ([1], "Array"), ({"a": 1}, "Object")])
def test_base64_type_errors(value, kind):
    message = err("@base64(parameters('v'))", parameters={"v": value})
    assert message.startswith("The template language function 'base64' expects its first parameter to be of "
                              f"type string. The provided value is of type '{kind}'.")


def test_decoders_need_strings():
    assert "expects its first parameter to be of type string" in err("@base64ToString(binary('x'))")
    assert "of type 'Integer'" in err("@base64ToBinary(1)")


# --------------------------------------------------------------------------- binary

@pytest.mark.parametrize("expr, content", [
    ("@binary('123asdf?a=b%20c%2F')", "MTIzYXNkZj9hPWIlMjBjJTJG"),
    ("@binary(binary('123'))", "MTIz"),
    ("@binary(3.14)", "My4xNA=="),
    ("@binary(true)", "VHJ1ZQ=="),
    ("@binary(false)", "RmFsc2U="),
    ("@binary('')", ""),
])
def test_binary(expr, content):
    assert to_json_value(ev(expr)) == {"$content-type": "application/octet-stream", "$content": content}


def test_binary_of_json_values_and_xml():
    params = {"o": {"hello": "world"}, "a": ["a", "b", "c"], "x": Blob(b"<root />", XML_CONTENT_TYPE)}
    assert ev("@binary(parameters('o'))", parameters=params)["$content"] == "eyJoZWxsbyI6IndvcmxkIn0="
    assert ev("@binary(parameters('a'))", parameters=params)["$content"] == "WyJhIiwiYiIsImMiXQ=="
    assert dict(ev("@binary(parameters('x'))", parameters=params)) == {
        "$content-type": "application/octet-stream", "$content": "PHJvb3QgLz4="}


def test_binary_of_envelope_reencodes_text_as_utf8():
    latin = env("aOls", "text/plain; charset=iso-8859-1")  # b"h\xe9l"
    assert ev("@binary(parameters('l'))", parameters={"l": latin})["$content"] == "aMOpbA=="


def test_binary_null_fails():
    assert "'binary'" in err("@binary(null)")


# --------------------------------------------------------------------------- dataUri

@pytest.mark.parametrize("expr, expected", [
    ("@dataUri('test')", "data:text/plain;charset=utf-8;base64,dGVzdA=="),
    ("@dataUri('some string')", "data:text/plain;charset=utf-8;base64,c29tZSBzdHJpbmc="),
    ("@{dataUri(1)}", "data:application/json;charset=utf-8;base64,MQ=="),
    ("@{dataUri(true)}", "data:application/json;charset=utf-8;base64,VHJ1ZQ=="),
    ("@dataUri(binary('x'))", "data:application/octet-stream;base64,eA=="),
])
def test_data_uri(expr, expected):
    assert ev(expr) == expected


def test_data_uri_of_objects_xml_and_envelopes():
    params = {"o": {"a": 3}, "a": [1, 2, 3], "x": Blob(b"<t />", XML_CONTENT_TYPE), "e": env("aGk=", "text/csv")}
    assert ev("@dataUri(parameters('o'))", parameters=params) == \
        "data:application/json;charset=utf-8;base64,eyJhIjozfQ=="
    assert ev("@dataUri(parameters('a'))", parameters=params) == \
        "data:application/json;charset=utf-8;base64,WzEsMiwzXQ=="
    assert ev("@dataUri(parameters('x'))", parameters=params) == \
        "data:application/xml;charset=utf-8;base64,PHQgLz4="
    assert ev("@dataUri(parameters('e'))", parameters=params) == "data:text/csv;base64,aGk="


def test_data_uri_null_fails():
    assert "'dataUri'" in err("@{dataUri(null)}")


# --------------------------------------------------------------------------- dataUriToBinary

@pytest.mark.parametrize("uri, content_type, content", [
    ("data:text/plain;charset=utf-8;base64,aGVsbG8=", "text/plain;charset=utf-8", "aGVsbG8="),
    ("data:text/plain;charset=utf-8,aGVsbG8=", "text/plain;charset=utf-8", "YUdWc2JHOD0="),
    ("data:text/plain;charset=utf-8;base64,aGVsbG8%20gd29ybGQ=", "text/plain;charset=utf-8",
     "aGVsbG8%20gd29ybGQ="),
    ("data:text/plain;charset=utf-8;base64,aGVsbG8g+d29ybGQ=", "text/plain;charset=utf-8", "aGVsbG8g+d29ybGQ="),
    ("data:text/plain;charset=utf-8;base64,aGVsbG8g d29ybGQ=", "text/plain;charset=utf-8", "aGVsbG8g d29ybGQ="),
    ("data:text/plain;charset=utf-8,abc+def ghi+jkl=asdf+qwer?abc+def=ghi+jkl", "text/plain;charset=utf-8",
     "YWJjIGRlZiBnaGkgamtsPWFzZGYgcXdlcj9hYmMgZGVmPWdoaSBqa2w="),
    ("data:text/plain;charset=utf-8;base64,JTIyaGVsbG8rd29ybGQlMjIlM0YlM2Y=", "text/plain;charset=utf-8",
     "JTIyaGVsbG8rd29ybGQlMjIlM0YlM2Y="),
    ("data:bad/mime;charset=utf-8,  [ 1, 2, 3 ]  ", "bad/mime;charset=utf-8", "ICBbIDEsIDIsIDMgXSAg"),
    ("data:,  [ 1, 2, 3 ]  ", "text/plain", "ICBbIDEsIDIsIDMgXSAg"),
    ("data:base64,dGVzdA==", "text/plain", "dGVzdA=="),
    ("data:;base64,dGVzdA==", "text/plain", "dGVzdA=="),
    ("data:text/plain,  [ 1, 2, 3 ]  ", "text/plain", "ICBbIDEsIDIsIDMgXSAg"),
    ("data:text/plain;base64;charset=ascii,dGVzdA==", "text/plain;base64;charset=ascii", "ZEdWemRBPT0="),
    ("data:text/plain;cows=moo;charset=ascii;base64,dGVzdA==", "text/plain;cows=moo;charset=ascii", "dGVzdA=="),
    ("data:text/plain;charset=ascii;cats=cute;base64,dGVzdA==", "text/plain;charset=ascii;cats=cute", "dGVzdA=="),
    ("data:text/plain;charset=utf-8;cats=cute;base64,dGVzdA==", "text/plain;charset=utf-8;cats=cute", "dGVzdA=="),
    ("data:text/plain;cows=moo;charset=utf-8;cats=cute;base64,dGVzdA==",
     "text/plain;cows=moo;charset=utf-8;cats=cute", "dGVzdA=="),
    ("DATA:TEXT/PLAIN;COWS=MOO;CHARSET=UTF-8;CATS=CUTE;BASE64,dGVzdA==",
     "TEXT/PLAIN;COWS=MOO;CHARSET=UTF-8;CATS=CUTE", "dGVzdA=="),
    ("data:application/octet-stream,%FF%00%zz", "application/octet-stream", "/wAleno="),
])
def test_data_uri_to_binary(uri, content_type, content):
    for fn in ("dataUriToBinary", "decodeDataUri"):
        value = ev(f"@{fn}('{uri}')")
        assert isinstance(value, Blob)
        assert list(value.items()) == [("$content-type", content_type), ("$content", content)]


@pytest.mark.parametrize("uri, text", [
    ("data:text/plain;charset=utf-8,abc+def ghi+jkl=asdf+qwer?abc+def=ghi+jkl",
     "abc def ghi jkl=asdf qwer?abc def=ghi jkl"),
    ("data:text/plain;charset=utf-8;base64,JTIyaGVsbG8rd29ybGQlMjIlM0YlM2Y=", "%22hello+world%22%3F%3f"),
    ("data:text/plain;charset=utf-8;base64,aGVsbG8g d29ybGQ=", "hello world"),
    ("data:bad/mime;charset=utf-8,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:base64,dGVzdA==", "test"),
    ("data:;base64,dGVzdA==", "test"),
    ("data:text/plain,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:text/plain;cows=moo;charset=ascii;base64,dGVzdA==", "test"),
    ("data:text/plain;charset=ascii;cats=cute;base64,dGVzdA==", "test"),
    ("data:text/plain;cows=moo;charset=utf-8;cats=cute;base64,dGVzdA==", "test"),
    ("data:text/plain;charset=utf-8;cats=cute;base64,dGVzdA==", "test"),
    ("DATA:TEXT/PLAIN;COWS=MOO;CHARSET=UTF-8;CATS=CUTE;BASE64,dGVzdA==", "test"),
    ("data:text/plain;charset=utf-16;base64,aABpAA==", "hi"),
    ("data:text/plain;charset=ascii;base64,aOk=", "h?"),
])
def test_data_uri_to_binary_interpolated(uri, text):
    assert ev(f"@{{dataUriToBinary('{uri}')}}") == text


@pytest.mark.parametrize("uri", [
    "data:;;base64,dGVzdA==",                       # too many semicolons
    "data:;,test",
    "data:;;,test",
    "data:badmime;charset=utf-8,  [ 1, 2, 3 ]  ",     # media type without '/'
    "data:text/plain/epic;charset=utf-8;base64,aGVsbG8g d29ybGQ=",
    "data:application/json;charset=fake-encoding,  [ 1, 2, 3 ]  ",
    "data:text/plain;charset=martian;base64,aGVsbG8gd29ybGQ=",
    "data:text/plain;charset=utf-7;base64,aGVsbG8gd29ybGQ=",
    "data:text/plain;cows=moo;base64;charset=ascii;cats=cute=very,dGVzdA==",  # two '=' in a parameter
    "text/plain;base64,dGVzdA==",                    # not a data URI
    "data:text/plain;base64",                        # no comma
])
def test_data_uri_to_binary_errors(uri):
    err(f"@dataUriToBinary('{uri}')")
    err(f"@{{dataUriToBinary('{uri}')}}")


@pytest.mark.parametrize("uri", [
    "data:text/plain;base64;charset=ascii,dGVzdA==",               # 'base64' segment is not name=value
    "data:text/plain;charset=utf-8;base64,aGVsbG8%20gd29ybGQ=",    # invalid base64, found when read
])
def test_data_uri_to_binary_fails_only_when_read(uri):
    assert isinstance(ev(f"@dataUriToBinary('{uri}')"), Blob)
    err(f"@{{dataUriToBinary('{uri}')}}")


def test_data_uri_error_messages():
    assert err("@dataUriToBinary('data:badmime,x')") == (
        "The template language function 'dataUriToBinary' was invoked with a parameter that is not valid. "
        "The value 'data:badmime,x' is not a valid data URI: the media type 'badmime' is not valid.")
    assert "'martian' is not a supported encoding name" in err(
        "@dataUriToBinary('data:text/plain;charset=martian,x')")
    assert "of type 'Integer'" in err("@dataUriToBinary(1)")


# --------------------------------------------------------------------------- dataUriToString

@pytest.mark.parametrize("uri, text", [
    ("data:text/plain;charset=utf-8;base64,aGVsbG8=", "hello"),
    ("data:;base64,c29tZSBzdHJpbmc=", "some string"),
    ("data:text/plain;charset=utf-8,%22hello,%20world%22", '"hello, world"'),
    ("data:text/plain;charset=utf-8;base64,aGVsbG8 gd29ybGQ=", "hello world"),
    ("data:text/plain;test=wow;charset=nope;base64,aGVsbG8gd29ybGQ=", "hello world"),  # only 2nd segment checked
    ("data:text/plain;charset=utf-8,abc+def ghi+jkl=asdf+qwer?abc+def=ghi+jkl",
     "abc def ghi jkl=asdf qwer?abc def=ghi jkl"),
    ("data:text/plain;charset=utf-8;base64,JTIyaGVsbG8rd29ybGQlMjIlM0YlM2Y=", "%22hello+world%22%3F%3f"),
    ("data:badmime;charset=utf-8,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:bad/mime;charset=utf-8,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:base64,dGVzdA==", "test"),
    ("data:;base64,dGVzdA==", "test"),
    ("data:text/plain,  [ 1, 2, 3 ]  ", "  [ 1, 2, 3 ]  "),
    ("data:text/plain;cows=moo;base64;charset=ascii;cats=cute=very,dGVzdA==", "dGVzdA=="),
    ("data:text/plain;base64;charset=ascii,dGVzdA==", "dGVzdA=="),
    ("data:text/plain;cows=moo;charset=ascii;base64,dGVzdA==", "test"),
    ("data:text/plain;charset=utf-8;cats=cute;base64,dGVzdA==", "test"),
    ("data:text/plain;cows=moo;charset=utf-8;cats=cute;base64,dGVzdA==", "test"),
    ("DATA:TEXT/PLAIN;COWS=MOO;CHARSET=UTF-8;CATS=CUTE;BASE64,dGVzdA==", "test"),
    ("data:text/plain;charset=UNICODE-1-1-UTF-8,caf%C3%A9", "café"),
])
def test_data_uri_to_string(uri, text):
    assert ev(f"@dataUriToString('{uri}')") == text


@pytest.mark.parametrize("uri, fragment", [
    ("data:;;base64,dGVzdA==", "the media type is empty"),
    ("data:;,test", "the media type is empty"),
    ("data:;;,test", "the media type is empty"),
    ("data:application/json;charset=fake-encoding,  [ 1, 2, 3 ]  ", "not a supported encoding name"),
    ("data:text/plain;charset=ascii;cats=cute;base64,dGVzdA==", "only 'utf-8'"),
    ("data:text/plain;charset=ascii;base64,dGVzdA==", "only 'utf-8'"),
    ("data:text/plain;CHARSET=nope;base64,aGVsbG8gd29ybGQ=", "not a supported encoding name"),
    ("data:text/plain;charset=utf-8;base64,aGVsbG8%20gd29ybGQ=", "cannot be decoded from base64"),
])
def test_data_uri_to_string_errors(uri, fragment):
    assert fragment in err(f"@dataUriToString('{uri}')")


# --------------------------------------------------------------------------- URI components

@pytest.mark.parametrize("expr, expected", [
    ("@uriComponent('You Are:Cool/Awesome')", "You%20Are%3ACool%2FAwesome"),
    ("@encodeUriComponent('You Are:Cool/Awesome')", "You%20Are%3ACool%2FAwesome"),
    ("@uriComponent('https://contoso.com')", "https%3A%2F%2Fcontoso.com"),
    ("@uriComponent('a-b_c.d~e!*()''+&=?#%')", "a-b_c.d~e%21%2A%28%29%27%2B%26%3D%3F%23%25"),
    ("@uriComponent('é€😀')", "%C3%A9%E2%82%AC%F0%9F%98%80"),
    ("@uriComponent('')", ""),
    ("@uriComponent(12)", "12"),
    ("@uriComponent(true)", "True"),
    ("@uriComponent(null)", ""),
    ("@uriComponent(binary('a b'))", "a%20b"),
    ("@decodeUriComponent('https%3A%2F%2Fcontoso.com')", "https://contoso.com"),
    ("@decodeUriComponent('You%20Are%3ACool%2FAwesome')", "You Are:Cool/Awesome"),
    ("@uriComponentToString('You+Are%3ACool%2FAwesome')", "You Are:Cool/Awesome"),
    ("@uriComponentToString('%C3%A9%e2%82%ac')", "é€"),
    ("@uriComponentToString('100%25 %zz %')", "100% %zz %"),
    ("@uriComponentToString('%FF')", "\ufffd"),
    ("@uriComponentToString(uriComponent('a b/c'))", "a b/c"),
])
def test_uri_components(expr, expected):
    assert ev(expr) == expected


def test_uri_component_of_object():
    assert ev("@uriComponent(parameters('o'))", parameters={"o": {"a": 1}}) == "%7B%22a%22%3A1%7D"


def test_uri_component_to_binary():
    assert dict(ev("@uriComponentToBinary('https%3A%2F%2Fcontoso.com')")) == {
        "$content-type": "application/octet-stream", "$content": "aHR0cHM6Ly9jb250b3NvLmNvbQ=="}
    assert ev("@uriComponentToBinary('%FF%00+')").data == b"\xff\x00 "


def test_uri_component_decoders_need_strings():
    assert "'decodeUriComponent' expects its first parameter to be of type string" in err(
        "@decodeUriComponent(1)")
    assert "of type 'Null'" in err("@uriComponentToString(null)")
    assert "of type 'Object'" in err("@uriComponentToBinary(binary('x'))")


# --------------------------------------------------------------------------- trimByteOrderMark

def test_trim_byte_order_mark_string():
    assert ev("@trimByteOrderMark(parameters('s'))", parameters={"s": "\ufeffabc\ufeff"}) == "abc\ufeff"
    assert ev("@trimByteOrderMark('abc')") == "abc"


@pytest.mark.parametrize("data, rest", [
    (b"\xef\xbb\xbfabc", b"abc"),
    (b"\xff\xfea\x00", b"a\x00"),
    (b"\xfe\xff\x00a", b"\x00a"),
    (b"\xff\xfe\x00\x00a\x00\x00\x00", b"a\x00\x00\x00"),
    (b"abc", b"abc"),
])
def test_trim_byte_order_mark_binary(data, rest):
    value = ev("@trimByteOrderMark(parameters('b'))", parameters={"b": Blob(data, "text/plain")})
    assert isinstance(value, Blob) and value.data == rest and value.content_type == "text/plain"


def test_trim_byte_order_mark_envelope_and_errors():
    value = ev("@trimByteOrderMark(parameters('e'))", parameters={"e": env("77u/aGk=", "text/plain")})
    assert value.data == b"hi"
    assert "'trimByteOrderMark' expects its first parameter to be a string or binary content" in err(
        "@trimByteOrderMark(1)")


# --------------------------------------------------------------------------- Blob and encodings

def test_blob_lazy_content_and_copies():
    blob = Blob.from_base64("aGVsbG8 gd29ybGQ=", "text/plain")
    assert blob["$content"] == "aGVsbG8 gd29ybGQ=" and blob.data == b"hello world"
    assert copy.deepcopy(blob).data == b"hello world"
    assert pickle.loads(pickle.dumps(blob)).text() == "hello world"
    blob["$content"] = "aGk="
    assert blob.data == b"hi"  # replaced content is decoded again


def test_blob_invalid_content_fails_when_read():
    blob = blob_from_envelope(env("not base64!"))
    assert isinstance(blob, Blob)
    with pytest.raises(ExpressionError, match="not a valid base64 string"):
        to_string(blob)


def test_envelope_interpolation_uses_charset():
    params = {"e": env("aOls", "text/plain; charset=ISO-8859-1")}
    assert ev("@{base64(parameters('e'))}", parameters=params) == "aOls"
    assert blob_from_envelope(params["e"]).text() == "hél"


@pytest.mark.parametrize("text, data", [
    ("", b""), ("aGk=", b"hi"), ("aG k=\n", b"hi"), ("aGVsbG8=", b"hello"), ("aGVsbA==", b"hell"),
    ("aGk", None), ("a===", None), ("aG=k", None), ("aGk=aGk=", None), ("aGk-", None), ("====", None),
])
def test_decode_base64(text, data):
    assert decode_base64(text) == data


@pytest.mark.parametrize("name, codec", [
    ("utf-8", "utf-8"), ("UTF-8", "utf-8"), ("x-unicode-2-0-utf-8", "utf-8"), ("us-ascii", "ascii"),
    ("latin1", "latin-1"), ("utf-16", "utf-16-le"), ("unicodeFFFE", "utf-16-be"), ("utf-32", "utf-32-le"),
    ('"utf-8"', "utf-8"), ("utf8", None), ("utf-7", None), ("windows-1252", None), ("base64", None),
])
def test_lookup_charset(name, codec):
    assert lookup_charset(name) == codec


def test_decode_text_rules():
    assert decode_text(b"\xef\xbb\xbfhi", "text/plain") == "\ufeffhi"  # a BOM is kept
    assert decode_text(b"h\x00i\x00", "text/plain; charset=utf-16") == "hi"
    assert decode_text(b"x", "multipart/form-data; boundary=abc") == "x"
    with pytest.raises(ExpressionError, match="not a 'name=value' pair"):
        decode_text(b"x", "text/plain;base64")
    with pytest.raises(ExpressionError, match="not a supported encoding name"):
        decode_text(b"x", "text/plain;charset=klingon")
