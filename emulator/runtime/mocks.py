"""Mocked answers for outbound actions (connectors, Http, inline code...), and the call log.

The JSON format is documented in ``docs/mocks.md``. In short::

    {
      "actions": {"Get_row": {"statusCode": 200, "body": {...}},      # by action name
                  "Flaky":   [{"statusCode": 500}, {"statusCode": 200}]},  # successive calls
      "rules": [{"when": {"type": "Http", "method": "GET", "url": "https://api.test/items/*"},
                 "match": "queries.id == '1'",                         # jmespath on the request
                 "response": {"statusCode": 404, "body": "nope"}}],
      "default": {"statusCode": 200},                                  # unmatched managed connectors
      "http": "real",                                                  # unmatched Http: "real" | "fail"
      "strict": false                        # true: every unmatched call fails with NoMockFound
    }

A response is ``{"statusCode", "headers", "body"}``, or ``{"outputs": {...}}`` for non-HTTP actions,
or ``{"error": {"code", "message"}, "actionStatus": "Failed"|"TimedOut"}``; ``delay`` (seconds or an ISO 8601
duration) waits on the run's clock before answering. A rule (or an action's answer) with ``times`` answers that
many calls, then lets the next rule answer.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..definitions.status import FAILED
from .clock import parse_duration

DEFAULT_RESPONSE = {"statusCode": 200}


@dataclass
class MockAnswer:
    status_code: int | None = None
    headers: dict = field(default_factory=dict)
    body: object = None
    has_body: bool = False
    outputs: dict | None = None
    error: dict | None = None
    action_status: str | None = None
    delay: float = 0.0
    source: str = "default"

    @classmethod
    def from_json(cls, raw, source: str) -> MockAnswer:
        if not isinstance(raw, dict):
            raise ValueError(f"mock response {source} must be an object")
        status = raw.get("statusCode", raw.get("status"))
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        action_status = raw.get("actionStatus")
        if isinstance(status, str):  # "status": "Failed"
            action_status, status = status, None
        error = raw.get("error")
        if error is not None and not isinstance(error, dict):
            error = {"code": "MockError", "message": str(error)}
        if error and not action_status:
            action_status = FAILED
        return cls(status_code=status if isinstance(status, int) else None,
                   headers=dict(raw.get("headers") or {}), body=copy.deepcopy(raw.get("body")),
                   has_body="body" in raw, outputs=copy.deepcopy(raw.get("outputs")), error=error,
                   action_status=action_status, delay=parse_delay(raw.get("delay"), source), source=source)


def parse_delay(raw, source: str) -> float:
    """A mock's ``delay``: seconds (a number) or an ISO 8601 duration (``PT5S``)."""
    if raw is None:
        return 0.0
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= 0:
        return float(raw)
    seconds = parse_duration(raw)
    if seconds is None:
        raise ValueError(f"the delay of mock {source} must be seconds or an ISO 8601 duration, not {raw!r}")
    return seconds


class _Headers(dict):
    """Headers as a rule's ``match`` expression sees them: names looked up in any case."""

    def get(self, key, default=None):
        if isinstance(key, str):
            for name, value in self.items():
                if name.lower() == key.lower():
                    return value
        return default


def _headers_match(patterns: dict, headers) -> bool:
    headers = _Headers(headers) if isinstance(headers, dict) else _Headers()
    return all(_glob(pattern, headers.get(name)) for name, pattern in patterns.items())


def _glob(pattern, value) -> bool:
    if pattern is None:
        return True
    if value is None:
        return False
    if isinstance(pattern, str) and pattern.startswith("re:"):
        return re.search(pattern[3:], str(value)) is not None
    return fnmatch.fnmatchcase(str(value).lower(), str(pattern).lower())


