"""Flow tests: ``LogicApps`` (in-process), ``LogicAppsServer`` (a real socket), results, declarative flow tests.

The pytest plugin (:mod:`emulator.testing.plugin`) gives the fixtures ``logic_apps`` and ``logic_apps_server``
and collects ``*.flowtest.json`` / ``.yaml`` files. See docs/testing.md.

The names below load on first use: the plugin, active in every pytest run once the package is installed,
imports this package, and a project that never uses it should not pay for the emulator's imports.
"""

from __future__ import annotations

import importlib

_EXPORTS = {"LogicApps": ".app", "FlowLoadError": ".app", "LogicAppsServer": ".server",
            "InvokeResult": ".results", "RunView": ".results", "ActionView": ".results"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'emulator.testing' has no attribute '{name}'")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
