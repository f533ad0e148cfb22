"""bench/bench_hook.py keeps working: it times every hook on a generated project and rewrites only
the "## Agent hooks" section of the benchmarks page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import generate  # noqa: E402


def test_bench_hook_times_every_hook_and_writes_only_its_section(tmp_path):
    project = tmp_path / "project"
    generate.generate(project, generate.scale_named("200"), quiet=True)
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n## CLI\n\nCLI figures stay.\n\n## Agent hooks\n\nold figures\n\n"
                    "## Editors\n\nEditor figures stay.\n")
    plot = tmp_path / "img" / "hooks.png"
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_hook.py"), "--project", str(project),
                           "--runs", "2", "--warmup", "0", "--out", str(page), "--plot", str(plot)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    text = page.read_text()
    assert "## CLI\n\nCLI figures stay.\n" in text and "## Editors\n\nEditor figures stay.\n" in text
    assert "old figures" not in text and text.count("## Agent hooks") == 1
    section = text.split("## Agent hooks", 1)[1].split("\n## ", 1)[0]
    for label in ("pre-tool-use: Edit of the file most named", "pre-tool-use: Edit of a typical named file",
                  "pre-tool-use: Edit of a file nothing names", "session-start", "stop: agent holds nothing",
                  "imi mcp: initialize and tools/list answered"):
        assert f"| {label}" in section, label
    assert "![imi hook latency](img/hooks.png)" in section
    assert plot.stat().st_size > 10_000


def test_bench_hook_on_a_missing_project_is_one_clear_line(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_hook.py"), "--project",
                           str(tmp_path / "nowhere"), "--no-docs"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("bench_hook.py: error: ") and "Traceback" not in proc.stderr
