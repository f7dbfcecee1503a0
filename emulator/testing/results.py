"""What a test reads after a call: :class:`InvokeResult`, :class:`RunView`, :class:`ActionView`.

Values a test compares (``result.status``, ``run.status``, ``action.status``, ``result.json()``...) are plain
ints, strings, dicts and lists that also remember the run they came from: when an ``assert`` on one fails,
the pytest plugin prints the run as a tree (see :func:`explain`). The ``assert_*`` helpers raise an
``AssertionError`` that carries the tree too, with or without pytest.
"""

from __future__ import annotations

import json as _json
from enum import Enum

from multidict import CIMultiDictProxy

from ..runtime.run import format_tree

# ---------------------------------------------------------------------- values that remember their run


class _Carrier:
    """Mixed into a value type: ``_owner`` is the result/run/action the value was read from."""

    __slots__ = ()


def _carry(value, owner):
    """``value`` as a subclass instance that knows ``owner`` (None, bool and floats are returned as they are)."""
    if isinstance(value, Enum):  # a status kept as the runtime's StrEnum (loop repetitions): its plain value
        value = value.value
    kind = _CARRIERS.get(type(value))
    if kind is None:
        return value
    out = kind(value)
    out._owner = owner
    return out


def _item_reader(base):
    """``__getitem__`` of a traced container: an item read from it knows the same run (``json()["status"]``).
    A nested dict or list is traced once and kept in its place, so changes made through it stay."""
    def getitem(self, key):
        value = base.__getitem__(self, key)
        if isinstance(key, slice) or isinstance(value, _Carrier):
            return value
        out = _carry(value, self._owner)
        if isinstance(out, (dict, list)):
            base.__setitem__(self, key, out)
        return out

    return getitem


def _get(self, key, default=None):
    return self[key] if key in self else default


_CARRIERS = {t: type(f"Traced{t.__name__.title()}", (_Carrier, t), {}) for t in (int, str)}
_CARRIERS[dict] = type("TracedDict", (_Carrier, dict), {"__getitem__": _item_reader(dict), "get": _get})
_CARRIERS[list] = type("TracedList", (_Carrier, list), {"__getitem__": _item_reader(list)})


def explain(value) -> str | None:
    """The run tree behind a value read from a result (None when the value has no run behind it)."""
    owner = getattr(value, "_owner", None) if isinstance(value, _Carrier) else value
    if isinstance(owner, (InvokeResult, RunView, ActionView)):
        return owner.explain()
    return None


def _traced(key: str, empty=None) -> property:
    """A property reading ``self.record[key]`` (``empty`` when absent or null) as a value that knows its run."""
    def read(self):
        value = self.record.get(key)
        return _carry(empty if value is None else value, self)  # (a copy: ``empty`` is never shared)

    return property(read)


# ---------------------------------------------------------------------- the run


class ActionView:
    """One action of a run: ``status``, ``code``, ``inputs``, ``outputs``, ``error``, ``repetitions``."""

    def __init__(self, name: str, record: dict | None, run: RunView | None):
        self.name = name
        self.record = record or {}
        self._run = run

    status = _traced("status")
    code = _traced("code")
    inputs = _traced("inputs")
    outputs = _traced("outputs")
    error = _traced("error")

    @property
    def repetitions(self) -> list[ActionView]:
        """One view per loop iteration (its record has ``repetitionIndexes``); empty outside loops."""
        return [ActionView(self.name, rep, self._run) for rep in self.record.get("repetitions") or []]

    def explain(self) -> str:
        head = f"action {self.name}: {self.record.get('status')} {self.record.get('code') or ''}".rstrip()
        return head if self._run is None else f"{head}\n{self._run.explain()}"

    def __repr__(self) -> str:
        return f"<ActionView {self.name} {self.record.get('status')} {self.record.get('code')}>"


