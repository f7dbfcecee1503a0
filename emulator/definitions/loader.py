"""Load workflow files into :class:`Workflow` objects with every expression compiled.

Every problem found is reported at once (structure, expressions, unknown types, runAfter
references) as :class:`LoadProblem` with file, JSON path and column.

The action types are the runtime's, a layer above: every entry point takes them as ``action_types``,
a lookup ``name -> handler or None`` (``emulator.runtime.actions.registry.lookup``). A handler has
``type_name``, ``is_container``, ``is_loop`` and ``compile(action, compiler)``;
``action_types("__unknown__")`` gives the stand-in for a type the lookup does not know.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import limits
from ..expressions import EvalContext, ExpressionError, compile_template, compile_value
from ..expressions.errors import ExpressionSyntaxError
from . import formats
from .conditions import compile_condition
from .model import Action, Branch, Trigger, Workflow, canonical_status, split_options
from .schema import check_definition
from .validation import has_recurring_trigger, json_strings, validate

KNOWN_TRIGGER_TYPES = {t.lower() for t in (
    "Request", "Recurrence", "ApiConnection", "ApiConnectionWebhook", "ApiConnectionNotification",
    "OpenApiConnection", "OpenApiConnectionWebhook", "OpenApiConnectionNotification", "ServiceProvider",
    "SlidingWindow", "Http", "HttpWebhook", "Manual", "Batch", "Workflow",
)}
SECURE_TYPES = {"securestring", "secureobject"}

ActionTypes = Callable[[str], object]   # action type name -> handler class, or None when unknown


@dataclass
class LoadProblem:
    file: str
    json_path: str
    message: str
    column: int | None = None
    code: str = "InvalidDefinition"
    severity: str = "error"

    def __str__(self) -> str:
        col = f" column {self.column}" if self.column else ""
        return f"{self.file}: {self.json_path}{col}: {self.severity} {self.code}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "jsonPath": self.json_path, "column": self.column, "code": self.code,
                "severity": self.severity, "message": self.message}


@dataclass
class LoadResult:
    workflows: list[Workflow] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[LoadProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Broken:
    """Stands in for a value or template that failed to compile: raises the error when evaluated."""

    is_static = False
    templates = ()
    problems = ()
    kind = "expression"

    def __init__(self, error: ExpressionError, source=None):
        self.error = error
        self.source = source

    def evaluate(self, context=None):
        raise self.error


class Compiler:
    """Compiles expressions for one workflow, collecting every problem with its JSON path."""

    def __init__(self, file: str, problems: list[LoadProblem]):
        self.file = file
        self.problems = problems
        self.severity = "error"     # "warning" while compiling parts the emulator never evaluates
        self.secure_parameters: frozenset = frozenset()

    def problem(self, path: str, message: str, *, column=None, code="InvalidDefinition", severity=None):
        self.problems.append(LoadProblem(self.file, path, message, column, code, severity or self.severity))

    @contextlib.contextmanager
    def lenient(self):
        """Context manager: problems become warnings (e.g. Agent tools, answered by mocks)."""
        before, self.severity = self.severity, "warning"
        try:
            yield self
        finally:
            self.severity = before

    def _expression_problem(self, path: str, err: ExpressionError):
        self.problem(path, err.message, column=err.column, code=err.code or "InvalidTemplate")

    def template(self, text, path: str):
        if not isinstance(text, str):
            return compile_value(text, path)
        try:
            tpl = compile_template(text, strict=False)
        except ExpressionError as err:
            self._expression_problem(path, err)
            return _Broken(err, text)
        for err in tpl.problems:
            self._expression_problem(path, err)
        return tpl

    def value(self, raw, path: str):
        try:
            compiled = compile_value(raw, path, strict=False)
        except ExpressionSyntaxError:
            first = None
            for sub_path, text in json_strings(raw, path):
                if "@" not in text:
                    continue
                tpl = self.template(text, sub_path)
                if isinstance(tpl, _Broken) and first is None:
                    first = tpl.error
            return _Broken(first or ExpressionError("invalid template"), raw)
        for sub_path, tpl in compiled.templates:
            for err in tpl.problems:
                self._expression_problem(sub_path, err)
        return compiled


def _key_path(base: str, key: str) -> str:
    return f"{base}.{key}" if key.isidentifier() else f"{base}['{key}']"


# --------------------------------------------------------------------------- public entry points

@dataclass(frozen=True)
class _Options:
    action_types: ActionTypes
    allow_unknown: bool = False     # an unknown action type loads (and fails at run time) instead of an error


def load_path(path, *, action_types: ActionTypes, allow_unknown_types: bool = False) -> LoadResult:
    """Load a file (``.json``/``.zip``) or a folder (Standard project, or a folder of workflow files)."""
    options = _Options(action_types, allow_unknown_types)
    result = LoadResult()
    root = Path(path)
    if root.is_dir():
        _load_folder(root, result, options)
    elif root.is_file():
        _load_file(root, result, options, explicit=True)
    else:
        result.problems.append(LoadProblem(str(root), "$", "no such file or folder", code="FileNotFound"))
    return result


def load_paths(paths, *, action_types: ActionTypes, allow_unknown_types: bool = False) -> LoadResult:
    result = LoadResult()
    for p in paths:
        sub = load_path(p, action_types=action_types, allow_unknown_types=allow_unknown_types)
        result.workflows.extend(sub.workflows)
        result.problems.extend(sub.problems)
        result.files.extend(sub.files)
    return result


def _load_folder(folder: Path, result: LoadResult, options: _Options) -> None:
    if formats.is_standard_project(folder):
        found, errors = formats.read_standard_project(folder)
        for file, err in errors:
            result.files.append(str(file))
            result.problems.append(LoadProblem(str(file), err.json_path, err.message, err.column, err.code))
        for item in found:
            result.files.append(str(item.source))
            _build(item, result, options)
        return
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            if child.name.lower() != "artifacts":  # an integration account's maps and schemas, not workflows
                _load_folder(child, result, options)
        elif child.name.lower() in formats.SIDE_FILES or child.name.lower().endswith(formats.SIDE_SUFFIXES):
            continue
        elif child.suffix.lower() in (".json", ".zip"):
            _load_file(child, result, options, explicit=False)
        else:  # named, so a file someone meant as a workflow is not skipped silently
            result.problems.append(LoadProblem(
                str(child), "$", f"not a workflow file: only .json and .zip files are read (this is "
                f"'{child.suffix or 'without extension'}')", code="NotAWorkflowFile", severity="warning"))


def _load_file(file: Path, result: LoadResult, options: _Options, explicit: bool) -> None:
    result.files.append(str(file))
    try:
        found = formats.read_file(file)
    except formats.FormatError as err:
        result.problems.append(LoadProblem(str(file), err.json_path, err.message, err.column, err.code))
        return
    except OSError as err:
        result.problems.append(LoadProblem(str(file), "$", f"cannot read: {err}", code="FileNotReadable"))
        return
    if not found:
        result.problems.append(LoadProblem(
            str(file), "$", "no workflow definition found (expected a definition with 'triggers'/'actions', "
            "a code view/Standard {'definition'}, an ARM template, or a Power Automate export)",
            code="NoDefinition", severity="error" if explicit else "warning"))
        return
    for item in found:
        _build(item, result, options)


def load_definition(definition: dict, name: str = "workflow", *, action_types: ActionTypes,
                    source: str = "<memory>", parameters: dict | None = None,
                    app_settings: dict | None = None, allow_unknown_types: bool = False,
                    flavor: str = "consumption") -> tuple[Workflow, list]:
    """Build a workflow from an in-memory definition (tests, the Workflow action's callers)."""
    found = formats.find_in_document(definition, Path(source), name) or [
        formats.Found(name, Path(source), definition)]
    item = found[0]
    item.parameter_values.update(parameters or {})
    item.app_settings.update(app_settings or {})
    if item.flavor == "consumption":
        item.flavor = flavor
    result = LoadResult()
    wf = _build(item, result, _Options(action_types, allow_unknown_types))
    return wf, result.problems


# --------------------------------------------------------------------------- building the model

def _build(item: formats.Found, result: LoadResult, options: _Options) -> Workflow:
    file = str(item.source)
    problems: list[LoadProblem] = []
    comp = Compiler(file, problems)
    for path, message in item.warnings:
        comp.problem(path, message, code="ArmExpressionNotEvaluated", severity="warning")
    definition = item.definition
    base = item.json_path
    violations = check_definition(definition, base)
    for path, message in violations:
        comp.problem(path, message, code="SchemaViolation")

    wf = Workflow(name=item.name, source=item.source, definition=definition, kind=item.kind, flavor=item.flavor,
                  app_settings=dict(item.app_settings), connections=item.connections,
                  access_control=item.access_control, json_path=base,
                  state=_state(item), response_timeout=item.response_timeout)
    wf.workflow_id = hashlib.sha256(f"{item.source}|{item.name}".encode()).hexdigest()[:32]
    if not violations:  # the model is built from a definition of the right shape only
        try:
            _build_model(wf, definition, item, comp, base, options)
        except Exception as exc:  # noqa: BLE001 - a malformed definition is a load problem, never a crash
            comp.problem(base, f"the definition could not be read: {type(exc).__name__}: {exc}",
                         code="InvalidDefinition")
    wf.problems = problems
    result.problems.extend(problems)
    result.workflows.append(wf)
    return wf


def _build_model(wf: Workflow, definition: dict, item: formats.Found, comp: Compiler, base: str,
                 options: _Options) -> None:
    _resolve_parameters(wf, definition, item, comp, base)
    triggers = definition.get("triggers") if isinstance(definition.get("triggers"), dict) else {}
    for name, raw in triggers.items():
        if isinstance(raw, dict):
            wf.triggers[name] = _build_trigger(name, raw, _key_path(f"{base}.triggers", name), comp)
    actions = definition.get("actions") if isinstance(definition.get("actions"), dict) else {}
    wf.actions = _build_branch(actions, f"{base}.actions", None, wf, comp, options, "actions")
    _check_nesting(wf, comp)
    validate(wf, lambda path, message, column: comp.problem(path, message, column=column, code="InvalidTemplate"))


def _resolve_parameters(wf: Workflow, definition: dict, item: formats.Found, comp: Compiler, base: str):
    defs = definition.get("parameters") if isinstance(definition.get("parameters"), dict) else {}
    settings_ctx = EvalContext(appsettings=wf.app_settings)
    values = {}
    for name, value in item.parameter_values.items():
        if isinstance(value, str) and value.startswith("@") and "appsetting" in value.lower():
            try:
                value = compile_template(value).evaluate(settings_ctx)
            except ExpressionError as err:
                comp.problem(f"parameters.{name}", f"cannot resolve parameter value: {err.message}",
                             code="ParameterNotResolved", severity="warning")
        values[name] = value
    secure = set()
    for name, spec in defs.items():
        if not isinstance(spec, dict):
            continue
        if str(spec.get("type", "")).lower() in SECURE_TYPES:
            secure.add(name)
        if name not in values:
            if "defaultValue" in spec:
                values[name] = spec["defaultValue"]
            elif name != "$connections":
                comp.problem(_key_path(f"{base}.parameters", name),
                             f"parameter '{name}' has no value and no defaultValue", code="ParameterNotSet",
                             severity="warning")
    wf.parameters = values
    wf.secure_parameters = frozenset(secure)
    comp.secure_parameters = wf.secure_parameters


def _build_trigger(name: str, raw: dict, path: str, comp: Compiler) -> Trigger:
    ttype = str(raw.get("type", ""))
    if ttype and ttype.lower() not in KNOWN_TRIGGER_TYPES:
        comp.problem(f"{path}.type", f"trigger '{name}' has type '{ttype}', which the emulator does not know",
                     code="UnknownTriggerType")
    inputs = raw.get("inputs") if isinstance(raw.get("inputs"), dict) else {}
    method = inputs.get("method")
    trigger = Trigger(name=name, type=ttype, kind=raw.get("kind"), raw=raw, path=path,
                      method=str(method).upper() if isinstance(method, str) and method else None,
                      relative_path=inputs.get("relativePath") if isinstance(inputs.get("relativePath"), str)
                      else None,
                      schema=inputs.get("schema") if isinstance(inputs.get("schema"), dict) else None,
                      operation_options=split_options(raw.get("operationOptions")),
                      runtime_configuration=raw.get("runtimeConfiguration") or {})
    for i, cond in enumerate(raw.get("conditions") or []):
        if isinstance(cond, dict) and "expression" in cond:
            trigger.conditions.append(comp.template(cond["expression"], f"{path}.conditions[{i}].expression"))
    correlation = raw.get("correlation")
    if isinstance(correlation, dict) and "clientTrackingId" in correlation:
        trigger.client_tracking_id = comp.template(correlation["clientTrackingId"],
                                                   f"{path}.correlation.clientTrackingId")
    return trigger


def _build_branch(actions: dict, path: str, parent: Action | None, wf: Workflow, comp: Compiler,
                  options: _Options, label: str, case_value=None) -> Branch:
    lookup = options.action_types
    branch = Branch(label=label, case_value=case_value)
    for name, raw in actions.items():
        apath = _key_path(path, name)
        if not isinstance(raw, dict):
            continue
        type_name = str(raw.get("type", ""))
        handler = lookup(type_name)
        action = Action(name=name, type=type_name, raw=raw, path=apath, parent=parent)
        if handler is None:
            if not options.allow_unknown:
                comp.problem(f"{apath}.type", f"action '{name}' has type '{type_name}', which the emulator "
                             "does not support (load with allow_unknown_types to make it fail at run time)",
                             code="UnknownActionType")
            handler = lookup("__unknown__")
            action.unknown_type = type_name
        action.handler = handler
        action.type = handler.type_name if not action.unknown_type else type_name
        if name in wf.all_actions:
            comp.problem(apath, f"action name '{name}' is used more than once in the workflow",
                         code="DuplicateActionName")
        wf.all_actions[name] = action
        _common(action, raw, apath, comp)
        handler.compile(action, comp)
        for child_label, child_actions, child_path, case in _branch_specs(raw, apath):
            action.branches[child_label] = _build_branch(child_actions, child_path, action, wf, comp,
                                                         options, child_label, case)
        branch.actions[name] = action
    _check_run_after(branch, comp, set(wf.triggers) if parent is None else set())
    return branch


def _branch_specs(raw: dict, path: str):
    """``(label, actions, json_path, case_value)`` for each child list of a container action."""
    if isinstance(raw.get("actions"), dict):
        yield "actions", raw["actions"], f"{path}.actions", None
    for key in ("else", "default"):
        if isinstance(raw.get(key), dict):
            yield key, raw[key].get("actions") or {}, f"{path}.{key}.actions", None
    if isinstance(raw.get("cases"), dict):
        for case_name, case in raw["cases"].items():
            if isinstance(case, dict):
                yield case_name, case.get("actions") or {}, f"{_key_path(path + '.cases', case_name)}.actions", \
                    case.get("case")


def _common(action: Action, raw: dict, path: str, comp: Compiler) -> None:
    run_after = raw.get("runAfter") if isinstance(raw.get("runAfter"), dict) else {}
    action.run_after = {dep: tuple(canonical_status(s) for s in (statuses or []) if isinstance(s, str))
                        for dep, statuses in run_after.items() if isinstance(statuses, list)}
    action.operation_options = split_options(raw.get("operationOptions"))
    action.runtime_configuration = raw.get("runtimeConfiguration") if isinstance(
        raw.get("runtimeConfiguration"), dict) else {}
    action.limit = raw.get("limit") if isinstance(raw.get("limit"), dict) else {}
    secure = (action.runtime_configuration.get("secureData") or {}).get("properties") or []
    action.secure_inputs = "inputs" in secure or _uses_secure_parameter(raw.get("inputs"), comp)
    action.secure_outputs = "outputs" in secure
    if isinstance(raw.get("trackedProperties"), dict):
        action.tracked_properties = comp.value(raw["trackedProperties"], f"{path}.trackedProperties")
    if "expression" in raw and action.handler.type_name in ("If", "Until"):
        action.compiled["condition"] = compile_condition(raw["expression"], f"{path}.expression", comp)


def _uses_secure_parameter(inputs, comp: Compiler) -> bool:
    """Inputs that read a SecureString/SecureObject parameter are hidden in the run history."""
    names = comp.secure_parameters
    if not names or inputs is None:
        return False
    for _, text in json_strings(inputs, "$"):
        low = text.lower()
        if "parameters(" in low and any(f"'{n.lower()}'" in low for n in names):
            return True
    return False


def _check_run_after(branch: Branch, comp: Compiler, triggers: set) -> None:
    names = branch.actions
    # cycles (a runAfter naming a missing action or another level: validation.py, once every action is built)
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str]) -> bool:
        if state.get(name) == 2:
            return False
        if state.get(name) == 1:
            comp.problem(names[name].path + ".runAfter", "runAfter cycle: " + " -> ".join(stack + [name]),
                         code="InvalidRunAfter")
            return True
        state[name] = 1
        for dep in names[name].run_after:
            if dep in names and visit(dep, stack + [name]):
                state[name] = 2
                return True
        state[name] = 2
        return False

    for n in names:
        visit(n, [])


