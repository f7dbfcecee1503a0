"""Every corpus file loads; the only errors are the genuinely invalid expressions listed here."""

from __future__ import annotations

import pytest

from emulator.definitions import load_path
from tests.conftest import CORPUS, needs_shared

# Files whose expressions the compiler rejects (see the runtime stream's report):
KNOWN_ERRORS = {
    "analyze-documents-ai-docintelligence__default__workflow.json",   # unterminated string literal
    "__mocks____workflows__Conditionals.json",                       # concat() with no arguments
}


@needs_shared
def test_every_corpus_file_loads():
    result = load_path(CORPUS)
    files = {p for p in result.files}
    assert len(files) >= 228
    loaded = {str(w.source) for w in result.workflows}
    assert files <= loaded, sorted(files - loaded)[:5]
    bad = {p.file.rsplit("/", 1)[-1] for p in result.errors}
    assert bad == KNOWN_ERRORS, sorted(bad ^ KNOWN_ERRORS)


@needs_shared
@pytest.mark.parametrize("name", ["ScoreUnder__IllogicApps", "LogicAppUnit__TestingFramework"])
def test_corpus_request_flows_run(name):
    import asyncio

    from emulator.runtime import RunOptions, VirtualClock, run_to_end

    result = load_path(CORPUS / name)
    ran = 0
    for wf in result.workflows:
        if not wf.request_triggers() or wf.has_errors:
            continue
        opts = RunOptions(clock=VirtualClock(), mocks={"http": "fail"})
        _, rec, inv = asyncio.run(run_to_end(wf, None, {"headers": {"Content-Type": "application/json"},
                                                        "body": {}}, opts))
        assert inv.skipped or rec["status"] in ("Succeeded", "Failed", "Cancelled")
        ran += 1
    assert ran > 0
