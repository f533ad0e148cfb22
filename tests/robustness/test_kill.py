"""Writers killed with SIGKILL at random moments, hundreds of times: the database stays sound, every
write that returned success is there (in the database and as a version file), no half-written
version file is ever read, and the database and the text agree after the next command.

The random kills hit writers forked from a process that has imported the CLI already
(fork_writer.py), so they land in opening, writing, the version files or the commit rather than
in Python's start-up; the moments that matter most are also hit on purpose, with real processes."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from imi_testing import IMI
from robust_helpers import (LOCK_WORDS, all_version_files, assert_text_matches_db, db_has, integrity,
                            leftover_tmp, seed, version_files)

WRITERS = 4
FORK_WRITER = Path(__file__).with_name("fork_writer.py")


class Killer:
    """Runs writers and kills most of them part way; journals what the survivors acknowledged."""

    def __init__(self, project, goals: list[str], kills: int, seed_value: int = 1):
        self.project = project
        self.goals = goals
        self.target = kills
        self.kills = 0
        self.survived = 0
        self.acknowledged: list[tuple[str, str, tuple]] = []  # (kind, id, args)
        self.completed: set[str] = set()
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.seed = seed_value
        self.durations: list[float] = []  # how long writers that were not killed took

    def typical(self) -> float:
        """The median time a writer takes (of the recent ones left alone), to aim the kills."""
        with self.lock:
            recent = sorted(self.durations[-21:])
        return recent[len(recent) // 2] if recent else 0.05

    def _line(self, rng: random.Random, held: list[str]) -> tuple[tuple, str | None]:
        """A write command, and the task it finishes (if any)."""
        if held and rng.random() < 0.5:
            task = rng.choice(held)
            verb = rng.choice(["complete", "complete", "fail", "checkpoint"])
            return (verb, task, f"{verb} of {task} " + "words " * rng.randint(1, 400)), task
        goal = rng.choice(self.goals)
        body = "text " * rng.randint(1, 2000)  # sometimes big, so a kill can land mid-write
        return rng.choice([
            ("next",), ("next",), ("log", f"note {body}"), ("task", goal, f"new task {rng.random()}", body),
            ("decide", f"decision {rng.random()}", body), ("goal", f"goal {rng.random()}", body),
            ("lesson", f"lesson {rng.random()}", "--correct-behavior", body), ("memory", "add", goal, "key", body),
        ]), None

    def _worker(self, index: int) -> None:
        rng = random.Random(self.seed * 100 + index)
        agent = f"writer-{index}"
        scratch = self.project.root.parent / f"fork-{index}"
        scratch.mkdir()
        server = subprocess.Popen([sys.executable, str(FORK_WRITER), str(scratch)], cwd=self.project.root,
                                  env=self.project.process_env({"IMI_AGENT_ID": agent}), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert json.loads(server.stdout.readline()) == {"ready": True}
            self._write_and_kill(server, rng, agent)
        finally:
            server.stdin.close()
            server.wait(timeout=60)

    def _write_and_kill(self, server: subprocess.Popen, rng: random.Random, agent: str) -> None:
        held: list[str] = []
        for number in itertools.count():
            with self.lock:
                if self.kills >= self.target:
                    return
            args, finishing = self._line(rng, held)
            server.stdin.write(json.dumps({"argv": [*args, "--json"]}) + "\n")
            server.stdin.flush()
            pid = json.loads(server.stdout.readline())["pid"]
            began = time.monotonic()
            if number % 5:
                time.sleep(rng.uniform(0.0, 1.2) * self.typical())
                try:
                    os.kill(pid, signal.SIGKILL)  # the server has not reaped it yet: the pid is still its child
                except ProcessLookupError:
                    pass
            ended = json.loads(server.stdout.readline())
            with self.lock:
                if not number % 5:  # every fifth writer runs to the end: how long writers take now
                    self.durations.append(time.monotonic() - began)
                if ended["code"] == -signal.SIGKILL:
                    self.kills += 1
                    if finishing and args[0] in ("complete", "fail"):
                        held.remove(finishing)  # it may or may not have happened: do not rely on either
                    continue
                self.survived += 1
                self._record(agent, args, ended["code"], ended["out"], ended["err"], held, finishing)

    def _record(self, agent, args, code, out, err, held, finishing) -> None:
        if any(word in err for word in LOCK_WORDS) or "Traceback" in err or "internal error" in err:
            self.failures.append(f"{agent} {args[:2]} -> {code}: {err.strip()}")
            return
        if code != 0:
            self.failures.append(f"{agent} {args[:2]} -> {code}: {err.strip()}")
            return
        data = json.loads(out)
        verb = args[0]
        if verb == "next":
            if data.get("id"):
                held.append(data["id"])
                self.acknowledged.append(("task", data["id"], args))
            return
        kind = {"log": "note", "task": "task", "decide": "decision", "goal": "goal", "lesson": "lesson",
                "memory": "memory", "checkpoint": "memory", "complete": "task", "fail": "task"}[verb]
        self.acknowledged.append((kind, data["id"], args))
        if verb == "complete":
            self.completed.add(data["id"])
        if verb in ("complete", "fail"):
            held.remove(finishing)

    def run(self) -> None:
        threads = [threading.Thread(target=self._worker, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _kill_many(project, kills: int) -> Killer:
    goals = list(seed(project, goals=3, tasks_per_goal=40))
    killer = Killer(project, goals, kills)
    killer.run()
    assert killer.kills >= kills
    assert not killer.failures, "\n".join(killer.failures[:10])
    assert killer.survived >= 10, f"only {killer.survived} writers finished: the kills hit nothing but startup"

    # The next command brings the database and the text in step, whatever the kills left behind.
    status = project.sub("status")
    assert status.code == 0 and status.err == "", str(status)
    assert integrity(project.db) == "ok"
    for kind, record_id, args in killer.acknowledged:
        assert db_has(project, kind, record_id), f"acknowledged `imi {args[0]}` lost {kind} {record_id}"
        assert version_files(project.root, kind, record_id), f"acknowledged {kind} {record_id} has no version file"
    for task in killer.completed:
        assert project.sql("SELECT status FROM tasks WHERE id = ?", (task,))[0][0] == "done"
    assert_text_matches_db(project)  # also: every file under a version's name is whole JSON
    print(f"{killer.kills} kills, {killer.survived} writers finished, {len(killer.acknowledged)} writes "
          f"acknowledged, {len(leftover_tmp(project.root))} .tmp files left by killed writers")
    return killer


def test_two_hundred_kills_lose_no_acknowledged_write(project):
    _kill_many(project, 200)


@pytest.mark.slow
def test_a_thousand_kills_lose_no_acknowledged_write(project):
    _kill_many(project, 1000)


def test_leftover_tmp_and_torn_files_are_never_read_as_records(project):
    """What a killed writer or a bad merge can leave in `.imi/records/`: a half-written temporary
    file, and a torn file under a version's name. Neither becomes a record; every command still works."""
    goal = project.new("goal", "G")
    before = all_version_files(project.root)
    good = version_files(project.root, "goal", goal)[0]
    text = good.read_text()
    tasks = project.root / ".imi" / "records" / "tasks"
    tasks.mkdir(exist_ok=True)
    (tasks / f".{good.name}.4242.tmp").write_text(text[: len(text) // 2])
    stamp = good.name.split(".")[1]
    torn = tasks / f"mwzzzzzzzzzzzzzz.{stamp}.json"
    torn.write_text(text.replace(goal, "mwzzzzzzzzzzzzzz")[: len(text) // 2])
    for args in (["status"], ["context"], ["plan"], ["search", "G"], ["show", goal], ["log", "still fine"]):
        result = project.sub(*args)
        assert result.code == 0 and "Traceback" not in result.err, str(result)
    synced = project.sub("sync", "--json")
    assert synced.code == 0, str(synced)
    assert synced.json()["skipped_files"] == ["tasks/" + torn.name]
    assert not db_has(project, "task", "mwzzzzzzzzzzzzzz")
    assert project.sql("SELECT count(*) FROM tasks")[0][0] == 0
    torn.unlink()
    assert len(all_version_files(project.root)) == len(before) + 1  # the note
    assert_text_matches_db(project)
    rebuilt = project.sub("rebuild")
    assert rebuilt.code == 0, str(rebuilt)
    assert (tasks / f".{good.name}.4242.tmp").exists()  # ignored, not deleted: it is not ours to judge


def test_a_killed_writer_leaves_no_lock_behind(project):
    """SIGKILL while holding the write lock: the next writer gets it at once (no 30 s busy wait)."""
    goal = project.new("goal", "G")
    # A process that takes the write lock through the data layer and is killed while holding it.
    holder = subprocess.Popen(
        [*IMI[:1], "-c", "import sys, time\nfrom imi_cli.memory.opening import open_store\n"
         "s = open_store()\nwith s.write():\n    s.execute(\"UPDATE goals SET name = 'x'\")\n"
         "    print('held', flush=True)\n    time.sleep(60)\n"],
        cwd=project.root, env=project.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert holder.stdout.readline().strip() == b"held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    began = time.monotonic()
    result = project.sub("log", "after the kill")
    assert result.code == 0, str(result)
    assert time.monotonic() - began < 5
    assert project.json("show", goal)["name"] == "G"  # the killed transaction left nothing
    assert integrity(project.db) == "ok"


_OPENED_EARLY = """
import sys
from imi_cli.memory import recording
from imi_cli.memory.opening import open_store
store = open_store()
prov = recording.provenance(store, "early")
print("open", flush=True)
sys.stdin.readline()
print(recording.add_note(store, prov, "written by the process that opened early"), flush=True)
"""

_DIES_BEFORE_COMMIT = """
import time
from imi_cli.memory import recording
from imi_cli.memory.opening import open_store
store = open_store()
write_files = store.before_commit
def then_hang(store, touched):
    written = write_files(store, touched)
    print("written", flush=True)
    time.sleep(60)
store.before_commit = then_hang
recording.add_note(store, recording.provenance(store, "doomed"), "written by the process killed before its commit")
"""


def test_a_version_file_left_by_a_killed_writer_reaches_the_database(project):
    """A writer killed between writing its version file and committing leaves a file the database
    lacks. A process that opened the project before that (another agent waiting for the write
    lock, a language server) and writes next must still bring the database in step with the text."""
    project.ok("log", "first")
    early = subprocess.Popen([*IMI[:1], "-c", _OPENED_EARLY], cwd=project.root, env=project.process_env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    doomed = None
    try:
        assert early.stdout.readline().strip() == b"open", early.stderr.read()
        doomed = subprocess.Popen([*IMI[:1], "-c", _DIES_BEFORE_COMMIT], cwd=project.root,
                                  env=project.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert doomed.stdout.readline().strip() == b"written", doomed.stderr.read()
        doomed.kill()
        doomed.wait(timeout=10)
        early.stdin.write(b"go\n")
        early.stdin.flush()
        out, err = early.communicate(timeout=60)
        assert early.returncode == 0, err
    finally:
        for proc in (early, doomed):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
    status = project.sub("status")
    assert status.code == 0, str(status)
    assert_text_matches_db(project)
    assert {row[0] for row in project.sql("SELECT content FROM direction_notes")} == {
        "first", "written by the process that opened early", "written by the process killed before its commit"}