class RunView:
    """A run record (``record``) with helpers: ``status``, ``action(name)``, ``query(jmespath)``, ``trigger``,
    ``calls``, ``tree``."""

    def __init__(self, record: dict, workflow=None):
        self.record = record
        self.workflow = workflow

    @property
    def id(self) -> str:
        return self.record.get("name")

    status = _traced("status")
    error = _traced("error")
    trigger = _traced("trigger", {})
    outputs = _traced("outputs", {})

    @property
    def calls(self) -> list:
        """This run's outbound calls (the outbox format of docs/mocks.md), in order."""
        return _carry(list(self.record.get("calls") or []), self)

    @property
    def actions(self) -> dict[str, ActionView]:
        return {name: ActionView(name, rec, self) for name, rec in (self.record.get("actions") or {}).items()}

    def action(self, name: str) -> ActionView:
        records = self.record.get("actions") or {}
        if name in records:
            return ActionView(name, records[name], self)
        if self.workflow is not None and name in action_names(self.workflow):
            return ActionView(name, None, self)  # in the definition, not run (status None)
        raise KeyError(f"the run has no action '{name}' (actions: {', '.join(records) or 'none'})\n{self.tree}")

    def query(self, expression: str):
        """A JMESPath expression over the run record, e.g. ``actions.Send_email.outputs.statusCode``."""
        import jmespath

        from ..expressions.values import to_json_value

        return jmespath.search(expression, to_json_value(self.record))

    @property
    def tree(self) -> str:
        return format_tree(self.record, self.workflow)

    def explain(self) -> str:
        return self.tree

    def assert_status(self, expected: str) -> RunView:
        if self.record.get("status") != expected:
            raise AssertionError(f"run status {self.record.get('status')!r}, expected {expected!r}\n{self.tree}")
        return self

    def assert_action(self, name: str, status: str = "Succeeded", code: str | None = None) -> ActionView:
        action = self.action(name)
        if action.record.get("status") != status or (code is not None and action.record.get("code") != code):
            want = status + (f" {code}" if code else "")
            raise AssertionError(f"action {name}: {action.record.get('status')} {action.record.get('code') or ''}"
                                 f", expected {want}\n{self.tree}")
        return action

    def __repr__(self) -> str:
        return f"<RunView {self.id} {self.record.get('status')}>\n{self.tree}"


def action_names(workflow) -> set:
    names = set()

    def walk(branch):
        for action in branch.actions.values():
            names.add(action.name)
            for child in action.branches.values():
                walk(child)

    walk(workflow.actions)
    return names


# ---------------------------------------------------------------------- the answer


class InvokeResult:
    """The answer to one trigger call (``status``, ``headers``, ``body``, ``text``, ``json()``), whether the
    trigger was ``skipped``, and the ``run`` it started (None when none started)."""

    def __init__(self, status: int, headers: CIMultiDictProxy, body: bytes, run: RunView | None = None,
                 skipped: bool = False, url: str = ""):
        self._status = status
        self.headers = headers
        self.body = body
        self.run = run
        self.skipped = skipped
        self.url = url

    @property
    def status(self):
        return _carry(self._status, self)

    @property
    def text(self) -> str:
        return _carry(self.body.decode("utf-8", errors="replace"), self)

    def json(self):
        """The body parsed as JSON (ValueError, with the run tree, when it is not JSON)."""
        try:
            value = _json.loads(self.body.decode("utf-8-sig")) if self.body else None
        except ValueError as exc:
            raise ValueError(f"the answer's body is not JSON ({exc}): {self.body[:200]!r}\n{self.explain()}") from None
        return _carry(value, self)

    def explain(self) -> str:
        lines = [f"answer {self._status} {self.headers.get('Content-Type', '')}".rstrip()]
        if self.body:
            text = self.body[:500].decode("utf-8", errors="replace")
            lines.append(f"  body {text}{' ...' if len(self.body) > 500 else ''}")
        if self.skipped:
            lines.append("no run: the trigger conditions were false (skipped)")
        elif self.run is None:
            lines.append("no run started")
        else:
            lines.append(self.run.tree)
        return "\n".join(lines)

    # helper assertions (each returns something to chain on)
    def assert_status(self, expected: int) -> InvokeResult:
        if self._status != expected:
            raise AssertionError(f"status {self._status}, expected {expected}\n{self.explain()}")
        return self

    def assert_run(self, status: str = "Succeeded") -> RunView:
        if self.run is None:
            raise AssertionError(f"no run started, expected a run {status}\n{self.explain()}")
        if self.run.record.get("status") != status:
            raise AssertionError(f"run status {self.run.record.get('status')!r}, expected {status!r}\n"
                                 f"{self.explain()}")
        return self.run

    def assert_no_run(self) -> InvokeResult:
        if self.run is not None:
            raise AssertionError(f"a run started, expected none\n{self.explain()}")
        return self

    def assert_skipped(self) -> InvokeResult:
        if not self.skipped:
            raise AssertionError(f"the trigger was not skipped\n{self.explain()}")
        return self

    def assert_action(self, name: str, status: str = "Succeeded", code: str | None = None) -> ActionView:
        if self.run is None:
            raise AssertionError(f"no run started, expected action {name} {status}\n{self.explain()}")
        return self.run.assert_action(name, status, code)

    def __repr__(self) -> str:
        return f"<InvokeResult {self._status}>\n{self.explain()}"
