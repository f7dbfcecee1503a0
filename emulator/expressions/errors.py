"""The engine's expression error: a Logic Apps error code, the host's message and where it happened."""

from __future__ import annotations

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


class ExpressionError(Exception):
    """Any failure to parse or evaluate a workflow expression.

    ``code`` is the Logic Apps error code (``InvalidTemplate`` for nearly everything),
    ``message`` the host-style text, ``column`` the 1-based column inside the JSON string
    value when known, ``phase`` is ``"parse"`` or ``"evaluate"``.
    """

    def __init__(self, message: str, *, code: str = "InvalidTemplate", column: int | None = None,
                 phase: str = "evaluate", expression: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.column = column
        self.phase = phase
        self.expression = expression

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class ExpressionSyntaxError(ExpressionError):
    """The expression text could not be parsed (reported at load time)."""

    def __init__(self, message: str, *, column: int | None = None, expression: str | None = None,
                 code: str = "InvalidTemplate"):
        super().__init__(message, code=code, column=column, phase="parse", expression=expression)


def ordinal(index: int) -> str:
    """0 -> 'first' ..."""
    return ORDINALS[index] if index < len(ORDINALS) else f"{index + 1}th"


def count_word(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def usage(function: str) -> str:
    """The host's closing sentence of a function's error message."""
    return f"Please see https://aka.ms/logicexpressions#{function.lower()} for usage details."


def type_error(function: str, index: int, expected: str, value) -> ExpressionError:
    """The host's wording for a wrong argument type.

    ``expected`` is the tail after "to be": e.g. ``"of type string"``,
    ``"an array or a string"``, ``"an object, an array or a string"``.
    """
    from .values import type_name

    return ExpressionError(
        f"The template language function '{function}' expects its {ordinal(index)} parameter to be "
        f"{expected}. The provided value is of type '{type_name(value)}'. " + usage(function)
    )


def function_error(function: str, detail: str) -> ExpressionError:
    """A function-specific failure, in the host's 'The template language function ...' style."""
    return ExpressionError(f"The template language function '{function}' {detail}")
