"""A read-only `.imi/`: every write fails with one clear line and a non-zero exit and changes
nothing; `context`, `plan`, `search`, `show` and the other reads keep working.

Three ways a folder is read-only: permission bits (root ignores them, so as root the CLI runs
without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, like any user), a read-only bind mount, and
only the text records folder read-only while the database is writable.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from imi_testing import IMI, Project, assert_clean_failure
from robust_helpers import all_version_files, checksum_anyhow, leftover_tmp

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def _as_plain_user() -> None:
    """preexec_fn: a root child loses the capabilities that let it ignore permission bits."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


class Runner:
    """Runs `imi` as a real process, the way the test case needs (as a plain user or not)."""

    def __init__(self, project: Project, plain_user: bool):
        self.project = project
        self.plain_user = plain_user

    def __call__(self, *args):
        from imi_testing import Result

        proc = subprocess.run([*IMI, *args], cwd=self.project.root, env=self.project.process_env(),
                              capture_output=True, timeout=60, preexec_fn=_as_plain_user if self.plain_user else None)
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
                      args)

    def can_create_in(self, folder: Path) -> bool:
        try:
            probe = subprocess.run([*IMI[:1], "-c", f"open({str(folder / 'probe')!r}, 'w')"], capture_output=True,
                                   timeout=30, preexec_fn=_as_plain_user if self.plain_user else None)
        except subprocess.SubprocessError as exc:  # no CAP_SETPCAP to drop capabilities with
            pytest.skip(f"cannot run a process without root's file permissions here: {exc}")
        return probe.returncode == 0


@pytest.fixture
def memory(project):
    """A project with a goal, a claimed task, a decision and a note; returns (project, ids)."""
    project.file("src/app.py", "print('hi')\n")
    ids = {"goal": project.new("goal", "ship it")}
    ids["task"] = project.new("task", ids["goal"], "claimed task", "--files", "src/app.py")
    ids["todo"] = project.new("task", ids["goal"], "open task")
    project.ok("start", ids["task"], "--agent", "claude-1")
    ids["decision"] = project.new("decide", "use WAL", "readers never block", "--files", "src/app.py")
    ids["note"] = project.new("log", "remember the read-only case")
    return project, ids


def _chmod_tree(folder: Path, writable: bool) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | 0o200 if writable else mode & ~0o222)


@pytest.fixture
def read_only_bits(memory):
    """`.imi/` and everything in it without write permission; the CLI runs as a plain user."""
    project, ids = memory
    imi = project.root / ".imi"
    _chmod_tree(imi, writable=False)
    try:
        runner = Runner(project, plain_user=True)
        assert not runner.can_create_in(imi), "the permission bits are not enforced: the test would prove nothing"
        yield project, ids, runner
    finally:
        _chmod_tree(imi, writable=True)


@pytest.fixture
def read_only_mount(memory):
    """`.imi/` bind-mounted read-only onto itself (needs root; skipped elsewhere)."""
    project, ids = memory
    imi = str(project.root / ".imi")
    bound = subprocess.run(["mount", "--bind", imi, imi], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root): {bound.stderr.strip()}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,bind,ro", imi], capture_output=True, text=True)
        assert remount.returncode == 0, remount.stderr
        runner = Runner(project, plain_user=False)
        assert not runner.can_create_in(Path(imi)), "the mount is not read-only"
        yield project, ids, runner
    finally:
        subprocess.run(["umount", "-l", imi], capture_output=True)


@pytest.fixture
def read_only_records(memory):
    """Only `.imi/records/` read-only: the database could be written, the text cannot."""
    project, ids = memory
    records = project.root / ".imi" / "records"
    _chmod_tree(records, writable=False)
    try:
        runner = Runner(project, plain_user=True)
        assert not runner.can_create_in(records / "notes")
        yield project, ids, runner
    finally:
        _chmod_tree(records, writable=True)


