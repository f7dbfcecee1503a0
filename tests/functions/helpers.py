"""Shared helpers for the function tests: evaluate a template with parameters, or expect its error."""

from __future__ import annotations

import pytest

from emulator.expressions import EvalContext, ExpressionError, compile_template


def ev(text, **params):
    """Evaluate ``text`` with ``parameters(name)`` bound to the keyword arguments."""
    return compile_template(text).evaluate(EvalContext(parameters=params))


def fails(text, fragment, **params):
    """Evaluating ``text`` raises an ExpressionError whose message contains ``fragment``; returns the message."""
    with pytest.raises(ExpressionError) as info:
        ev(text, **params)
    assert fragment in info.value.message, info.value.message
    return info.value.message
