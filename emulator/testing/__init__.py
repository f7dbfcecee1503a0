"""Flow tests: ``LogicApps`` (in-process), ``LogicAppsServer`` (a real socket), results, declarative flow tests.

The pytest plugin (:mod:`emulator.testing.plugin`) gives the fixtures ``logic_apps`` and ``logic_apps_server``
and collects ``*.flowtest.json`` / ``.yaml`` files. See docs/testing.md.
"""

from .app import FlowLoadError, LogicApps
from .results import ActionView, InvokeResult, RunView

__all__ = ["ActionView", "FlowLoadError", "InvokeResult", "LogicApps", "LogicAppsServer", "RunView"]


def __getattr__(name):
    if name == "LogicAppsServer":
        from .server import LogicAppsServer

        return LogicAppsServer
    raise AttributeError(name)
