"""The loaded workflow: a definition with every expression compiled, ready to run.

``Workflow`` holds triggers and the top-level action graph; each ``Action`` keeps its children
(``actions``, If ``else``, Switch ``cases``/``default``) so the engine walks nested containers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .status import RUN_AFTER_STATUSES

_STATUS_BY_LOWER = {s.lower(): str(s) for s in RUN_AFTER_STATUSES}


def canonical_status(value: str) -> str:
    """``"SUCCEEDED"`` / ``"succeeded"`` -> ``"Succeeded"`` (runAfter lists are case-insensitive)."""
    return _STATUS_BY_LOWER.get(str(value).lower(), str(value))


def split_options(value) -> frozenset[str]:
    """``"EnableSchemaValidation, IncludeAuthorizationHeadersInOutputs"`` -> lower-case names."""
    if not value:
        return frozenset()
    if isinstance(value, list):
        parts = value
    else:
        parts = str(value).split(",")
    return frozenset(p.strip().lower() for p in parts if str(p).strip())


@dataclass(eq=False)
class Branch:
    """One list of actions run together: a container body, an If ``else``, a Switch case or default."""

    actions: dict[str, Action] = field(default_factory=dict)
    label: str = "actions"          # "actions", "else", "default" or the case name
    case_value: object = None       # Switch case value

    def __iter__(self):
        return iter(self.actions.values())


@dataclass(eq=False)
class Action:
    name: str
    type: str                       # canonical type name of the handler ("Foreach", "If"...)
    raw: dict
    path: str                       # JSON path in the source file
    handler: object = None          # runtime handler class (emulator.runtime.actions)
    parent: Action | None = None
    run_after: dict[str, tuple[str, ...]] = field(default_factory=dict)
    inputs: object = None           # CompiledValue of "inputs" (None when absent)
    branches: dict[str, Branch] = field(default_factory=dict)   # "actions", "else", "default", cases
    compiled: dict = field(default_factory=dict)                # handler-specific compiled parts
    operation_options: frozenset = frozenset()
    runtime_configuration: dict = field(default_factory=dict)
    limit: dict = field(default_factory=dict)
    tracked_properties: object = None
    secure_inputs: bool = False
    secure_outputs: bool = False
    unknown_type: str | None = None  # opt-in: unknown type kept, fails at run time

    @property
    def kind(self):
        return self.raw.get("kind")

    @property
    def body(self) -> Branch:
        """The container's own actions (Scope, Foreach, Until, If's true side): an empty branch when the
        definition lists none, so the runtime never checks for a missing one."""
        body = self.branches.get("actions")
        return body if body is not None else Branch()

    def children(self):
        """Every direct child action in every branch."""
        for branch in self.branches.values():
            yield from branch.actions.values()

    def loop_ancestors(self):
        """Enclosing Foreach/Until actions, innermost first."""
        node = self.parent
        while node is not None:
            if node.handler.is_loop:
                yield node
            node = node.parent

    def __repr__(self) -> str:  # pragma: no cover
        return f"Action({self.name!r}, {self.type})"


@dataclass(eq=False)
class Trigger:
    name: str
    type: str
    kind: str | None
    raw: dict
    path: str = "$"
    method: str | None = None
    relative_path: str | None = None
    schema: dict | None = None
    conditions: list = field(default_factory=list)   # compiled Templates
    client_tracking_id: object = None  # compiled correlation.clientTrackingId, if the trigger sets one
    operation_options: frozenset = frozenset()
    runtime_configuration: dict = field(default_factory=dict)

    @property
    def is_request(self) -> bool:
        return self.type.lower() == "request"

    @property
    def inputs(self) -> dict:
        value = self.raw.get("inputs")
        return value if isinstance(value, dict) else {}


@dataclass(eq=False)
class Workflow:
    name: str
    source: Path
    definition: dict
    triggers: dict[str, Trigger] = field(default_factory=dict)
    actions: Branch = field(default_factory=Branch)
    parameters: dict = field(default_factory=dict)
    secure_parameters: frozenset = frozenset()
    app_settings: dict = field(default_factory=dict)
    connections: dict | None = None
    access_control: dict | None = None
    kind: str | None = None
    flavor: str = "consumption"
    json_path: str = "$"            # where the definition sits in the source file
    all_actions: dict[str, Action] = field(default_factory=dict)
    problems: list = field(default_factory=list)
    workflow_id: str = ""
    version: str = ""
    state: str = "Enabled"          # "Enabled" | "Disabled" (a disabled workflow's triggers answer 400)
    response_timeout: float | None = None  # a Standard project's host.json RequestTimeout, in seconds

    @property
    def has_response_action(self) -> bool:
        return any(a.type == "Response" for a in self.all_actions.values())

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def request_triggers(self) -> list[Trigger]:
        return [t for t in self.triggers.values() if t.is_request]
