"""Request bodies: Json.NET wording for invalid JSON, no depth crashes, $formdata as the host builds it (issue 10)."""

from __future__ import annotations

import pytest

from emulator.runtime.content import InvalidRequestContent, decode_body


@pytest.mark.parametrize("text, message", [
    ("x", "Unexpected character encountered while parsing value: x. Path '', line 1, position 1."),
    ('{"a": x}', "Unexpected character encountered while parsing value: x. Path 'a', line 1, position 7."),
    ('{"a":1', "Unexpected end when reading JSON. Path 'a', line 1, position 6."),
    ("[1, x]", "Unexpected character encountered while parsing value: x. Path '[1]', line 1, position 5."),
    ('{"a":1 "b":2}', "After parsing a value an unexpected character was encountered: \". Path 'a', line 1, "
                      "position 8."),
    ('{"a" 1}', "Invalid character after parsing property name. Expected ':' but got: 1. Path 'a', line 1, "
                "position 6."),
    ('"abc', "Unterminated string. Expected delimiter: \". Path '', line 1, position 4."),
    ('{"a":1} x', "Additional text encountered after finished reading JSON content: x. Path '', line 1, "
                  "position 9."),
    ('{"a":\n {"b c": [1, NaN]}}', "Unexpected character encountered while parsing value: N. Path 'a['b c'][1]', "
                                   "line 2, position 14."),
])
def test_json_net_wording(text, message):
    with pytest.raises(InvalidRequestContent) as err:
        decode_body(text.encode(), "application/json")
    assert err.value.detail == message


def test_control_characters_in_strings_are_read_as_json_net_does():
    assert decode_body(b'{"a": "x\ty"}', "application/json") == {"a": "x\ty"}


def test_json_deeper_than_the_recursion_limit_is_invalid_content_not_a_crash():
    deep = b"[" * 5000 + b"]" * 5000
    with pytest.raises(InvalidRequestContent) as err:
        decode_body(deep, "application/json")
    assert "nested too deeply" in err.value.detail
    assert decode_body(deep, None) == {"$content-type": "application/octet-stream",
                                       "$content": decode_body(deep, "application/octet-stream")["$content"]}


def test_formdata_keeps_every_segment_as_the_host_does():
    body = decode_body(b"a&x=y=z&&&===&n=A+b%21", "application/x-www-form-urlencoded")
    assert body["$formdata"] == [{"key": "a", "value": ""}, {"key": "x", "value": "y=z"}, {"key": "", "value": ""},
                                 {"key": "", "value": ""}, {"key": "", "value": "=="},
                                 {"key": "n", "value": "A b!"}]
