"""The cache is recoverable by `imi` itself: a tracked, corrupt or stray-filled `.imi` is detected,
reported with the fix, and repaired without losing a record. Real repositories, `imi` as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from team_git import Clone
from imi_testing import assert_clean_failure


def test_a_tracked_state_db_is_detected_by_every_command_that_matters_and_doctor_untracks_it(solo):
    project = solo
    decision = project.new("decide", "kept through the untracking", "x")
    project.git("add", "-f", ".imi/state.db")  # what IMI 0.3 told teams to do
    project.commit("commit the database")
    for command in (["status"], ["sync"], ["init"], ["doctor"]):
        result = project.sub(*command)
        assert "git rm --cached .imi/state.db" in result.out + result.err, (command, str(result))
    fixed = project.sub("doctor", "--fix")
    assert fixed.code == 0, str(fixed)
    assert project.git("ls-files", ".imi/state.db").stdout == ""
    assert project.db.is_file()
    assert "kept through the untracking" in project.sub("show", decision).out
    assert "git rm" not in project.sub("status").err


def test_status_finds_a_tracked_database_from_a_worktree_and_in_every_index_form(solo):
    """status reads git's index itself when it can: the answer is the same from a linked worktree, with
    an index of version 4 (shortened paths) and with a split index, where it asks git instead."""
    project = solo
    project.git("add", "-f", ".imi/state.db")
    project.commit("commit the database")
    worktree = project.root.parent / "wt"
    project.git("worktree", "add", "-q", str(worktree), "-b", "side")
    inside = subprocess.run([sys.executable, "-m", "imi_cli", "status"], cwd=worktree, capture_output=True,
                            text=True, env=project.process_env())
    assert "git rm --cached .imi/state.db" in inside.stderr, inside.stderr
    for setting in (["index.version", "4"], ["core.splitIndex", "true"]):
        project.git("config", *setting)
        project.git("update-index", "--index-version", setting[1]) if setting[0] == "index.version" else \
            project.git("update-index", "--split-index")
        assert "git rm --cached .imi/state.db" in project.sub("status").err, setting
    project.git("rm", "-q", "--cached", ".imi/state.db")
    assert "git rm" not in project.sub("status").err


def test_a_corrupt_database_names_the_fix_and_rebuild_recovers_every_record(solo):
    project = solo
    decision = project.new("decide", "survives a corrupt cache", "x")
    project.commit("memory")
    for suffix in ("-wal", "-shm"):
        (project.root / ".imi" / f"state.db{suffix}").unlink(missing_ok=True)
    project.db.write_bytes(b"this is not a database" * 100)

    broken = project.sub("status")
    assert_clean_failure(broken)
    assert "imi rebuild" in broken.err
    rebuilt = project.sub("rebuild")
    assert rebuilt.code == 0, str(rebuilt)
    aside = [p for p in (project.root / ".imi").iterdir() if p.name.startswith("state.db.broken")]
    assert aside and aside[0].read_bytes().startswith(b"this is not a database")  # kept, moved aside
    assert project.sub("show", decision).code == 0
    assert project.git("status", "--porcelain").stdout == ""  # the broken copy is ignored too


def test_doctor_reports_and_repairs_stray_temp_files_orphan_rows_and_conflict_markers(solo):
    project = solo
    decision = project.new("decide", "a healthy decision", "x", "--files", "README.md")
    folder = project.root / ".imi" / "records" / "decisions"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stray = folder / f".{decision}.0mx0000000000aaaaa.json.{gone.stdout.strip()}.tmp"  # its writer was killed
    stray.write_text('{"half": ')
    busy = folder / f".{decision}.0mx0000000000bbbbb.json.{os.getpid()}.tmp"  # a writer still at work: left alone
    busy.write_text('{"half": ')
    project.sql("INSERT INTO refs(kind, record_id, path, is_glob, origin) VALUES ('decision', 'gonegonegonegone', "
                "'README.md', 0, 'explicit')")

    report = project.sub("doctor")
    assert report.code != 0, str(report)  # something needs attention
    assert stray.name in report.out and "orphan" in report.out
    fixed = project.sub("doctor", "--fix")
    assert fixed.code == 0, str(fixed)
    assert not stray.exists() and busy.exists()
    busy.unlink()
    assert project.sql("SELECT count(*) FROM refs WHERE record_id = 'gonegonegonegone'") == [(0,)]
    assert project.sub("doctor").code == 0
    assert project.sub("show", decision).code == 0


def _conflicted(project: Clone) -> tuple[str, object]:
    """A decision whose committed version file two branches changed by hand: the merge leaves markers."""
    decision = project.new("decide", "base text", "x")
    project.commit("decision")
    path = next((project.root / ".imi" / "records" / "decisions").iterdir())
    original = json.loads(path.read_text())
    for branch, text in (("left", "left text"), ("right", "right text")):
        project.git("checkout", "-q", "-b", branch, "main")
        payload = json.loads(json.dumps(original))
        payload["record"]["what"] = text
        path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        project.commit(branch)
    project.git("checkout", "-q", "left")
    merged = project.git("merge", "right", check=False)
    assert merged.returncode != 0 and "<<<<<<<" in path.read_text()
    return decision, path


def test_a_record_file_with_conflict_markers_is_reported_by_name_and_read_again_once_resolved(solo):
    project = solo
    decision, path = _conflicted(project)
    name = f"decisions/{path.name}"
    first = project.sub("status")  # whichever command notices the merge says so
    assert name in first.err and "conflict markers" in first.err, str(first)
    for command in (["sync"], ["doctor"]):
        result = project.sub(*command)
        assert name in result.out + result.err and "conflict" in (result.out + result.err), (command, str(result))
    refused = project.sub("rebuild")
    assert_clean_failure(refused)
    assert name in refused.err  # a rebuild would drop the record: it names the file instead
    assert project.sub("show", decision).code == 0

    payload = json.loads(project.git("show", f"right:.imi/records/{name}").stdout)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")  # resolved by hand: the right side
    project.commit("resolved")
    shown = project.sub("show", decision)
    assert "right text" in shown.out, str(shown)
    assert project.sub("rebuild").code == 0
    assert "right text" in project.sub("show", decision).out