def _writes(ids, heartbeat: bool = True) -> list[tuple]:
    return [("ping", ids["task"], "--agent", "claude-1")] * heartbeat + [("log", "a new note"), ("goal", "another goal"), ("task", ids["goal"], "another task"),
            ("decide", "x", "y"), ("lesson", "l", "--correct-behavior", "c"), ("start", ids["todo"]),
            ("next",), ("complete", ids["task"], "done", "--agent", "claude-1"),
            ("checkpoint", ids["task"], "half", "--agent", "claude-1"), ("archive", ids["note"]), ("delete", ids["decision"], "--yes"),
            ("memory", "add", ids["goal"], "k", "v")]


def _reads(ids) -> list[tuple]:
    return [("context",), ("context", "--file", "src/app.py"), ("plan",), ("status",), ("search", "remember"),
            ("show", ids["task"]), ("show", ids["decision"]), ("ready",), ("export",), ("check",)]


def _assert_writes_fail_and_reads_work(project, ids, run, expect: str, heartbeat: bool = True) -> None:
    expected_reads = {args: project.sub(*args, "--json") for args in _reads(ids) if args[0] != "export"}
    before = (checksum_anyhow(project.db), [p.name for p in all_version_files(project.root)])
    for args in _writes(ids, heartbeat):
        result = run(*args)
        assert_clean_failure(result)
        assert expect in result.err and "nothing was written" in result.err, str(result)
        assert (checksum_anyhow(project.db), [p.name for p in all_version_files(project.root)]) == before, str(result)
        assert not leftover_tmp(project.root), str(result)
    for args in _reads(ids):
        result = run(*args)
        assert result.code == 0 and result.err == "", str(result)
        if args in expected_reads:  # the same answer as before the folder became read-only
            again = run(*args, "--json")
            assert again.code == 0, str(again)
            assert _stable(again.json()) == _stable(expected_reads[args].json()), args
    assert "remember the read-only case" in run("context").out
    assert ids["note"] in run("search", "remember").out


def _stable(value):
    """JSON without the parts that move with the clock (ages, lease state)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("age", "ago", "stale", "heartbeat_ago")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_permission_bits(read_only_bits):
    project, ids, run = read_only_bits
    _assert_writes_fail_and_reads_work(project, ids, run, "read-only")
    assert_clean_failure(run("sync"))


def test_read_only_mount(read_only_mount):
    project, ids, run = read_only_mount
    _assert_writes_fail_and_reads_work(project, ids, run, "read-only")


def test_only_the_records_folder_is_read_only(read_only_records):
    project, ids, run = read_only_records
    # A heartbeat stays in the database (docs/team.md), so `ping` still works here.
    _assert_writes_fail_and_reads_work(project, ids, run, "ermission denied", heartbeat=False)
    assert run("ping", ids["task"], "--agent", "claude-1").code == 0


def test_read_only_with_a_write_ahead_log_left_by_a_killed_writer(memory):
    """A writer killed with its transaction committed to the WAL but not yet checkpointed leaves
    `state.db-wal` and `-shm`; a read-only folder must still show what it committed."""
    project, ids = memory
    holder = subprocess.Popen(
        [*IMI[:1], "-c", "import time\nfrom imi_cli.memory import recording\nfrom imi_cli.memory.opening import open_store\n"
         "s = open_store()\nprint(recording.add_note(s, recording.provenance(s, 'late'), 'committed just before the kill'),"
         " flush=True)\ntime.sleep(60)\n"],
        cwd=project.root, env=project.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    note = holder.stdout.readline().strip().decode()
    assert note, holder.stderr.read()
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    wal = project.db.with_name("state.db-wal")
    assert wal.exists() and wal.stat().st_size > 0
    imi = project.root / ".imi"
    _chmod_tree(imi, writable=False)
    try:
        run = Runner(project, plain_user=True)
        result = run("show", note, "--json")
        assert result.code == 0 and result.json()["content"] == "committed just before the kill", str(result)
        assert note in run("search", "committed just before", "--json").out
        assert run("context").code == 0
        failed = run("log", "x")
        assert_clean_failure(failed)
        assert "read-only" in failed.err
    finally:
        _chmod_tree(imi, writable=True)
    hits = json.loads(project.sub("search", "committed just before", "--json").out)["results"]
    assert [hit["id"] for hit in hits].count(note) == 1
