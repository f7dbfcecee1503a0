"""Variable actions: Initialize, Set, Increment, Decrement, AppendToArray, AppendToString.

Variables live in the run's shared ``variables`` map (every loop iteration sees the same one).
Types: string, integer, float, boolean, array, object; every update is type-checked.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from ...expressions.values import is_integer, is_number, to_string, type_name
from ..errors import ActionFailure
from .registry import Handler, action_type

TYPES = {"string": "String", "integer": "Integer", "int": "Integer", "float": "Float", "boolean": "Boolean",
         "bool": "Boolean", "array": "Array", "object": "Object"}


# The value a variable declared without one reads: the runtime's default for its type (docs/fidelity.md).
DEFAULTS = {"String": "", "Integer": 0, "Float": 0.0, "Boolean": False, "Array": [], "Object": {}}


def _fits(var_type: str, value) -> bool:
    if value is None:
        return var_type in ("String", "Object", "Array")
    if var_type == "Integer":
        return is_integer(value)
    if var_type == "Float":
        return is_number(value)
    if var_type == "Boolean":
        return isinstance(value, bool)
    if var_type == "String":
        return isinstance(value, str)
    if var_type == "Array":
        return isinstance(value, list)
    if var_type == "Object":
        return isinstance(value, dict)
    return False


def _type_of(value) -> str:
    name = type_name(value)
    return "Float" if isinstance(value, Decimal) else name


def _variable(step, name):
    variables = step.ctx.variables
    if not isinstance(name, str) or name not in variables:
        raise ActionFailure("InvalidVariable", f"The variable '{to_string(name)}' referenced by action "
                            f"'{step.name}' has not been initialized: add an Initialize variable action first.")
    return variables[name]


def _types(step) -> dict:
    return step.run.ctx.extra.setdefault("variable_types", {})


def _bad_value(step, name, var_type, value, supported=None):
    raise ActionFailure("InvalidVariableValue", f"The variable '{name}' of type '{var_type}' cannot be "
                        f"initialized or updated with value of type '{_type_of(value)}'. The variable '{name}' only "
                        f"supports values of types '{supported or var_type}'.")


@action_type("InitializeVariable")
class InitializeVariable(Handler):
    code = "NotSpecified"

    @staticmethod
    def execute(step):
        inputs = step.evaluate_inputs() or {}
        entries = inputs.get("variables") if isinstance(inputs, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ActionFailure("InvalidTemplate", f"Action '{step.name}' must declare 'variables'.")
        recorded = []
        for entry in entries:
            name = entry.get("name")
            raw_type = str(entry.get("type", "")).lower()
            var_type = TYPES.get(raw_type)
            if var_type is None:
                raise ActionFailure("InvalidVariableType", f"The variable '{name}' has type '{entry.get('type')}', "
                                    "which is not one of 'String, Integer, Float, Boolean, Array, Object'.")
            if name in step.ctx.variables:
                raise ActionFailure("InvalidVariable", f"The variable '{name}' has already been initialized; a "
                                    "variable can be initialized only once.")
            value = entry["value"] if "value" in entry else copy.deepcopy(DEFAULTS[var_type])
            if not _fits(var_type, value):
                _bad_value(step, name, var_type, value)
            _within_limits(step, name, value)
            step.ctx.variables[name] = value
            _types(step)[name] = var_type
            recorded.append({"name": name, "type": entry.get("type"), "value": value})
        step.inputs = {"variables": recorded}


def _within_limits(step, name, value) -> None:
    """A string variable holds at most ``variable_chars`` characters, an array ``variable_items`` items
    (RunOptions.limits; the host's error for it is not documented: InvalidVariableValue, docs/limits.md)."""
    if isinstance(value, str):
        size, most, unit = len(value), step.run.options.limits.variable_chars, "characters"
    elif isinstance(value, list):
        size, most, unit = len(value), step.run.options.limits.variable_items, "items"
    else:
        return
    if size > most:
        raise ActionFailure("InvalidVariableValue", f"The variable '{name}' would hold {size} {unit}, which "
                            f"exceeds the limit of {most} {unit} for a variable.")


def _declared_type(step, name, value) -> str:
    declared = _types(step).get(name)
    if declared:
        return declared
    return {"NoneType": "String"}.get(type(value).__name__, _type_of(value))


def _target(step) -> tuple[dict, str, object]:
    """The action's inputs, the variable it names, and that variable's current value."""
    inputs = step.evaluate_inputs() or {}
    name = inputs.get("name")
    return inputs, name, _variable(step, name)


@action_type("SetVariable")
class SetVariable(Handler):
    code = "NotSpecified"

    @staticmethod
    def execute(step):
        inputs, name, current = _target(step)
        value = inputs.get("value")
        var_type = _declared_type(step, name, current)
        if not _fits(var_type, value):
            _bad_value(step, name, var_type, value)
        _within_limits(step, name, value)
        step.ctx.variables[name] = value
        step.inputs = {"name": name, "value": value}
        step.outputs = {"body": {"name": name, "value": value}}


class _Step(Handler):
    code = "NotSpecified"
    sign = 1

    @classmethod
    def _apply(cls, step):
        inputs, name, current = _target(step)
        var_type = _declared_type(step, name, current)
        if var_type not in ("Integer", "Float"):
            raise ActionFailure("InvalidVariableType", f"The variable '{name}' of type '{var_type}' cannot be "
                                f"incremented or decremented. The action type '{cls.type_name}' only supports "
                                "variables of types 'Integer, Float'.")
        delta = inputs.get("value", 1)
        if delta is None:
            delta = 1
        if isinstance(delta, str):
            try:
                delta = int(delta) if delta.strip().lstrip("-").isdigit() else float(delta)
            except ValueError:
                pass
        if not is_number(delta) or (var_type == "Integer" and not is_integer(delta)):
            raise ActionFailure("InvalidVariableValue", f"The value of type '{_type_of(delta)}' cannot be used to "
                                f"update the variable '{name}' of type '{var_type}'. The action type "
                                f"'{cls.type_name}' only supports values of types "
                                f"'{'Integer' if var_type == 'Integer' else 'Integer, Float'}'.")
        new = (current or 0) + cls.sign * delta
        step.ctx.variables[name] = new
        step.inputs = {"name": name, "value": delta}
        step.outputs = {"body": {"name": name, "value": new}}

    @staticmethod
    def execute(step):
        step.action.handler._apply(step)


@action_type("IncrementVariable")
class IncrementVariable(_Step):
    sign = 1


@action_type("DecrementVariable")
class DecrementVariable(_Step):
    sign = -1


@action_type("AppendToArrayVariable")
class AppendToArrayVariable(Handler):
    code = "NotSpecified"

    @staticmethod
    def execute(step):
        inputs, name, current = _target(step)
        value = inputs.get("value")
        if not isinstance(current, list):
            raise ActionFailure("InvalidVariableType", f"The variable '{name}' of type '{_type_of(current)}' "
                                "cannot be appended to. The action type 'AppendToArrayVariable' only supports "
                                "variables of type 'Array'.")
        if value is None or isinstance(value, list):
            raise ActionFailure("InvalidVariableValue", f"The input value is of type '{_type_of(value)}' which "
                                f"cannot be appended to the variable '{name}' of type 'Array'. The action type "
                                "'AppendToArrayVariable' only supports values of types 'Float, Integer, String, "
                                "Boolean, Object'.")
        if len(current) >= step.run.options.limits.variable_items:
            _within_limits(step, name, current + [value])
        current.append(value)
        step.inputs = {"name": name, "value": value}
        step.outputs = {"body": {"name": name, "value": current}}


@action_type("AppendToStringVariable")
class AppendToStringVariable(Handler):
    code = "NotSpecified"

    @staticmethod
    def execute(step):
        inputs, name, current = _target(step)
        value = inputs.get("value")
        if not isinstance(current, str) and current is not None:
            raise ActionFailure("InvalidVariableType", f"The variable '{name}' of type '{_type_of(current)}' "
                                "cannot be appended to. The action type 'AppendToStringVariable' only supports "
                                "variables of type 'String'.")
        if isinstance(value, (list, dict)) and not isinstance(value, str):
            text = to_string(value)
        else:
            text = to_string(value)
        new = (current or "") + text
        _within_limits(step, name, new)
        step.ctx.variables[name] = new
        step.inputs = {"name": name, "value": value}
        step.outputs = {"body": {"name": name, "value": new}}
