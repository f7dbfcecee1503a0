"""String functions."""

from __future__ import annotations

from ..expressions.values import to_string
from .registry import function


@function("concat", min_args=1, max_args=None, category="string")
def concat(*args):
    return "".join(to_string(a) for a in args)
