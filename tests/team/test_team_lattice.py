"""Merges never undo finished work: a task's status merges as a lattice (done beats a concurrent claim
or todo), its summary stays, and concurrent claims of one task are reported. Worktrees are their own
project. Real clones, real pushes and pulls, git hooks running the real `imi`."""

from __future__ import annotations

import json

import pytest

from imi_cli.memory import hlc
from team_git import Clone, assert_rebuild_matches


@pytest.fixture(params=["flat", "sharded"])
def layout(request) -> str:
    """Every test here holds on the flat layout and on the sharded one (issue 20)."""
    return request.param


def _shared_task(team):
    alice, bob = team("alice"), team("bob")
    goal = alice.new("goal", "shared goal")
    task = alice.new("task", goal, "shared task")
    alice.commit("shared")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    return alice, bob, task


def test_a_task_completed_in_one_clone_and_claimed_later_in_another_stays_done(team):
    alice, bob, task = _shared_task(team)
    alice.imi("start", task)
    alice.imi("checkpoint", task, "half way: parser done")
    alice.imi("complete", task, "finished with a table-driven lexer")
    alice.commit("alice finishes")
    alice.git("push", "-q")
    bob.imi("start", task)  # bob has not pulled: the task is todo for him; his claim is the newer version
    bob.commit("bob claims")

    pulled = bob.git("pull", "-q", "--no-edit")
    combined = pulled.stdout + pulled.stderr + bob.sub("sync").out
    assert bob.sqlite("SELECT status, summary FROM tasks WHERE id = ?", (task,)) == [
        ("done", "finished with a table-driven lexer")]
    context = bob.sub("context").out
    assert "finished with a table-driven lexer" in context
    assert "half way: parser done" in bob.sub("show", task).out
    assert "claimed" in combined and "alice" in combined and "bob" in combined  # the race is reported
    assert_rebuild_matches(bob)

    bob.git("push", "-q")
    alice.git("pull", "-q")
    assert alice.sqlite("SELECT status FROM tasks WHERE id = ?", (task,)) == [("done",)]


def test_concurrent_claims_of_one_task_are_reported_by_sync(team):
    alice, bob, task = _shared_task(team)
    alice.imi("start", task)
    alice.commit("alice claims")
    alice.git("push", "-q")
    bob.imi("start", task)
    bob.commit("bob claims")
    bob.git("-c", "core.hooksPath=/nonexistent", "pull", "-q", "--no-edit")  # no hooks: a GUI client, say
    report = bob.sub("sync")
    assert report.code == 0
    lines = [line for line in report.out.splitlines() if task in line and "claimed" in line]
    assert lines and "alice" in lines[0] and "bob" in lines[0], report.out
    assert bob.sub("--json", "sync").json()["concurrent_claims"] == []  # reported once

    carol = team("carol")  # a third clone claims too; its pull runs the hooks, which report at once
    carol.git("reset", "-q", "--hard", "HEAD~1")
    carol.imi("sync")
    carol.imi("start", task)
    carol.commit("carol claims")
    pulled = carol.git("pull", "-q", "--no-edit", "origin", "main")
    assert "claimed in two clones" in pulled.stdout + pulled.stderr


def test_a_reopen_after_seeing_the_completion_holds(team):
    alice, bob, task = _shared_task(team)
    alice.imi("start", task)
    alice.imi("complete", task, "done once")
    alice.commit("done")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    _reopen(bob, task)  # a real reopen: made after seeing the completion
    bob.commit("reopened")
    bob.git("push", "-q")
    alice.git("pull", "-q")
    assert alice.sqlite("SELECT status FROM tasks WHERE id = ?", (task,)) == [("todo",)]
    assert bob.sqlite("SELECT status FROM tasks WHERE id = ?", (task,)) == [("todo",)]


def _reopen(clone: Clone, task: str) -> None:
    """Write a version of the task, based on its done version, that puts it back to todo (what a
    teammate's reopening brings through git), then let imi take it in."""
    newest = max((clone.root / ".imi" / "records" / "tasks").rglob(f"{task}.*.json"), key=lambda p: p.name)
    folder = newest.parent  # flat or sharded: the next version goes beside it
    payload = json.loads(newest.read_text())
    assert payload["record"]["status"] == "done"
    ms, _, node = hlc.parse(payload["hlc"])
    stamp = hlc.format_stamp(ms + 1, 0, node)  # later on the same clock
    payload.update(base=payload["hlc"], hlc=stamp, agent=clone.name)
    payload["record"].update(status="todo", completed_at=None)
    (folder / f"{task}.{stamp}.json").write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    clone.imi("sync")
    assert clone.sqlite("SELECT status FROM tasks WHERE id = ?", (task,)) == [("todo",)]


def _worktree_memory(main: Clone, worktree_path, git_env) -> None:
    main.git("worktree", "add", "-q", "-b", "wt", str(worktree_path))
    tree = Clone(worktree_path, git_env, "wt-agent")
    before = main.snapshot()
    early = tree.sub("decide", "decided before init", "x")  # refused or kept here: never in the other checkout
    assert early.code != 0 or (worktree_path / ".imi" / "state.db").is_file(), str(early)
    tree.imi("init")
    tree.imi("decide", "decided in the worktree", "its own branch")
    decisions = [p for p in tree.version_files() if p.startswith("decisions/")]
    assert any("decided in the worktree" in (worktree_path / ".imi" / "records" / p).read_text() for p in decisions)
    assert main.snapshot() == before
    assert not [f for f in main.version_files() if f.startswith("decisions/")]
    assert "decided in the worktree" not in main.sub("search", "decided").out
    tree.commit("worktree memory")
    assert main.git("status", "--porcelain", "--", ".imi").stdout == ""


def test_a_worktree_inside_the_repository_is_its_own_project(team, git_env):
    alice = team("alice")
    _worktree_memory(alice, alice.root / "trees" / "wt", git_env)


def test_a_worktree_outside_the_repository_is_its_own_project(team, git_env, tmp_path):
    alice = team("alice")
    _worktree_memory(alice, tmp_path / "elsewhere", git_env)
