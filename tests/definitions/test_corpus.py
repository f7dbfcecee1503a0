"""Every corpus file loads; the only errors are the genuinely invalid expressions listed here."""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS, needs_shared
from tests.definitions.helpers import load_path

# Files whose expressions the compiler rejects (see the runtime stream's report):
KNOWN_ERRORS = {
    "analyze-documents-ai-docintelligence__default__workflow.json",   # unterminated string literal
    "__mocks____workflows__Conditionals.json",                       # concat() with no arguments
    # designer fixtures the host would refuse to save (emulator/definitions/validation.py):
    "__mocks____workflows__AllScopeNodes.json",          # Increment/Set of 'var1', never initialized
    "__mocks____workflows__MultipleRunAftersBig.json",   # IncrementVariable of 't', never initialized
    "__mocks____workflows__RunAfter.json",               # body('Create_a_goal') of no action; Response + recurrence
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


def _request_workflows():
    if not CORPUS.is_dir():
        return []
    out = []
    for wf in load_path(CORPUS).workflows:
        if wf.request_triggers() and not wf.has_errors:
            out.append(pytest.param(wf, id=f"{wf.source.parent.name}/{wf.name}"))
    return out


@needs_shared
@pytest.mark.parametrize("wf", _request_workflows())
def test_every_corpus_request_flow_runs(wf):
    """Every Request-triggered corpus workflow runs to an end (empty JSON body, outbound Http refused by mocks):
    whatever the flow does, the run finishes with a host status and a complete record; nothing crashes."""
    import asyncio

    from emulator.runtime import RunOptions, VirtualClock, run_to_end

    opts = RunOptions(clock=VirtualClock(), mocks={"http": "fail"})
    _, rec, inv = asyncio.run(run_to_end(wf, None, {"headers": {"Content-Type": "application/json"},
                                                    "body": {}}, opts))
    assert inv.skipped or rec["status"] in ("Succeeded", "Failed", "Cancelled")
    if not inv.skipped:
        assert rec["name"] and rec["startTime"] and rec["endTime"]
        for name, action in rec["actions"].items():
            assert action["status"] in ("Succeeded", "Failed", "Skipped", "TimedOut", "Cancelled"), name
