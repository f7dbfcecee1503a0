"""Every expression string in the shared corpus compiles (syntax, known functions, arity)."""

from __future__ import annotations

import json

import pytest

from emulator.expressions import ExpressionError, compile_template
from tests.conftest import CORPUS, needs_shared


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


# Genuine errors in the third-party corpus: (file name, start of the string) -> why it cannot compile.
KNOWN_BROKEN = {
    ("analyze-documents-ai-docintelligence__default__workflow.json",
     "@parameters('OpenAI_TextEmbedding_Deployment_Identifier_docIntelligence"):
        "the string literal is not terminated (a missing \"')\" in the template itself)",
    ("__mocks____workflows__Conditionals.json", "@concat(concat(concat(concat())))"):
        "concat() needs at least one argument (designer test data, not a deployable flow)",
}


def _files():
    if not CORPUS.is_dir():
        return []
    return [pytest.param(p, id=p.name) for p in sorted(CORPUS.rglob("*.json"))]


@needs_shared
@pytest.mark.parametrize("path", _files())
def test_corpus_file_expressions_compile(path):
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    errors = []
    for s in _strings(data):
        if not (s.startswith("@") or "@{" in s):
            continue
        if any(path.name == f and s.startswith(prefix) for f, prefix in KNOWN_BROKEN):
            with pytest.raises(ExpressionError):
                compile_template(s, strict=True)
            continue
        try:
            compile_template(s, strict=True)
        except ExpressionError as exc:
            errors.append(f"{s[:120]!r}: {exc.message}")
    assert not errors, "\n".join(errors)
