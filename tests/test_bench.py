"""The benchmark scripts keep working: the generator writes what it promises, the CLI benchmark runs
every command on it, and updating docs/benchmarks.md leaves other sections alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import apsw
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import bench_cli  # noqa: E402
import generate  # noqa: E402


def test_scales_keep_issue_2_proportions():
    issue2 = generate.scale_named("issue2")
    assert (issue2.goals, issue2.tasks, issue2.completions, issue2.decisions, issue2.lessons, issue2.notes) == (
        200, 5000, 3000, 1000, 1000, 1000)
    big = generate.scale_named("100k")
    assert abs(big.records - 100_000) < 10
    assert big.tasks / big.goals == pytest.approx(25, rel=0.01)
    assert big.completions / big.tasks == pytest.approx(0.6, rel=0.01)


def test_unknown_scale_is_one_clear_line():
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "/nonexistent/x", "--scale", "huge"],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "unknown scale 'huge'" in proc.stderr and "Traceback" not in proc.stderr


def test_generated_project_has_what_the_manifest_says(tmp_path):
    manifest = generate.generate(tmp_path / "p", generate.scale_named("300"), quiet=True)
    db = apsw.Connection(str(tmp_path / "p" / ".imi" / "state.db"))
    count = lambda sql: db.execute(sql).fetchall()[0][0]  # noqa: E731
    c = manifest["counts"]
    assert count("SELECT count(*) FROM goals") == c["goals"]
    assert count("SELECT count(*) FROM tasks") == c["tasks"]
    assert count("SELECT count(*) FROM tasks WHERE status = 'done' AND summary != ''") == c["completions"]
    assert count("SELECT count(*) FROM tasks WHERE status = 'in_progress'") == c["in_progress"] >= 4
    assert count("SELECT count(*) FROM task_deps") > 0
    assert count("SELECT count(*) FROM memories WHERE key = 'completion_summary'") == c["completions"]
    assert count("SELECT count(*) FROM decisions WHERE kind = 'killed'") == c["killed"] >= 1
    # Every referenced non-glob path exists in the project, as a real user's would.
    paths = [row[0] for row in db.execute("SELECT DISTINCT path FROM refs WHERE is_glob = 0")]
    assert paths and all((tmp_path / "p" / path).is_file() for path in paths)
    assert count("SELECT count(*) FROM refs WHERE origin = 'text'") > 0
    assert count("SELECT count(*) FROM search_index WHERE search_index MATCH 'migration'") > 0
    assert json.loads((tmp_path / "p" / "bench-manifest.json").read_text())["samples"]["hot_file"] in paths


def test_missing_project_is_a_clear_error(tmp_path, capsys):
    assert bench_cli.main(["--project", str(tmp_path), "--no-docs"]) == 1
    err = capsys.readouterr().err
    assert "no IMI project at" in err and "bench/generate.py" in err


def test_docs_update_replaces_only_its_own_block(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nintro\n\n## Language server\n\nserver figures\n")
    bench_cli.update_docs(page, "issue2", "first")
    bench_cli.update_docs(page, "growth", "curve")
    bench_cli.update_docs(page, "issue2", "second")
    text = page.read_text()
    assert "first" not in text and "second" in text and "curve" in text
    assert text.index("second") < text.index("curve")
    assert text.count("## CLI") == 1
    assert "## Language server\n\nserver figures\n" in text
    assert text.index("## CLI") < text.index("second") < text.index("## Language server") or \
        text.index("## Language server") < text.index("## CLI")


@pytest.mark.slow
def test_benchmark_runs_every_command(tmp_path):
    generate.generate(tmp_path / "p", generate.scale_named("200"), quiet=True)
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_cli.py"), "--project", str(tmp_path / "p"),
                           "--runs", "1", "--warmup", "0", "--out", str(tmp_path / "b.md")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "b.md").read_text()
    for label in ("`context`", "`plan --json`", "`think`", "`check`", "`search migration`", "`show TASK_ID`",
                  "`log \"...\" (write)`", "`python -c pass`"):
        assert label in text


@pytest.mark.slow
def test_the_floor_benchmark_reports_ratios_writers_and_servers(tmp_path):
    generate.generate(tmp_path / "p", generate.scale_named("200"), quiet=True)
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_cli.py"), "--floor", "--project",
                           str(tmp_path / "p"), "--runs", "1", "--warmup", "0", "--writers", "3", "--writes-each", "2",
                           "--out", str(tmp_path / "b.md")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "b.md").read_text()
    for label in ("`context`", "`hook pre-tool-use", "`log`", "`complete`", "`next`", "`ready`", "`--help`",
                  "3 concurrent writers", "6 writes acknowledged", "6 of them found", "0 failed",
                  "`imi mcp` answered"):
        assert label in text, label
    assert (tmp_path / "img" / "cli-floor.png").stat().st_size > 0
