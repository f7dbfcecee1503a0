"""Containers and flow control: Scope, If, Switch, Terminate (loops are in :mod:`.loops`)."""

from __future__ import annotations

from ...definitions.status import CANCELLED, FAILED, SUCCEEDED
from ...expressions.values import is_integer, to_string, type_name
from ..engine import branch_not_taken
from ..errors import ActionFailure
from ..run import ACTION_FAILED
from .registry import Handler, action_type


class Container(Handler):
    is_container = True
    code = "NotSpecified"

    @classmethod
    def compile(cls, action, compiler) -> None:
        pass


def finish_container(step, status: str) -> None:
    step.status = status
    if status != SUCCEEDED:
        step.error = dict(ACTION_FAILED)
        step.code = "ActionFailed"


class BranchContainer(Container):
    """A container that runs one of its branches (or none): the engine runs the branch :meth:`choose` gives
    (see :class:`~.registry.Handler`); ``execute`` does the same, for a caller that awaits the handler."""

    chooses_branch = True
    settle = staticmethod(finish_container)

    @staticmethod
    def choose(step):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    async def execute(cls, step):
        branch = cls.choose(step)
        cls.settle(step, SUCCEEDED if branch is None else await step.run.run_branch(branch, step.frame))


def skip_others(step, chosen_label: str | None):
    """The chosen branch (None: none); the others are skipped with ActionBranchingConditionNotSatisfied."""
    action, run, frame = step.action, step.run, step.frame
    for label, branch in action.branches.items():
        if label != chosen_label:
            run.skip_branch(branch, frame, branch_not_taken)
    return action.branches.get(chosen_label) if chosen_label is not None else None


@action_type("Scope")
class Scope(BranchContainer):
    @staticmethod
    def choose(step):
        return step.action.body


@action_type("If", "Condition")
class If(BranchContainer):
    @staticmethod
    def choose(step):
        condition = step.action.compiled.get("condition")
        value = step.evaluate(condition, where="action") if condition is not None else False
        if not isinstance(value, bool):
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            else:
                raise ActionFailure("InvalidTemplate", f"Unable to process template language expressions for "
                                    f"action '{step.name}' at line '1' and column '0': 'The template language "
                                    f"expression evaluation result '{to_string(value)}' of type "
                                    f"'{type_name(value)}' is not a boolean.'.")
        step.inputs = {"expressionResult": value}
        return skip_others(step, "actions" if value else "else")


@action_type("Switch")
class Switch(BranchContainer):
    @classmethod
    def compile(cls, action, compiler) -> None:
        action.compiled["expression"] = compiler.template(action.raw.get("expression"),
                                                          f"{action.path}.expression")

    @staticmethod
    def choose(step):
        action = step.action
        expr = action.compiled["expression"]
        value = step.evaluate(expr, where="action")
        if not (isinstance(value, str) or is_integer(value)):
            raise ActionFailure("ExpressionEvaluationFailed", f"The execution of template action '{step.name}' "
                                f"failed: The result of the evaluation of 'scope' action expression "
                                f"'{action.raw.get('expression')}' is not valid. It is of type "
                                f"'{type_name(value)}' but is expected to be a value of type 'String, Integer'.")
        step.inputs = {"expressionResult": value}
        chosen = "default" if "default" in action.branches else None
        for label, branch in action.branches.items():
            if label in ("default", "actions"):
                continue
            case = branch.case_value
            if case == value and type(case) is type(value) or (
                    isinstance(case, (str, int)) and not isinstance(case, bool) and str(case) == str(value)):
                chosen = label
                break
        return skip_others(step, chosen)


@action_type("Terminate")
class Terminate(Handler):
    code = "NotSpecified"

    @staticmethod
    def execute(step):
        inputs = step.evaluate_inputs() or {}
        status = str(inputs.get("runStatus", FAILED))
        canonical = {"failed": FAILED, "cancelled": CANCELLED,
                     "succeeded": SUCCEEDED}.get(status.lower())
        if canonical is None:
            raise ActionFailure("InvalidTemplate", f"The 'runStatus' of action '{step.name}' must be 'Failed', "
                                f"'Cancelled' or 'Succeeded'; the provided value is '{status}'.")
        error = None
        if canonical == FAILED:
            raw = inputs.get("runError") or {}
            error = {"code": to_string(raw.get("code")) if raw.get("code") is not None else "Terminated",
                     "message": to_string(raw.get("message")) if raw.get("message") is not None else
                     "The run was terminated."}
        step.inputs = inputs
        step.run.terminate(canonical, error)

