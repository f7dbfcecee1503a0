"""Save-time validation: what the host rejects when a workflow is saved or deployed.

Run once on the built model, after every expression compiled. Each rule reports an ``InvalidTemplate``
load error worded as the host words it ("The template validation failed: '...'."), with the JSON path of
the offending value and, for an expression, the column of the call:

* an expression naming an action that does not exist (``body``, ``outputs``, ``actions``, ``actionBody``,
  ``actionOutputs``, ``result``), ``result`` of an action that is not a scope, ``items`` /
  ``iterationIndexes`` of a loop that does not enclose the expression;
* ``variables('x')`` (or a Set/Increment/Decrement/AppendTo action on ``x``) without an InitializeVariable
  of ``x`` anywhere in the workflow;
* ``runAfter`` naming a missing action, or one that is not at the same level;
* a Response in a workflow whose trigger has a ``recurrence``.

Where the host's wording is known it is used (docs/fidelity.md lists the evidence and what is ours).
"""

from __future__ import annotations

from functools import lru_cache

from lark import Token, Tree

from ..expressions.errors import ExpressionError
from ..expressions.parser import parse
from ..expressions.template import split_interpolation

FAILED = "The template validation failed: '{}'."
ACTION_FUNCTIONS = frozenset(("body", "outputs", "actions", "actionbody", "actionoutputs", "result"))
LOOP_FUNCTIONS = frozenset(("items", "iterationindexes"))
VARIABLE_ACTIONS = frozenset(("setvariable", "incrementvariable", "decrementvariable", "appendtoarrayvariable",
                              "appendtostringvariable"))
# Agent "tools"/"channels" hold actions of their own, answered by mocks: not checked.
SKIPPED_KEYS = frozenset(("actions", "else", "default", "cases", "runAfter", "metadata", "description", "type",
                          "tools", "channels"))


def validate(wf, report) -> None:
    """Check the built workflow; ``report(json_path, message, column)`` records one error."""
    names = {name.lower(): action for name, action in wf.all_actions.items()}
    triggers = {name.lower() for name in wf.triggers}
    variables = _initialized_variables(wf)
    for action in _every_action(wf.actions):
        _check_run_after(wf, action, names, report)
        loops = {a.name.lower() for a in action.loop_ancestors()}
        if action.handler.is_loop:
            loops.add(action.name.lower())
        owner = ("action", action.name)
        for key, value in action.raw.items():
            if key not in SKIPPED_KEYS:
                _check_value(value, f"{action.path}.{key}" if key.isidentifier() else f"{action.path}['{key}']",
                             key, owner, names, triggers, loops, variables, report)
        if variables is not None and action.type.lower() in VARIABLE_ACTIONS:
            target = (action.raw.get("inputs") or {}).get("name") if isinstance(action.raw.get("inputs"), dict) \
                else None
            if isinstance(target, str) and "@" not in target and target.lower() not in variables:
                report(f"{action.path}.inputs.name", _variable_message(target, "inputs", owner), None)
    for trigger in wf.triggers.values():
        for key in ("conditions", "inputs", "correlation"):
            if key in trigger.raw:
                _check_value(trigger.raw[key], f"{trigger.path}.{key}", key, ("trigger", trigger.name), names,
                             triggers, set(), variables, report)
    _check_response_trigger(wf, report)


# --------------------------------------------------------------------------- rules

def _every_action(branch):
    """Every action, nested ones included (``all_actions`` keeps one per name when a name repeats)."""
    for action in branch.actions.values():
        yield action
        for child in action.branches.values():
            yield from _every_action(child)


def _check_run_after(wf, action, names: dict, report) -> None:
    siblings = _siblings(wf, action)
    for dep in action.run_after:
        if dep in siblings or (action.parent is None and dep in wf.triggers):
            continue
        if dep.lower() not in names:
            message = f"The 'runAfter' property of template action '{action.name}' contains non-existent action: " \
                      f"'{dep}'."
        else:
            others = ", ".join(n for n in siblings if n != action.name)
            message = (f"The 'runAfter' property of template action '{action.name}' is not valid: the action "
                       f"'{dep}' must belong to same level as action '{action.name}'. Available actions on same "
                       f"level: '{others}'.")
        report(f"{action.path}.runAfter", FAILED.format(message), None)


