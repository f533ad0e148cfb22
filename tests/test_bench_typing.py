"""The typing benchmark runs, keeps the document's text exactly as pygls would make it, and writes only its
own block of the benchmarks page."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import bench_typing  # noqa: E402


def test_a_small_run_measures_every_kind_of_typing(tmp_path):
    m = bench_typing.measure(tmp_path / "project", 2_000, 20, seed=1, stock_keystrokes=20)
    assert m["warned"]  # typing on the lesson's lines was warned about: the check ran
    assert set(m["results"]) == {"far from the lesson", "on the lesson's lines", "at the top (every anchor moves)"}
    for sync, imi, stock in m["results"].values():
        assert len(sync.ms) == len(imi.ms) == len(stock.ms) == 20
    block = bench_typing.section(m, 0.0)
    assert block.startswith(bench_typing.MARK_START) and block.endswith(bench_typing.MARK_END)


def test_the_block_goes_after_the_language_server_growth_block_and_replaces_only_itself(tmp_path, monkeypatch):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n## Language server\n\n<!-- bench_lsp:growth -->\ngrowth\n"
                    "<!-- /bench_lsp:growth -->\n\n## Team memory (git)\n\nteam\n")
    monkeypatch.setattr(bench_typing, "DOCS", page)
    first = f"{bench_typing.MARK_START}\none\n{bench_typing.MARK_END}"
    bench_typing.write_docs(first)
    bench_typing.write_docs(first.replace("one", "two"))
    text = page.read_text()
    assert text.count(bench_typing.MARK_START) == 1 and "two" in text and "one" not in text
    assert text.index("/bench_lsp:growth") < text.index("two") < text.index("## Team memory")