class MockSet:
    """Mocks loaded from JSON plus the log of every call the run made (the outbox)."""

    def __init__(self, spec: dict | None = None):
        spec = spec or {}
        if not isinstance(spec, dict):
            raise ValueError("mocks must be a JSON object")
        self.spec = spec
        self.by_action: dict[str, list] = {}
        for name, answer in (spec.get("actions") or {}).items():
            self.by_action[name] = answer if isinstance(answer, list) else [answer]
        self.rules = list(spec.get("rules") or [])
        self.default = spec.get("default", DEFAULT_RESPONSE)
        self.strict = bool(spec.get("strict", False))  # unmatched calls fail (NoMockFound), Http included
        self.http_mode = str(spec.get("http", "fail" if self.strict else "real")).lower()
        self.calls: list[dict] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._compiled = {}

    @classmethod
    def load(cls, source) -> MockSet:
        if source is None:
            return cls()
        if isinstance(source, MockSet):
            return source
        if isinstance(source, dict):
            return cls(source)
        return cls(json.loads(Path(source).read_text(encoding="utf-8-sig")))

    def _next(self, key: str, answers: list, times=None):
        """The answer for the next call (the last one repeats); None once ``times`` calls were answered."""
        with self._lock:
            n = self._counts.get(key, 0)
            if isinstance(times, int) and n >= times:
                return None
            self._counts[key] = n + 1
        return answers[min(n, len(answers) - 1)]

    def _rule_matches(self, index: int, rule: dict, request: dict) -> bool:
        when = rule.get("when") or {}
        for key, pattern in when.items():
            if key == "type":
                if str(pattern).lower() != str(request.get("type", "")).lower():
                    return False
            elif key == "headers" and isinstance(pattern, dict):
                if not _headers_match(pattern, request.get("headers")):
                    return False
            elif not _glob(pattern, request.get(key)):
                return False
        expr = rule.get("match")
        if expr:
            import jmespath

            compiled = self._compiled.get(index)
            if compiled is None:
                compiled = self._compiled[index] = jmespath.compile(expr)
            seen = dict(request)
            if isinstance(seen.get("headers"), dict):
                seen["headers"] = _Headers(seen["headers"])
            if not compiled.search(seen):
                return False
        return True

    def find(self, request: dict) -> MockAnswer | None:
        """The mocked answer for a request, or None when nothing matches."""
        name = request.get("action")
        if name in self.by_action:
            answers = self.by_action[name]
            first = answers[0] if answers and isinstance(answers[0], dict) else {}
            raw = self._next(f"action:{name}", answers, first.get("times"))
            if raw is not None:
                return MockAnswer.from_json(raw, f"actions.{name}")
        for index, rule in enumerate(self.rules):
            if self._spent(index, rule) or not self._rule_matches(index, rule, request):
                continue
            answers = rule.get("responses") or [rule.get("response", DEFAULT_RESPONSE)]
            raw = self._next(f"rule:{index}", answers, rule.get("times"))
            if raw is None:
                continue
            if "delay" in rule and isinstance(raw, dict) and "delay" not in raw:
                raw = {**raw, "delay": rule["delay"]}
            return MockAnswer.from_json(raw, f"rules[{index}]")
        return None

    def _spent(self, index: int, rule: dict) -> bool:
        times = rule.get("times")
        return isinstance(times, int) and self._counts.get(f"rule:{index}", 0) >= times

    def default_answer(self, request: dict | None = None) -> MockAnswer:
        """The answer for a call nothing matched: ``default``, or a NoMockFound failure when strict."""
        if self.strict:
            request = request or {}
            return MockAnswer(error={"code": "NoMockFound", "message": (
                f"No mock matches the call of action '{request.get('action')}' (type '{request.get('type')}') "
                "and the mocks are strict.")}, action_status="Failed", source=None)
        return MockAnswer.from_json(self.default if isinstance(self.default, dict) else DEFAULT_RESPONSE,
                                    "default")

    def add(self, spec: dict) -> None:
        """Merge more mocks: its ``actions`` replace same-named ones (from their first answer again), its
        ``rules`` come after the rules there are; ``default``, ``http`` and ``strict`` replace ours."""
        with self._lock:
            for name, answer in (spec.get("actions") or {}).items():
                self.by_action[name] = answer if isinstance(answer, list) else [answer]
                self._counts.pop(f"action:{name}", None)
            self.rules.extend(spec.get("rules") or [])
            if "default" in spec:
                self.default = spec["default"]
            if "strict" in spec:
                self.strict = bool(spec["strict"])
            if "http" in spec:
                self.http_mode = str(spec["http"]).lower()

    def record(self, entry: dict) -> None:
        with self._lock:
            self.calls.append(entry)
