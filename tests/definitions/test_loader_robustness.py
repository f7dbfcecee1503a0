"""Malformed definitions are load problems (file, JSON path, message), never a crash of the loader."""

from __future__ import annotations

import json
import random

import pytest

from tests.definitions.helpers import load_path

ATOMS = [None, True, 1, 2.5, "", "x", "@x(", "@concat('a')", "Request", "Http", "If", "Foreach", "Scope", [], {}]
KEYS = ["definition", "triggers", "actions", "type", "kind", "inputs", "runAfter", "expression", "else", "cases",
        "default", "foreach", "limit", "parameters", "properties", "resources", "accessControl", "outputs", "$schema",
        "conditions", "operationOptions", "runtimeConfiguration", "trackedProperties", "state", "A", "B"]


def _shape(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        return rng.choice(ATOMS)
    if roll < 0.5:
        return [_shape(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): _shape(rng, depth + 1) for _ in range(rng.randint(0, 5))}


@pytest.mark.parametrize("seed", range(4))
def test_random_documents_load_or_report_problems(tmp_path, seed):
    rng = random.Random(seed)
    for i in range(150):
        doc = _shape(rng)
        if rng.random() < 0.5:  # a plausible skeleton with random parts
            doc = {"definition": {"triggers": {"t": {"type": "Request", "kind": "Http", "inputs": _shape(rng, 2)}},
                                  "actions": {"A": _shape(rng, 2)} if rng.random() < 0.5 else _shape(rng, 1)}}
        path = tmp_path / f"f{i}.json"
        path.write_text(json.dumps(doc))
        result = load_path(path)  # must not raise
        assert not [p for p in result.problems if p.code == "InvalidDefinition"], doc
        for workflow in result.workflows:
            if workflow.problems:
                assert all(p.file and p.json_path and p.message for p in workflow.problems)
