"""`imi export --format jsonl` / `imi import FILE`: moving memory between projects and from IMI 0.3."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from team_git import RECORD_TABLES, Clone, assert_has, assert_rebuild_matches
from imi_testing import IMI, db_checksum

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "imi-0.3.20" / "state.db"


def _project(tmp_path, git_env, name: str) -> Clone:
    root = tmp_path / name
    root.mkdir()
    clone = Clone(root, git_env, name)
    clone.git("init", "-q", "-b", "main")
    clone.imi("init")
    return clone


def _export(project: Clone, path: Path, *args) -> None:
    result = project.run("export", *args, "-o", path)
    assert result.code == 0 and result.err.startswith("Exported "), str(result)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rich(project: Clone) -> dict[str, str]:
    """A few records of every kind with links, file references, blockers, a claim and a completion."""
    project.file("src/app.py", "def main():\n    pass\n")
    goal = project.new("goal", "Ship the importer", "so that teams can move", "--files", "src/app.py")
    first = project.new("task", goal, "Parse rows", "--files", "src/app.py:1-2")
    second = project.new("task", goal, "Write rows", "--blocked-by", first)
    project.imi("start", first)
    project.imi("complete", first, "parsed them all (see src/app.py)")
    return {"goal": goal, "first": first, "second": second,
            "decision": project.new("decide", "Use JSON Lines", "one record a line", "--files", "src/*.py"),
            "lesson": project.new("lesson", "Forgot the header", "--correct-behavior", "check the header"),
            "note": project.new("log", "exports are sorted by kind"),
            "memory": project.new("memory", "add", goal, "format", "jsonl")}


def test_export_and_import_move_every_record_between_projects_and_twice_changes_nothing(tmp_path, git_env):
    source, target = _project(tmp_path, git_env, "source"), _project(tmp_path, git_env, "target")
    _rich(source)
    written = source.bulk(60, "bulk")
    dump = tmp_path / "memory.jsonl"
    _export(source, dump, "--format", "jsonl")
    lines = dump.read_text().splitlines()
    assert len(lines) == len(source.texts())
    assert all(set(json.loads(line)) == {"kind", "id", "hlc", "record"} for line in lines)

    imported = target.json("import", dump)
    assert imported["records_updated"] == len(lines)
    assert_has(target, written)
    assert target.texts() == source.texts()
    again = target.run("export", "--format", "jsonl")
    assert again.out.splitlines() == lines  # the same records, field for field, stamps included
    assert target.snapshot()["task_deps"] == source.snapshot()["task_deps"]
    assert target.snapshot()["refs"] == source.snapshot()["refs"]

    before, files = target.checksum(), target.version_files()
    second = target.json("import", dump)
    assert second["imported_versions"] == 0 and second["records_updated"] == 0
    assert target.checksum() == before and target.version_files() == files
    assert_rebuild_matches(target)


def test_import_from_an_imi_03_database_brings_every_record_and_leaves_the_file_alone(tmp_path, git_env):
    old = tmp_path / "old" / "state.db"
    old.parent.mkdir()
    shutil.copyfile(FIXTURE, old)
    digest = _sha(old)
    expected = {}
    import apsw

    conn = apsw.Connection(f"file:{old}?mode=ro", flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    try:
        for kind, table in RECORD_TABLES.items():
            for (rid,) in conn.execute(f"SELECT id FROM {table}"):
                expected[rid] = kind
    finally:
        conn.close()
    assert len(expected) >= 15

    target = _project(tmp_path, git_env, "target")
    target.json("import", old)
    assert {rid: kind for rid, (kind, _) in target.texts().items()} == expected
    assert _sha(old) == digest and not Path(f"{old}-wal").exists()  # the original is untouched
    before, files = target.checksum(), target.version_files()
    assert len(files) == len(expected)
    target.json("import", old)
    assert target.checksum() == before and target.version_files() == files
    context = target.imi("context").out
    assert context.strip()
    assert_rebuild_matches(target)


def _blocking_file(project: Clone, folder: str) -> Path:
    blocker = project.root / ".imi" / "records" / folder
    shutil.rmtree(blocker, ignore_errors=True)
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder\n")
    return blocker


def test_an_interrupted_import_is_completed_by_running_it_again(tmp_path, git_env):
    source, target = _project(tmp_path, git_env, "source"), _project(tmp_path, git_env, "target")
    written = source.bulk(120, "moving")
    dump = tmp_path / "memory.jsonl"
    _export(source, dump)
    # The import dies part-way: the notes folder cannot be created (goals, tasks, decisions and
    # lessons are written first).
    blocker = _blocking_file(target, "notes")
    failed = target.run("import", dump)
    assert failed.code != 0 and "Traceback" not in failed.err, str(failed)
    partial = target.version_files()
    assert partial and not any(name.startswith("notes/") for name in partial), str(failed)
    blocker.unlink()
    target.imi("status")  # the database catches up with what the import had written
    assert len(target.texts()) == len(partial)
    target.imi("import", dump)
    assert_has(target, written)
    before = target.checksum()
    target.imi("import", dump)
    assert target.checksum() == before
    assert_rebuild_matches(target)


@pytest.mark.slow
def test_an_import_killed_mid_way_is_completed_by_running_it_again(tmp_path, git_env):
    source, target = _project(tmp_path, git_env, "source"), _project(tmp_path, git_env, "target")
    written = source.bulk(3000, "big")
    dump = tmp_path / "big.jsonl"
    _export(source, dump)
    proc = subprocess.Popen([*IMI, "import", str(dump)], cwd=target.root, env=target.process_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(target.version_files()) < 300 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        assert proc.poll() is None, "the import finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    partial = len(target.version_files())
    assert 0 < partial < len(written)
    assert target.sqlite("SELECT count(*) FROM text_versions") == [(0,)]  # its transaction never committed
    target.imi("status")
    assert len(target.texts()) == partial
    finished = target.sub("import", str(dump))
    assert finished.code == 0, str(finished)
    assert_has(target, written)
    before = db_checksum(target.db)
    target.imi("import", dump)
    assert db_checksum(target.db) == before


@pytest.mark.parametrize("line", [
    "not json", '["a list"]', '{"kind": "spell", "id": "mwabc", "record": {}}',
    '{"kind": "note", "id": "../../etc/passwd", "record": {"content": "x"}}',
    '{"kind": "note", "id": "mwupabcdefgh0001", "record": {"content": {"nested": true}}}',
])
def test_a_bad_import_file_is_refused_with_one_line_and_nothing_written(tmp_path, git_env, line):
    target = _project(tmp_path, git_env, "target")
    target.new("log", "already here")
    bad = tmp_path / "bad.jsonl"
    good = '{"kind": "note", "id": "mwupabcdefgh0002", "hlc": null, "record": {"content": "fine"}}'
    bad.write_text(good + "\n" + line + "\n")
    before, files = target.checksum(), target.version_files()
    target.fail("import", bad)
    assert target.checksum() == before and target.version_files() == files
