"""Built-in expression functions, one module per family.

Importing this package imports every family module, and each registers its functions in
:mod:`emulator.expressions.registry` (the layer below, where the compiler looks them up). The package
root ``emulator/__init__.py`` imports this package, so the functions are registered whatever part of
``emulator`` a program imports first (``from emulator.expressions import compile_template`` included).
"""

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
