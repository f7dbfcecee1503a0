"""Built-in expression functions, one module per category; importing this package registers them all."""

from . import (  # noqa: F401 - imported for their registrations
    collection,
    conversion,
    datetime,
    logical,
    manipulation,
    math,
    string,
    uri,
    workflow,
)
from .registry import REGISTRY, FunctionSpec, function, lookup

__all__ = ["REGISTRY", "FunctionSpec", "function", "lookup"]
