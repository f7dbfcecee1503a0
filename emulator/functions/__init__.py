"""Built-in expression functions, one module per category; importing this package registers them all."""

from . import (  # noqa: F401 - imported for their registrations
    binary,
    collection,
    conversion,
    datetime,
    logical,
    manipulation,
    math,
    numeric,
    string,
    uri,
    workflow,
    xml,
)
from .registry import REGISTRY, FunctionSpec, function, lookup

__all__ = ["REGISTRY", "FunctionSpec", "function", "lookup"]
