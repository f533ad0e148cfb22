"""bench/bench_layout.py: its docs subsection replaces only itself, and a small run measures both layouts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import bench_layout  # noqa: E402


def test_the_layout_subsection_replaces_only_itself(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n## Team memory (git)\n\nteam text\n\n### Growth\n\ngrowth text\n")
    bench_layout.update_docs(page, f"{bench_layout.HEADING}\n\nfirst\n")
    page.write_text(page.read_text() + "\n## Later section\n\nlater text\n")
    bench_layout.update_docs(page, f"{bench_layout.HEADING}\n\nsecond\n")
    text = page.read_text()
    assert "second" in text and "first" not in text
    assert all(part in text for part in ("team text", "growth text", "## Later section", "later text"))
    assert text.index("growth text") < text.index("second") < text.index("## Later section")


@pytest.mark.slow
def test_a_small_run_measures_the_flat_layout_against_shards_and_packs(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_layout.py"), "--sizes", "120", "--runs", "1",
                           "--workdir", str(tmp_path), "--no-docs"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|") for line in proc.stdout.splitlines() if line.startswith("| ") and "×" in line]
    layouts = {row[2].strip(): float(row[6].strip().rstrip("×")) for row in rows}
    assert set(layouts) == {"flat", "shards + packs"}
    assert layouts["shards + packs"] < 1.5 < layouts["flat"]  # 1 KB files in 4 KiB blocks, against packs
