"""Ids and stamps never collide; foreign files never break the database; a failed write leaves no text."""

from __future__ import annotations

import json
import subprocess
import sys

from team_git import Clone
from imi_testing import assert_clean_failure

ID_SCRIPT = "import sys; from imi_cli.memory.ids import new_id; sys.stdout.write('\\n'.join(new_id() for _ in range({n})))"
WRITER_SCRIPT = """
import sys
from pathlib import Path
from imi_cli.memory.opening import open_store
from imi_cli.memory.store import writes
from imi_cli.memory.store.writes import Provenance
store = open_store(Path(sys.argv[1]))
store.actor = sys.argv[2]
for i in range(int(sys.argv[3])):
    with store.write():
        writes.add_note(store, Provenance(sys.argv[2], None), content=f"{sys.argv[2]} note {i}", kind="note", refs=[])
store.close()
"""


def _project(tmp_path, git_env) -> Clone:
    root = tmp_path / "p"
    root.mkdir()
    project = Clone(root, git_env, "alice")
    project.git("init", "-q", "-b", "main")
    project.imi("init")
    return project


def test_twenty_thousand_ids_made_by_four_processes_at_once_are_all_distinct():
    procs = [subprocess.Popen([sys.executable, "-c", ID_SCRIPT.format(n=5000)], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    ids = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        ids += out.split()
    assert len(ids) == 20_000
    assert len(set(ids)) == 20_000
    assert all(len(i) == 16 and i.isalnum() and i == i.lower() for i in ids)


def test_four_writers_at_once_get_distinct_ordered_stamps_and_every_version_file(tmp_path, git_env):
    project = _project(tmp_path, git_env)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(project.db), f"w{n}", "40"],
                              env=project.process_env(), stderr=subprocess.PIPE, text=True) for n in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    files = project.version_files()
    assert len(files) == 160
    stamps = [name.split(".")[1] for name in files]
    assert len(set(stamps)) == 160  # one clone, one clock: every stamp distinct
    assert len(project.texts()) == 160
    assert project.json("sync")["imported_versions"] == 0  # the database already knew every file


def test_foreign_and_unreadable_files_in_records_are_reported_and_ignored(tmp_path, git_env):
    project = _project(tmp_path, git_env)
    kept = project.new("log", "a real note")
    records = project.root / ".imi" / "records"
    (records / "tasks").mkdir(exist_ok=True)
    stamp = "0mwupabcd000abcdef"
    bad = {
        f"tasks/mwupabcdefgh0001.{stamp}.json": "{not json",
        f"tasks/mwupabcdefgh0002.{stamp}.json": json.dumps({"format": 1, "id": "someone-else", "hlc": stamp,
                                                             "record": {"title": "t"}}),
        f"tasks/mwupabcdefgh0003.{stamp}.json": json.dumps({"format": 1, "id": "mwupabcdefgh0003", "hlc": stamp,
                                                             "record": {"title": {"nested": 1}}}),
        f"tasks/mwupabcdefgh0004.{stamp}.json": json.dumps({"format": 1, "id": "mwupabcdefgh0004", "hlc": stamp,
                                                             "record": {"status": "todo"}}),  # no title
        f"tasks/mwupabcdefgh0005.{stamp}.json": json.dumps({"format": 99, "id": "mwupabcdefgh0005", "hlc": stamp}),
    }
    for rel, text in bad.items():
        (records / rel).write_text(text)
    (records / f"tasks/mwupabcdefgh0006.{stamp}.json").write_bytes(b"\xff\xfe\x00binary")
    (records / f"notes/mwupabcdefgh0007.{stamp}.json").mkdir(parents=True)  # a folder with a version's name
    (records / "README.md").write_text("about this folder\n")
    (records / "tasks/notes.txt").write_text("scratch\n")
    (records / "tasks/garbage.json").write_text("{}")
    (records / "lessons").write_text("a file where a folder belongs\n")
    good = f"mwupabcdefgh0008.{stamp}.json"
    (records / "decisions").mkdir(exist_ok=True)
    (records / "decisions" / good).write_text(json.dumps({
        "format": 1, "kind": "decision", "id": "mwupabcdefgh0008", "hlc": stamp, "base": None, "agent": "by hand",
        "deleted": False, "record": {"what": "written by hand", "why": "it is valid", "created_at": 1}}))

    result = project.run("sync")
    assert result.code == 0 and result.err == "", str(result)
    skipped = [line for line in result.out.splitlines() if line.startswith("skipped unreadable file")]
    assert len(skipped) == 7, result.out  # the six bad versions and the folder; foreign names are not versions
    for name in ("0001", "0002", "0003", "0004", "0005", "0006", "0007"):
        assert f"mwupabcdefgh{name}" in result.out
    assert "README.md" not in result.out and "garbage" not in result.out
    texts = project.texts()
    assert texts[kept] == ("note", "a real note")
    assert texts["mwupabcdefgh0008"] == ("decision", "written by hand")
    assert not any(rid.startswith("mwupabcdefgh000") and rid != "mwupabcdefgh0008" for rid in texts)
    for command in (["context"], ["status"], ["plan"], ["search", "hand"]):
        assert project.run(*command).code == 0
    hook = project.run("sync", "--quiet")  # what the git hook prints: only what needs attention
    assert hook.code == 0 and "skipped unreadable file" in hook.out


def test_a_write_whose_version_files_fail_part_way_leaves_nothing_behind(tmp_path, git_env):
    project = _project(tmp_path, git_env)
    goal = project.new("goal", "g")
    task = project.new("task", goal, "t")
    project.imi("start", task)
    # Completing the goal's last task writes two memories, then the goal, then the task. The goal
    # holds a value no version file can carry (bytes put there behind imi's back), so the batch
    # fails after the memories' files were written.
    project.sql("UPDATE goals SET description = X'6869' WHERE id = ?", (goal,))
    project.imi("status")
    before, files = project.checksum(), project.version_files()
    result = project.run("complete", task, "done")
    assert result.code == 1 and len(result.err.splitlines()) == 1 and "Traceback" not in result.err, str(result)
    assert project.checksum() == before and project.version_files() == files
    assert project.sqlite("SELECT status FROM tasks WHERE id = ?", (task,)) == [("in_progress",)]


def test_a_database_commit_that_fails_leaves_no_version_file(tmp_path, git_env):
    project = _project(tmp_path, git_env)
    project.new("log", "before")
    # A real commit-time failure: a deferred foreign key that the write violates is checked by
    # SQLite at COMMIT, after the version file was written.
    project.sql("CREATE TABLE t_parent(id INTEGER PRIMARY KEY)")
    project.sql("CREATE TABLE t_child(pid INTEGER REFERENCES t_parent(id) DEFERRABLE INITIALLY DEFERRED)")
    project.sql("CREATE TRIGGER fail_at_commit AFTER INSERT ON decisions BEGIN INSERT INTO t_child VALUES (42); END")
    before, files = project.checksum(), project.version_files()
    result = project.run("decide", "never stored", "the commit fails")
    assert_clean_failure(result)
    assert project.checksum() == before
    assert project.version_files() == files
    assert not list((project.root / ".imi" / "records").rglob("*.tmp"))
