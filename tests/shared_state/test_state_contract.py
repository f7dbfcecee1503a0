"""The state interface's contract tests (tests/state/test_state.py), run against the Redis state too."""

from __future__ import annotations

import pytest

from emulator.server.state import open_state
from tests.state.test_state import (  # noqa: F401 - collected here with the Redis fixture below
    test_a_live_run_is_updated,
    test_a_record_sqlite_cannot_encode_costs_no_other_record,
    test_counters_exact_with_windows,
    test_keys_and_workflow_states,
    test_outbox,
    test_runs_newest_first_bounded_and_filtered,
    test_trigger_histories,
)


@pytest.fixture
async def state(redis_server, tmp_path):
    opened = open_state(redis_server.url, tmp_path / "state", size=3)
    yield opened
    await opened.aclose()