def _depth(action) -> int:
    """How many actions contain ``action`` (0 at the top level)."""
    depth, node = 0, action.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def _check_nesting(wf: Workflow, comp: Compiler) -> None:
    most = limits.active().nesting_depth
    for action in wf.all_actions.values():
        if action.parent is not None and _depth(action) > most and _depth(action.parent) <= most:
            comp.problem(action.path, f"action '{action.name}' is nested {_depth(action)} actions deep, more "
                         f"than the limit of {most} (the host refuses such a definition; use a nested "
                         f"workflow)", code="ActionNestingTooDeep")
        if action.type in ("Response", "Terminate") and any(True for _ in action.loop_ancestors()):
            loop = next(action.loop_ancestors())
            comp.problem(action.path, f"action '{action.name}' of type '{action.type}' is inside the loop "
                         f"'{loop.name}'; the host does not allow this", code="InvalidNesting", severity="warning")
        if action.type == "Response" and not any(t.is_request for t in wf.triggers.values()) \
                and not has_recurring_trigger(wf):  # with a recurrence it is an error (validation.py)
            comp.problem(action.path, f"action '{action.name}' of type 'Response' needs a Request trigger",
                         code="ResponseWithoutRequestTrigger", severity="warning")


def _state(item) -> str:
    """``Enabled`` or ``Disabled``: ARM/code-view ``state``, Power Automate ``Started``/``Stopped``/``Suspended``,
    or a Standard app setting ``Workflows.<name>.FlowState``."""
    state = item.state
    setting = item.app_settings.get(f"Workflows.{item.name}.FlowState") if item.app_settings else None
    if isinstance(setting, str):
        state = setting
    if not state:
        return "Enabled"
    return "Enabled" if state.strip().lower() in ("enabled", "started") else "Disabled"
