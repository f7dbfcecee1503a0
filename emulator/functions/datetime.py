"""Datetime functions."""

from __future__ import annotations

from .registry import function  # noqa: F401
