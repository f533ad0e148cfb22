"""A fresh clone's first command builds `.imi/state.db` in a scratch file (`.imi/build.tmp/`) and renames
it into place (memory/firstbuild.py). It must hold what building in place held; two commands started
together must build once and lose no write; a build killed midway must leave a project that the next
command loads."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from team_git import Clone
from test_team_bulk_helper import with_helper
from test_team_bulk_load import alice_with_a_history

from imi_cli.memory import firstbuild

BUILT = "built .imi/state.db from the"

# `imi ARGS` in a process whose fresh-clone build stops once the scratch database is loaded, before it is
# renamed into place: it writes the file argv[1], then waits until the file argv[2] exists.
PAUSED_BUILD = r"""
import sys, time
from pathlib import Path
from imi_cli.cli import run
from imi_cli.memory import firstbuild

loaded, go = Path(sys.argv[1]), Path(sys.argv[2])
attach = firstbuild.attach

def paused(store):
    attach(store)
    if store.db_path.parent.name == firstbuild.FOLDER:
        loaded.write_text("loaded")
        while not go.exists():
            time.sleep(0.01)

firstbuild.attach = paused
sys.exit(run(sys.argv[3:]))
"""
PATIENCE = 300  # seconds: only so that a broken build cannot hang the suite


def full_state(clone: Clone) -> dict:
    """Everything a user could get back from the database: the records, their versions, the search index
    and `imi export`."""
    exported = clone.run("export")
    assert exported.code == 0, exported
    return {**clone.snapshot(), "export": sorted(exported.out.splitlines()),
            "search": sorted(clone.sqlite("SELECT * FROM search_index"), key=repr)}


def fresh_clone_and_a_reference(team) -> tuple[Clone, Clone]:
    """Bob's fresh clone of Alice's history (no database yet), and another clone built the usual way."""
    alice_with_a_history(team)
    bob, reference = team("bob", init=False), team("reference", init=False)
    assert reference.run("context").code == 0
    return bob, reference


def paused_build(clone: Clone, *args: str) -> tuple[subprocess.Popen, Path, Path]:
    """`imi ARGS` started in the clone, its build paused once the scratch database is loaded."""
    loaded, go = clone.root.parent / f"{clone.name}-loaded", clone.root.parent / f"{clone.name}-go"
    process = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD, str(loaded), str(go), *args], cwd=clone.root,
                               env=clone.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: loaded.exists() or process.poll() is not None, "the build to load the records")
    assert loaded.exists(), process.communicate()
    return process, loaded, go


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"no sign of {what} in {PATIENCE} s"
        time.sleep(0.02)


def waits_on_a_lock(pid: int) -> bool:
    """Whether the process is blocked waiting for a file lock (Linux: a `->` line of /proc/locks)."""
    return any(line.split()[1] == "->" and str(pid) in line.split()
               for line in Path("/proc/locks").read_text().splitlines())


def schema(clone: Clone) -> list[tuple]:
    """Every table, index and trigger of the clone's database (a load drops some for a while)."""
    return sorted(clone.sqlite("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


@pytest.mark.parametrize("helper", [False, True], ids=["one process", "with the helper"])
def test_the_scratch_build_holds_what_building_in_place_held(team, monkeypatch, helper):
    alice = alice_with_a_history(team)
    if helper:
        _started, joined = with_helper(monkeypatch)
    bob, carol = team("bob", init=False), team("carol", init=False)

    first = bob.run("context")
    assert first.code == 0 and BUILT in first.err, first
    with monkeypatch.context() as patch:
        patch.setattr(firstbuild, "open_built", lambda db_path: None)  # the former road: built in place
        in_place = carol.run("context")
    assert in_place.code == 0 and BUILT in in_place.err, in_place
    if helper:
        assert len(joined) == 2  # both loads shared their work

    assert full_state(bob) == full_state(carol)
    assert schema(bob) == schema(carol) == schema(alice)  # every index and trigger is back
    assert first.out.splitlines()[1:] == in_place.out.splitlines()[1:]  # (the first line names the user)
    assert bob.sqlite("PRAGMA journal_mode") == [("wal",)]
    assert not (bob.root / ".imi" / firstbuild.FOLDER).exists()
    assert bob.git("status", "--porcelain").stdout == ""
    note = bob.new("log", "a write after the build")  # the built database takes writes and their text
    assert any(note in name for name in bob.version_files())


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks to see a process waiting")
def test_two_commands_started_together_in_a_fresh_clone_build_once_and_keep_the_write(team):
    bob, reference = fresh_clone_and_a_reference(team)
    builder, _loaded, go = paused_build(bob, "context")
    writer = subprocess.Popen([sys.executable, "-m", "imi_cli", "log", "written while the clone was building",
                               "--json"], cwd=bob.root, env=bob.process_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: waits_on_a_lock(writer.pid) or writer.poll() is not None, "the writer waiting")
        assert writer.poll() is None, writer.communicate()  # it waits for the build, it does not build too
        assert not bob.db.exists()
        go.write_text("go")
        built_out, built_err = builder.communicate(timeout=PATIENCE)
        wrote_out, wrote_err = writer.communicate(timeout=PATIENCE)
    finally:
        for process in (builder, writer):
            if process.poll() is None:
                process.kill()
                process.wait()

    assert builder.returncode == 0, built_err
    assert writer.returncode == 0, wrote_err
    assert BUILT in built_err and BUILT not in wrote_err  # built once, by the first
    note = json.loads(wrote_out)["id"]
    texts = bob.texts()
    assert texts.pop(note) == ("note", "written while the clone was building")
    assert texts == reference.texts()  # the build loaded everything, and the write came after it
    assert any(note in name for name in bob.version_files())
    assert "gather the rows per table" in built_out


def test_a_build_killed_midway_leaves_a_project_the_next_command_loads(team):
    bob, reference = fresh_clone_and_a_reference(team)
    builder, _loaded, _go = paused_build(bob, "context")
    try:
        os.kill(builder.pid, signal.SIGKILL)
    finally:
        builder.communicate(timeout=PATIENCE)
    assert builder.returncode == -signal.SIGKILL
    assert not bob.db.exists()  # only the scratch file was written
    assert (bob.root / ".imi" / firstbuild.FOLDER / firstbuild.SCRATCH).exists()
    assert bob.git("status", "--porcelain").stdout == ""  # and git does not see it

    again = bob.sub("context")

    assert again.code == 0 and BUILT in again.err, again
    assert full_state(bob) == full_state(reference)
    assert not (bob.root / ".imi" / firstbuild.FOLDER).exists()


def test_a_bulk_load_leaves_the_garbage_collector_as_it_found_it(team):
    """The load pauses Python's collector (bulk.collector_paused); a long-lived process (the language
    server) must get it back, and one that had turned it off must not find it on."""
    bob, reference = fresh_clone_and_a_reference(team)
    assert gc.isenabled()
    assert bob.run("context").code == 0  # a fresh clone's build, in this process
    assert gc.isenabled()
    gc.disable()
    try:
        assert bob.run("rebuild").code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert schema(bob) == schema(reference)  # a rebuild, too, gives every index back
