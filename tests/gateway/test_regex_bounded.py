"""A regular expression in a policy expression runs in bounded time on a caller's input (limits.regex_seconds)."""

from __future__ import annotations

import time

import pytest

from emulator import limits
from emulator.gateway.context import Exchange, RequestState
from emulator.gateway.csharp import EvalError
from emulator.gateway.expressions import compile_value


@pytest.fixture
def hostile():
    state = RequestState("post", "http://gw/api/x", {"X-In": "a" * 40 + "!"}, b"", "10.1.2.3")
    before = limits.active()
    limits.install(before.replace(regex_seconds=0.2))
    yield Exchange(state)
    limits.install(before)


@pytest.mark.parametrize("call", ["IsMatch", "Match", "Replace"])
def test_a_backtracking_pattern_stops_with_a_timeout(hostile, call):
    extra = ', "x"' if call == "Replace" else ""
    text = f'@(Regex.{call}(context.Request.Headers.GetValueOrDefault("X-In", ""), "^(a|a)*$"{extra}))'
    started = time.monotonic()
    with pytest.raises(EvalError, match="RegexMatchTimeoutException"):
        compile_value(text).evaluate(hostile)
    assert time.monotonic() - started < 5


def test_named_groups_still_work(hostile):
    text = '@(Regex.Match("max-age=60", @"max-age=(?<maxAge>\\d+)").Groups["maxAge"].Value)'
    assert compile_value(text).evaluate(hostile) == "60"
