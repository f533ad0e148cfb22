"""Symbols found on real code bases agree with a real parser (issue 14): `ast` for Python,
tree-sitter for TypeScript, Go and Rust. The code comes from the registries (PyPI, npm,
Debian) into ~/.cache/imi/anchor-corpus; .ci/run fetches it first. Without a network and
without the cache, these tests are skipped (and fail in CI, where the sources must be there).
The full report with the misses is bench/anchor_accuracy.py's (docs/anchors.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import anchor_corpus  # noqa: E402

pytestmark = pytest.mark.slow


def _sources(corpus) -> Path:
    try:
        return anchor_corpus.fetch(corpus)
    except (RuntimeError, OSError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{corpus.name} is not cached and cannot be fetched here: {error}")


@pytest.mark.parametrize("corpus", anchor_corpus.CORPORA, ids=lambda c: c.name)
def test_symbols_agree_with_a_real_parser(corpus):
    if corpus.language != "python":
        for grammar in ("tree_sitter", {"ts": "tree_sitter_typescript", "go": "tree_sitter_go",
                                        "rust": "tree_sitter_rust"}[corpus.language]):
            pytest.importorskip(grammar)
    import anchor_accuracy

    result = anchor_accuracy.measure(corpus, _sources(corpus))
    assert result.symbols > 200  # the code base really was read
    misses = "\n".join(anchor_accuracy._miss_line(m) for m in result.misses[:20])
    assert result.meets_target, f"{result.accuracy:.2%} of {result.symbols}:\n{misses}"
