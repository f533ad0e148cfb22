"""A full disk: a write fails with one clear line and a non-zero exit, leaves nothing half-written
(database, version files, temporary files), reads keep working, and once there is room again the
next command works.

The project lives on a small tmpfs mounted for the test (CI runs as root; elsewhere the test is
skipped with the reason), filled to the last few bytes by a filler file.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from imi_testing import Project, assert_clean_failure
from robust_helpers import all_version_files, assert_text_matches_db, db_state, integrity, leftover_tmp

SIZE = 16 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs at tmp_path/disk, unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _free(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def _fill(folder: Path, leave: int) -> Path:
    """Take all free space but `leave` bytes (page-rounded by tmpfs)."""
    filler = folder / "filler"
    with open(filler, "ab") as handle:
        while _free(folder) > leave:
            chunk = min(_free(folder) - leave, 1 << 20)
            try:
                handle.write(b"\0" * max(chunk, 1))
                handle.flush()
            except OSError:
                break
    return filler


@pytest.fixture
def full_project(small_disk, clean_env) -> Project:
    root = small_disk / "ws"
    root.mkdir()
    project = Project(root, clean_env)
    project.ok("init")
    goal = project.new("goal", "G")
    project.new("task", goal, "a task to claim")
    project.ok("log", "a note from before the disk filled up")
    return project


def _snapshot(project: Project) -> tuple:
    """The records (as the database holds them) and the version files: what a write would change.
    (Bookkeeping such as the text signature may be brought up to date by a failed command.)"""
    return db_state(project.db), [p.name for p in all_version_files(project.root)]


BIG = "a long note that may not fit " * 3_000  # 87 kB: a text may hold 100,000 characters


@pytest.mark.parametrize("leave", [0, 64 * 1024, 1024 * 1024])
def test_a_write_on_a_full_disk_fails_cleanly_and_the_next_one_works(full_project, leave):
    project = full_project
    goal = project.json("plan")["goals"][0]["id"]
    filler = _fill(project.root.parent, leave)
    attempts = [("log", "a small note"), ("log", BIG), ("goal", "another goal", BIG, "--why", BIG, "--for-who", BIG, "--success-signal", BIG), ("decide", "use tmpfs", BIG),
                ("task", goal, "more", BIG), ("next",)]
    for args in attempts:
        before = _snapshot(project)
        result = project.sub(*args, "--json")
        shown = str(result)[-1500:]
        assert "Traceback" not in result.err and "internal error" not in result.err, shown
        if result.code == 0:  # it fitted: then it is whole, in the database and the text
            assert_text_matches_db(project)
            continue
        assert_clean_failure(result)
        assert "disk is full" in result.err, shown
        assert _snapshot(project) == before, f"a failed write left something behind: {shown}"
        assert not leftover_tmp(project.root), f"half-written temporary files: {leftover_tmp(project.root)}"
    for args in (["context"], ["plan"], ["search", "note"], ["status"]):  # reading needs no room
        result = project.sub(*args)
        assert result.code == 0, str(result)

    filler.unlink()
    after = project.sub("log", "written once there was room again", "--json")
    assert after.code == 0 and after.err == "", str(after)
    assert after.json()["id"] in project.sub("search", "room again", "--json").out
    assert integrity(project.db) == "ok"
    assert_text_matches_db(project)
