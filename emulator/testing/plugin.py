"""The pytest plugin (entry point ``pytest11``): fixtures ``logic_apps`` and ``logic_apps_server``, run trees in
assertion messages, and ``*.flowtest.json`` / ``*.flowtest.yaml`` files collected as tests.

Imports of the emulator happen inside the fixtures and hooks: an installed plugin costs nothing to projects
that never use it.
"""

from __future__ import annotations

import pytest

FLOWTEST_SUFFIXES = (".flowtest.json", ".flowtest.yaml", ".flowtest.yml")


@pytest.fixture
def logic_apps():
    """An in-process emulator, fresh for each test (no port): ``logic_apps.load(...)``, ``invoke(...)``..."""
    from .app import LogicApps

    with LogicApps() as la:
        yield la


@pytest.fixture
def logic_apps_server():
    """The same API backed by the real server on 127.0.0.1 and a free port (``base_url``, ``url(...)``)."""
    from .server import LogicAppsServer

    with LogicAppsServer() as la:
        yield la


@pytest.hookimpl(wrapper=True)
def pytest_assertrepr_compare(config, op, left, right):
    """A failed comparison of a value read from a result (status, json(), an action's status...) also prints
    the run as a tree."""
    explanations = yield
    from .results import explain

    tree = explain(left) or explain(right)
    if not tree:
        return explanations
    lines = ["", "the run:", *tree.splitlines()]
    for index, found in enumerate(explanations or []):
        if found:
            explanations[index] = [*found, *lines]
            return explanations
    return [*(explanations or []), [f"{left!r} {op} {right!r}", *lines]]


def pytest_collect_file(file_path, parent):
    if file_path.name.lower().endswith(FLOWTEST_SUFFIXES):
        return FlowTestFile.from_parent(parent, path=file_path)
    return None


class FlowTestFile(pytest.File):
    def collect(self):
        from .flowtest import FlowTestError, load_flowtest

        try:
            spec = load_flowtest(self.path)
        except FlowTestError as exc:
            raise self.CollectError(str(exc)) from None
        for index, case in enumerate(spec.get("cases") or []):
            yield FlowTestItem.from_parent(self, name=str(case.get("name") or f"case {index + 1}"), spec=spec,
                                           case=case)


class FlowTestItem(pytest.Item):
    def __init__(self, *, spec: dict, case: dict, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.case = case

    def runtest(self):
        from .flowtest import run_case

        failures = run_case(self.path, self.spec, self.case)
        if failures:
            raise FlowTestFailure(failures)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, FlowTestFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name}"


class FlowTestFailure(AssertionError):
    pass
