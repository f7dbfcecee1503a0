"""A tiny stand-in for the workflow runtime (load_path / invoke / RunOptions), so the server's tests do
not depend on the runtime stream. It runs top-level actions in order and knows four types:
``Response`` (inputs evaluated; ``"x-skip": true`` marks it skipped), ``Delay`` (``inputs.seconds``),
``Compose`` and ``Fail`` (the run fails before any later action)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from emulator.expressions import EvalContext, ExpressionError, compile_template, compile_value
from emulator.server import ids


@dataclass
class RunOptions:
    mocks: object = None
    clock: object = None
    http: object = None
    workflows: dict | None = None
    response_timeout: float = 120.0


@dataclass(eq=False)
class Trigger:
    name: str
    type: str
    kind: str | None
    raw: dict
    method: str | None = None
    relative_path: str | None = None
    schema: dict | None = None
    conditions: list = field(default_factory=list)
    operation_options: frozenset = frozenset()
    runtime_configuration: dict = field(default_factory=dict)

    @property
    def is_request(self) -> bool:
        return self.type.lower() == "request"


@dataclass(eq=False)
class Workflow:
    name: str
    source: Path
    definition: dict
    triggers: dict
    flavor: str = "consumption"
    kind: str | None = None
    parameters: dict = field(default_factory=dict)
    app_settings: dict = field(default_factory=dict)
    access_control: dict | None = None
    workflow_id: str = ""
    version: str = ""
    state: str = "Enabled"

    @property
    def has_response_action(self) -> bool:
        return any(a.get("type") == "Response" for a in self.definition.get("actions", {}).values())


@dataclass
class LoadProblem:
    file: str
    message: str
    json_path: str = "$"
    column: int = 0
    code: str = "InvalidDefinition"

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class LoadResult:
    workflows: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _options(value) -> frozenset:
    return frozenset(p.strip().lower() for p in str(value or "").split(",") if p.strip())


def _workflow(name: str, source: Path, doc: dict, flavor: str | None = None) -> Workflow:
    definition = doc.get("definition", doc)
    triggers = {}
    for tname, raw in definition.get("triggers", {}).items():
        inputs = raw.get("inputs") or {}
        triggers[tname] = Trigger(
            name=tname, type=raw.get("type", ""), kind=raw.get("kind"), raw=raw, method=inputs.get("method"),
            relative_path=inputs.get("relativePath"), schema=inputs.get("schema"),
            conditions=[compile_template(c["expression"]) for c in raw.get("conditions", [])],
            operation_options=_options(raw.get("operationOptions")),
            runtime_configuration=raw.get("runtimeConfiguration") or {})
    return Workflow(name=name, source=source, definition=definition, triggers=triggers,
                    flavor=flavor or doc.get("x-flavor", "consumption"), state=doc.get("state", "Enabled"))


def load_path(path) -> LoadResult:
    path = Path(path)
    result = LoadResult()
    if path.is_dir():
        folders = [p for p in sorted(path.iterdir()) if (p / "workflow.json").is_file()]
        files = [p for p in sorted(path.glob("*.json"))]
    else:
        folders, files = [], [path]
    for folder in folders:
        _load_file(result, folder / "workflow.json", folder.name, folder, "standard")
    for file in files:
        _load_file(result, file, file.stem, file, None)
    return result


def _load_file(result, file: Path, name: str, source: Path, flavor):
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        result.workflows.append(_workflow(name, source, doc, flavor))
    except (ValueError, KeyError, AttributeError) as exc:
        result.problems.append(LoadProblem(str(file), f"cannot load: {exc}"))


@dataclass
class Invocation:
    skipped: bool
    run_id: str = ""
    response: asyncio.Future | None = None
    done: asyncio.Future | None = None
    record: dict = field(default_factory=dict)
    correlation_id: str = ""
    tracking_id: str = ""
    response_is_async: bool = False
    condition_error: dict | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


async def invoke(workflow, trigger_name, trigger_outputs, options) -> Invocation:
    trigger = workflow.triggers[trigger_name]
    ctx = EvalContext(trigger={"name": trigger_name, "outputs": trigger_outputs}, parameters=workflow.parameters)
    for condition in trigger.conditions:
        try:
            value = condition.evaluate(ctx)
        except ExpressionError as err:
            return Invocation(skipped=True, condition_error={
                "code": "InvalidTemplate", "message": f"The template language expression evaluation failed: "
                                                      f"'{err.message}'."})
        if value is not True:
            return Invocation(skipped=True)
    loop = asyncio.get_running_loop()
    run_id = ids.new_run_id()
    correlation = ids.new_guid()
    record = {"name": run_id, "status": "Running", "startTime": _now(), "correlation": {"clientTrackingId": run_id},
              "trigger": {"name": trigger_name, "status": "Succeeded", "outputs": trigger_outputs}, "actions": {}}
    actions = workflow.definition.get("actions", {})
    inv = Invocation(skipped=False, run_id=run_id, response=loop.create_future(), done=loop.create_future(),
                     record=record, correlation_id=correlation, tracking_id=correlation,
                     response_is_async=any("asynchronous" in _options(a.get("operationOptions"))
                                           for a in actions.values() if a.get("type") == "Response"))

    async def run():
        status = "Succeeded"
        for name, action in actions.items():
            kind = action.get("type")
            rec = {"status": "Succeeded", "startTime": _now(), "code": "OK"}
            if kind == "Delay":
                await asyncio.sleep(action["inputs"]["seconds"])
            elif kind == "Compose":
                rec["outputs"] = compile_value(action.get("inputs")).evaluate(ctx)
                ctx.actions[name] = rec
            elif kind == "Fail":
                rec["status"] = status = "Failed"
            elif kind == "Response" and action.get("x-skip"):
                rec["status"] = "Skipped"
            elif kind == "Response":
                inputs = compile_value(action.get("inputs", {})).evaluate(ctx)
                rec["inputs"] = inputs
                if not inv.response.done():
                    inv.response.set_result({"status": inputs.get("statusCode", 200),
                                             "headers": inputs.get("headers") or {}, "body": inputs.get("body")})
            rec["endTime"] = _now()
            rec["repetitions"] = action.get("x-repetitions", [])
            record["actions"][name] = rec
            if status == "Failed":
                break
        if not inv.response.done():
            inv.response.set_result(None)
        record["status"] = status
        record["endTime"] = _now()
        inv.done.set_result(record)

    inv._task = asyncio.ensure_future(run())
    return inv
