"""Run workflows: ``await invoke(workflow, trigger_name, trigger_outputs, options)`` (see :mod:`.invocation`).

The names a caller needs, re-exported: the run (:mod:`.invocation`), one trigger call without HTTP
(:mod:`.trigger`), clocks (:mod:`.clock`) and mocks (:mod:`.mocks`).
"""

from __future__ import annotations

from .clock import Clock, VirtualClock
from .invocation import Invocation, RunOptions, cancel, invoke, run_to_end
from .mocks import MockSet

__all__ = ["Clock", "Invocation", "MockSet", "RunOptions", "VirtualClock", "cancel", "invoke", "run_to_end"]
