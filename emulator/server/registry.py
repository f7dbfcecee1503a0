"""The served workflows: loaded from paths, looked up by name or id, reloaded when files change.

A flow that fails to load is reported and its last good version keeps serving; a flow whose file is
gone is removed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..definitions import load_path
from ..runtime.actions.registry import lookup
from ..runtime.trigger import RequestTrigger
from . import access, ids
from .limiter import Limiter
from .schema import SchemaCheck
from .state import WorkflowState
from .state.memory import MemoryWorkflows

log = logging.getLogger("emulator.server")

MOCKS_SUFFIX = ".mocks.json"
_SIDECARS = (MOCKS_SUFFIX, ".access.json")
_NOT_WORKFLOWS = frozenset(("NoDefinition", "NotAWorkflowFile"))  # the loader's warnings for skipped files
_IGNORED_DIRS = {"__pycache__", ".git", "node_modules", ".state"}


class TriggerEntry:
    """One trigger with everything the request path needs, compiled at load.

    ``call``: the runtime's view of a call (method, relative path, outputs: :mod:`emulator.runtime.trigger`);
    the rest is the server's: SAS permission, schema validation, concurrency, the answer's headers.
    """

    def __init__(self, trigger, standard: bool = False):
        call = RequestTrigger(trigger, standard)
        self.call = call
        self.trigger = trigger
        self.name = trigger.name
        self.is_request = trigger.is_request
        self.method = call.method
        self.path = call.path
        opts = call.options
        schema = trigger.schema if isinstance(trigger.schema, dict) else None
        self.schema = SchemaCheck(trigger.name, schema) if schema and "enableschemavalidation" in opts else None
        self.suppress_headers = "suppressworkflowheadersonresponse" in opts
        self.permission = f"/triggers/{self.name}/run"  # the SAS ``sp`` that runs this trigger
        concurrency = (trigger.runtime_configuration or {}).get("concurrency") or {}
        runs = 1 if "singleinstance" in opts else concurrency.get("runs")
        self.limiter = Limiter(runs, concurrency.get("maximumWaitingRuns"))
        self.split_on = call.split_on


class WorkflowEntry:
    def __init__(self, workflow, location: str = "local"):
        self.workflow = workflow
        self.name: str = workflow.name
        self.id = ids.workflow_id(self.name)
        self.flavor = workflow.flavor or "consumption"
        self.source = Path(workflow.source) if workflow.source else None
        self.version = ids.version_from_mtime(_mtime(self.source))
        self.triggers = {name.lower(): TriggerEntry(t, self.flavor == "standard")
                         for name, t in (workflow.triggers or {}).items()}
        self.policy = access.AccessPolicy.from_workflow(workflow)
        self.set_state(str(workflow.state or "Enabled"))
        self.mocks_file = _mocks_sidecar(self.source)
        self.has_response = workflow.has_response_action
        self.standard = self.flavor == "standard"
        system = f"/scaleunits/prod-00/workflows/{self.id}"
        if not self.standard:
            system = f"/locations/{location}{system}"
        self.run_header_parts: tuple | None = None  # (location, parts): see response.run_headers
        self.base_headers = {
            "x-ms-workflow-system-id": system,
            "x-ms-workflow-id": self.id,
            "x-ms-workflow-version": self.version,
            "x-ms-workflow-name": self.name,
        }

    def set_state(self, state: str) -> None:
        self.state = state
        self.enabled = state.lower() == "enabled"

    def trigger(self, name: str) -> TriggerEntry | None:
        return self.triggers.get(name.lower())


def _mocks_sidecar(source: Path | None) -> Path | None:
    """``flows/x.json`` -> ``flows/x.mocks.json``; a Standard folder ``wf/`` -> ``wf/mocks.json``."""
    if source is None:
        return None
    candidate = source / "mocks.json" if source.is_dir() else source.with_name(source.stem + MOCKS_SUFFIX)
    return candidate if candidate.is_file() else None


def _mtime(source: Path | None) -> float:
    if source is None:
        return 0.0
    try:
        if source.is_dir() and (source / "workflow.json").is_file():
            return (source / "workflow.json").stat().st_mtime
        return source.stat().st_mtime
    except OSError:
        return 0.0


class Registry:
    def __init__(self, paths, location: str = "local", store: WorkflowState | None = None):
        self.paths = [Path(p) for p in paths]
        self.location = location
        self.by_name: dict[str, WorkflowEntry] = {}
        self.by_id: dict[str, WorkflowEntry] = {}
        self.problems: list[str] = []
        self.skipped: list[str] = []
        self._snapshot: dict | None = None
        self.generation = 0  # bumped on every (re)load
        # states set by the management API's enable/disable: kept in the state store (shared by workers),
        # outlive reloads
        self.store = store if store is not None else MemoryWorkflows()
        self._states_stamp = self.store.stamp()
        self.states: dict[str, str] = self.store.states()

    # ------------------------------------------------------------------ lookup
    def find(self, key: str) -> WorkflowEntry | None:
        lowered = key.lower()
        return self.by_name.get(lowered) or self.by_id.get(lowered)

    def entries(self) -> list[WorkflowEntry]:
        return sorted(self.by_name.values(), key=lambda e: e.name.lower())

    def set_state(self, name: str, state: str) -> None:
        """Enable or disable a workflow (``Enabled``/``Disabled``), in every process sharing the state."""
        self.store.set_state(name, state)
        self.refresh_states()

    def refresh_states(self) -> None:
        """Apply the states another process (or this one) set since the last look."""
        stamp = self.store.stamp()
        if stamp == self._states_stamp:
            return
        self._states_stamp = stamp
        self.states = self.store.states()
        for key, state in self.states.items():
            entry = self.by_name.get(key)
            if entry is not None:
                entry.set_state(state)

    def workflows(self) -> dict:
        """Workflows by name, for nested workflow calls made by the runtime."""
        return {e.name: e.workflow for e in self.by_name.values()}

    def workflow_ids(self) -> dict:
        """Served ids by lower-case name: one id everywhere (the x-ms-workflow-id header, callback URLs and
        ``workflow()`` inside the run, see ``RunOptions.workflow_ids``)."""
        return {key: e.id for key, e in self.by_name.items()}

    # ------------------------------------------------------------------ loading
    def load(self) -> list[str]:
        """(Re)load every path; returns one line per change or problem."""
        messages: list[str] = []
        self.states = self.store.states()
        fresh: dict[str, WorkflowEntry] = {}
        problems: list[str] = []
        skipped: list[str] = []  # files in a served folder that are not workflows, with the reason
        for path in self.paths:
            if not path.exists():
                problems.append(f"{path}: no such file or folder")
                continue
            try:
                result = load_path(path, action_types=lookup)
            except Exception as exc:  # noqa: BLE001 - a loader crash must not stop the server
                problems.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            problems.extend(str(p) for p in result.problems
                            if p.severity == "error" and not str(p.file).lower().endswith(_SIDECARS))
            skipped.extend(f"{p.file}: {p.message}" for p in result.problems if p.code in _NOT_WORKFLOWS)
            for workflow in result.workflows:
                key = workflow.name.lower()
                if workflow.has_errors:
                    continue  # reported above; a last good version keeps serving
                if key in fresh:
                    problems.append(f"{workflow.source}: workflow name '{workflow.name}' is already served "
                                    f"from {fresh[key].source}; skipped")
                    continue
                try:
                    fresh[key] = WorkflowEntry(workflow, self.location)
                except Exception as exc:  # noqa: BLE001 - a bad flow is reported, the others still serve
                    problems.append(f"{workflow.source}: {getattr(exc, 'message', exc)}")
                    continue
                if key in self.states:
                    fresh[key].set_state(self.states[key])
                policy = fresh[key].policy
                problems.extend(f"{workflow.source}: access control: {p}" for p in (policy.problems if policy else ()))
        for key, old in self.by_name.items():
            if key in fresh:
                if fresh[key].version != old.version or fresh[key].source != old.source:
                    messages.append(f"reloaded {old.name}")
                continue
            if old.source is not None and old.source.exists():
                fresh[key] = old
                messages.append(f"{old.name}: failed to load; the last good version keeps serving")
            else:
                messages.append(f"removed {old.name}")
        for key, entry in fresh.items():
            if key not in self.by_name:
                messages.append(f"added {entry.name}")
        self.by_name = fresh
        self.store.set_versions({key: entry.version for key, entry in fresh.items()})
        self.generation += 1
        self.by_id = {e.id: e for e in fresh.values()}
        new_problems = [p for p in problems if p not in self.problems]
        new_skipped = [f"skipped: {p}" for p in skipped if p not in self.skipped]
        self.problems = problems
        self.skipped = skipped
        self._snapshot = self.snapshot()
        return [f"problem: {p}" for p in new_problems] + new_skipped + messages

    def snapshot(self) -> dict:
        files = {}
        for path in self.paths:
            if path.is_file():
                files[str(path)] = _stat(path)
            elif path.is_dir():
                for root, dirs, names in os.walk(path):
                    dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS and not d.startswith(".")]
                    for name in names:
                        full = os.path.join(root, name)
                        files[full] = _stat(Path(full))
        return files

    def changed(self) -> bool:
        return self.snapshot() != self._snapshot

    def reload_if_changed(self) -> list[str] | None:
        if not self.changed():
            return None
        return self.load()


def _stat(path: Path):
    try:
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return None
