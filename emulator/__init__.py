"""Local emulator of HTTP-triggered Azure Logic Apps and Power Automate workflows.

Importing the package registers every built-in expression function: the compiler
(:mod:`emulator.expressions`) looks functions up in its registry, and :mod:`emulator.functions`, the layer
above it, fills that registry when imported. The root package sits outside the layers
(cli > server > runtime > definitions > functions > expressions), so loading the functions here points no
import upward.
"""

__version__ = "0.1.0"

from . import functions  # noqa: E402, F401 - registers the built-in expression functions
