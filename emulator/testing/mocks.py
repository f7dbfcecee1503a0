"""Mocks for tests, in the format of ``docs/mocks.md`` (one :class:`~emulator.runtime.MockSet` per test).

Tests are strict: a call no mock answers fails its action with ``NoMockFound`` (connectors, inline code, Http);
``allow_real_http()`` lets unmatched ``Http`` actions make real calls.
"""

from __future__ import annotations

from pathlib import Path

from ..runtime.mocks import MockSet


def new_mock_set(spec: dict | None = None) -> MockSet:
    return MockSet({"strict": True, **(spec or {})})


def answer(*, status_code: int = 200, body=None, headers: dict | None = None, outputs: dict | None = None,
           error=None) -> dict:
    """One mocked answer in the docs/mocks.md format from keyword arguments."""
    if error is not None:
        err = error if isinstance(error, dict) else {"code": "MockError", "message": str(error)}
        out = {"error": err}
        if status_code != 200:
            out["statusCode"] = status_code
        if outputs is not None:
            out["outputs"] = outputs
        return out
    if outputs is not None:
        return {"outputs": outputs}
    out = {"statusCode": status_code, "headers": dict(headers or {})}
    if body is not None:
        out["body"] = body
    return out


def rule(when, match: str | None = None, response: dict | None = None, responses: list | None = None) -> dict:
    """A ``rules`` entry: ``when`` (keys matched as globs, ``re:`` regexes), an optional JMESPath ``match``,
    then ``response`` (one answer) or ``responses`` (successive answers; the last repeats)."""
    if not isinstance(when, dict):
        raise TypeError("when must be a dict of request keys to patterns, e.g. {'type': 'Http', 'url': '*/items'}")
    out: dict = {"when": dict(when)}
    if match:
        out["match"] = match
    if responses is not None:
        out["responses"] = [dict(r) for r in responses]
    else:
        out["response"] = dict(response) if response is not None else {"statusCode": 200}
    return out


def check_rules(spec: dict) -> dict:
    """``spec`` once each rule's JMESPath ``match`` compiles: a bad one raises ``ValueError`` here, where the
    test adds it, not later as an ``EmulatorError`` of the action it was meant to answer."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    for index, entry in enumerate(spec.get("rules") or []):
        expr = entry.get("match") if isinstance(entry, dict) else None
        if expr:
            try:
                jmespath.compile(expr)
            except JMESPathError as exc:
                raise ValueError(f"mock rule {index} ('match': {expr!r}) is not a JMESPath expression: "
                                 f"{str(exc).splitlines()[0]}") from None
    return spec


def read_spec(source) -> dict:
    """A mocks spec from a dict or a JSON file path."""
    if isinstance(source, dict):
        return source
    import json

    return json.loads(Path(source).read_text(encoding="utf-8-sig"))