def _siblings(wf, action) -> dict:
    if action.parent is None:
        return wf.actions.actions
    for branch in action.parent.branches.values():
        if branch.actions.get(action.name) is action:
            return branch.actions
    return {}


def _check_value(value, path: str, prop: str, owner, names, triggers, loops, variables, report) -> None:
    for sub_path, text in json_strings(value, path):
        for offset, body in _expression_bodies(text):
            for fn, target, column in _literal_calls(body):
                message = _reference_problem(fn, target, prop, owner, names, triggers, loops, variables)
                if message:
                    report(sub_path, message, offset + column + 1)


def _reference_problem(fn, target, prop, owner, names, triggers, loops, variables) -> str | None:
    key = target.lower()
    where = f"referenced by '{prop}' in {owner[0]} '{owner[1]}'"
    if fn in ACTION_FUNCTIONS:
        if key not in names:
            if key in triggers:
                return None
            return FAILED.format(f"The action(s) '{target}' {where} are not defined in the template.")
        if fn == "result" and not names[key].handler.is_container:
            return FAILED.format(f"The action '{target}' {where} is not a scope action: the function 'result' "
                                 "expects the name of a Scope, Foreach, Until, If or Switch action.")
    elif fn in LOOP_FUNCTIONS and key not in loops:
        return FAILED.format(f"The repetition action(s) '{target}' {where} are not defined in the template.")
    elif fn == "variables" and variables is not None and key not in variables:
        return _variable_message(target, prop, owner)
    return None


def _variable_message(name: str, prop: str, owner) -> str:
    return FAILED.format(f"The variable '{name}' referenced by '{prop}' in {owner[0]} '{owner[1]}' must be "
                         "initialized before it can be used: no InitializeVariable action declares it.")


def _initialized_variables(wf) -> set | None:
    """Lower-cased names every InitializeVariable declares; None when a name is computed (nothing checked)."""
    names = set()
    for action in wf.all_actions.values():
        if action.type.lower() != "initializevariable":
            continue
        inputs = action.raw.get("inputs")
        entries = inputs.get("variables") if isinstance(inputs, dict) else None
        if not isinstance(entries, list):
            return None
        for entry in entries:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or "@" in name:
                return None
            names.add(name.lower())
    return names


def _check_response_trigger(wf, report) -> None:
    recurring = [t for t in wf.triggers.values() if "recurrence" in t.raw]
    if not recurring:
        return
    for action in wf.all_actions.values():
        if action.type == "Response":
            report(action.path, FAILED.format("The workflow with 'Response' action type should not have triggers "
                                              "with 'recurrence' property defined."), None)


def has_recurring_trigger(wf) -> bool:
    return any("recurrence" in t.raw for t in wf.triggers.values())


# --------------------------------------------------------------------------- expressions

def json_strings(value, path: str):
    """``(json_path, text)`` of every string inside a JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from json_strings(v, f"{path}.{k}" if k.isidentifier() else f"{path}['{k}']")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from json_strings(v, f"{path}[{i}]")


def _expression_bodies(text: str):
    """``(offset, body)`` of each expression in a string value (the template rules of the compiler)."""
    if len(text) >= 2 and text[0] == "@" and text[1] not in "@{":
        yield 1, text[1:]
    elif "@{" in text:
        try:
            segments = split_interpolation(text)
        except ExpressionError:
            return
        for kind, body, offset in segments:
            if kind == "expr":
                yield offset, body


@lru_cache(maxsize=16384)
def _literal_calls(body: str) -> tuple:
    """``(function, first literal argument, column)`` of every call whose first argument is a string literal."""
    try:
        tree = parse(body)
    except ExpressionError:
        return ()  # the compiler reports syntax errors
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data == "call" and len(node.children) > 1:
            name, first = node.children[0], node.children[1]
            if isinstance(first, Tree) and first.data == "string" and isinstance(name, Token):
                literal = str(first.children[0])[1:-1].replace("''", "'")
                found.append((str(name).lower(), literal, name.start_pos or 0))
        stack.extend(node.children)
    return tuple(found)
