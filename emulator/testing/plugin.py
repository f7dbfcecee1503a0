"""The pytest plugin (entry point ``pytest11``): fixtures ``logic_apps`` and ``logic_apps_server``, run trees in
assertion messages, and ``*.flowtest.json`` / ``*.flowtest.yaml`` files collected as tests.

Imports of the emulator happen inside the fixtures and hooks: an installed plugin costs nothing to projects
that never use it.
"""

from __future__ import annotations

import pytest

FLOWTEST_SUFFIXES = (".flowtest.json", ".flowtest.yaml", ".flowtest.yml")


# Run trees to show with the current test's failure: the ones assertion messages referred to (pytest shortens
# long assertion messages, so the full tree goes into a report section of its own)
_TREES: list[str] = []
_EMULATORS: list = []  # the emulators of the running test (their last result explains a bare failure)


@pytest.fixture
def logic_apps():
    """An in-process emulator, fresh for each test (no port): ``logic_apps.load(...)``, ``invoke(...)``..."""
    from .app import LogicApps

    with LogicApps() as la:
        _EMULATORS.append(la)
        yield la


@pytest.fixture
def logic_apps_server():
    """The same API backed by the real server on 127.0.0.1 and a free port (``base_url``, ``url(...)``)."""
    from .server import LogicAppsServer

    with LogicAppsServer() as la:
        _EMULATORS.append(la)
        yield la


@pytest.hookimpl(wrapper=True)
def pytest_assertrepr_compare(config, op, left, right):
    """A failed comparison of a value read from a result (status, json(), an action's status...) also prints
    the run as a tree: its first lines here, all of it in the report section "run tree"."""
    explanations = yield
    from .results import explain

    tree = explain(left) or explain(right)
    if not tree:
        return explanations
    _TREES.append(tree)
    lines = ["", "the run (in full under 'run tree' below):", *tree.splitlines()[:6]]
    for index, found in enumerate(explanations or []):
        if found:
            explanations[index] = [*found, *lines]
            return explanations
    return [*(explanations or []), [f"{left!r} {op} {right!r}", *lines]]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and report.failed:
        trees = list(dict.fromkeys(_TREES))
        if not trees:  # a failure no compared value explains: the last answer of the test's emulators
            trees = [la.last_result.explain() for la in _EMULATORS if la.last_result is not None]
        for tree in trees:
            report.sections.append(("run tree", tree))
    if call.when == "teardown" or (call.when == "call" and not report.failed):
        _TREES.clear()
    if call.when == "teardown":
        _EMULATORS.clear()
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """An ``async def`` test using ``logic_apps``/``logic_apps_server`` (or decorated with ``LogicApps``) that no
    async plugin runs (no pytest-asyncio auto mode or marker, no anyio marker): run it on a fresh event loop, so
    ``await la.ainvoke(...)`` works in any project. Tests an async plugin handles are left to it."""
    import inspect

    test = pyfuncitem.obj
    ours = {"logic_apps", "logic_apps_server"} & set(pyfuncitem.funcargs) or getattr(test, "logic_apps_test", False)
    if not inspect.iscoroutinefunction(test) or not ours:
        return None
    if pyfuncitem.get_closest_marker("asyncio") or pyfuncitem.get_closest_marker("anyio"):
        return None
    import asyncio

    names = [n for n in inspect.signature(test).parameters if n in pyfuncitem.funcargs]
    asyncio.run(test(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True


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
            raise FlowTestFailure("\n".join(failures))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, FlowTestFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        # Not a suffix of the node id: pytest -v would print the id with every '.' of a suffix as '::'.
        return self.path, None, f"flowtest: {self.path.name}::{self.name}"


class FlowTestFailure(AssertionError):
    pass
