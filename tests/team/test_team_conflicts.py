"""The same record changed on two branches: one deterministic winner everywhere, the other kept in history;
a deletion never wins over an edit it did not see."""

from __future__ import annotations

import time

import pytest

from team_git import assert_rebuild_matches, same_records


@pytest.fixture(params=["flat", "sharded"])
def layout(request) -> str:
    """Every test here holds on the flat layout and on the sharded one (issue 20)."""
    return request.param


def _two_sides(team):
    """alice and bob share a goal and a task, then each goes their own way (bob on origin/bob)."""
    alice, bob = team("alice"), team("bob")
    goal = alice.new("goal", "shared goal")
    task = alice.new("task", goal, "shared task")
    decision = alice.new("decide", "shared decision", "why")
    alice.commit("shared")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    assert {goal, task, decision} <= set(bob.texts())
    return alice, bob, {"goal": goal, "task": task, "decision": decision}


def _merge_both_ways(team, alice, bob):
    """alice merges bob's branch, bob merges alice's, carol rebases bob's work onto alice's: every
    clone ends with the same version files. Returns what git printed for each (hooks included)."""
    alice.git("push", "-q", "origin", "main")
    bob.git("push", "-q", "origin", "main:bob")
    out = {}
    pulled = alice.git("pull", "--no-edit", "origin", "bob")
    out["alice"] = pulled.stdout + pulled.stderr
    pulled = bob.git("pull", "--no-edit", "origin", "main")
    out["bob"] = pulled.stdout + pulled.stderr
    carol = team("carol")
    carol.git("fetch", "-q", "origin")
    carol.git("checkout", "-q", "-b", "bob", "origin/bob")
    rebased = carol.git("rebase", "origin/main")
    out["carol"] = rebased.stdout + rebased.stderr
    for clone in (alice, bob, carol):
        clone.assert_clean_git()
    assert alice.version_files() == bob.version_files() == carol.version_files()
    return carol, out


def _task_row(clone, task_id):
    return clone.sqlite("SELECT status, archived_at, summary FROM tasks WHERE id = ?", (task_id,))


def test_a_record_edited_on_both_sides_has_one_winner_in_every_clone(team):
    alice, bob, ids = _two_sides(team)
    task = ids["task"]
    bob.imi("start", task)
    bob.imi("complete", task, "bob finished it")
    time.sleep(0.01)  # alice's change is the newer one
    alice.imi("archive", task)
    alice.commit("alice archives")
    bob.commit("bob completes")

    carol, printed = _merge_both_ways(team, alice, bob)

    rows = [_task_row(c, task) for c in (alice, bob, carol)]
    assert rows[0] == rows[1] == rows[2]
    status, archived_at, summary = rows[0][0]
    # finished work is never undone by a change made without seeing it: bob's completion holds
    # although alice's archiving is newer (docs/team.md, "Finished work wins")
    assert (status, summary) == ("done", "bob finished it") and archived_at is None
    same_records(alice, bob, carol)
    # bob's edit is kept in the record's history, in every clone
    for clone in (alice, bob, carol):
        versions = clone.json("show", task)["versions"]
        assert {v["agent"] for v in versions} >= {"alice", "bob"}
        assert len(versions) == 4  # created, bob started, bob completed, alice archived
    # the git hook that ran the sync reported the conflict, naming both sides
    for name in ("alice", "bob"):
        assert f"task {task} was changed on both sides" in printed[name], printed[name]
        assert "by bob" in printed[name] and "by alice" in printed[name], printed[name]
    for clone in (alice, bob, carol):
        assert_rebuild_matches(clone)


def test_imi_sync_reports_a_conflict_that_git_brought_in_without_hooks(team):
    alice, bob, ids = _two_sides(team)
    bob.imi("start", ids["task"])
    bob.commit("bob starts")
    bob.git("push", "-q", "origin", "main:bob")
    time.sleep(0.01)
    alice.imi("archive", ids["task"])
    alice.commit("alice archives")
    alice.git("-c", "core.hooksPath=/dev/null", "pull", "-q", "--no-edit", "origin", "bob")  # a client that skips hooks
    report = alice.imi("sync")
    assert report.out.startswith("Read 3 new versions (0 gone); 3 records updated"), report.out  # task, goal, memory
    assert f"task {ids['task']} was changed on both sides" in report.out, report.out
    assert "by alice" in report.out and "by bob" in report.out
    assert alice.json("sync")["conflicts"] == []  # reported once, when it arrived


@pytest.mark.parametrize("delete_first", [True, False], ids=["delete-then-edit", "edit-then-delete"])
def test_a_delete_racing_an_edit_loses_to_the_edit(team, delete_first):
    alice, bob, ids = _two_sides(team)
    task, decision = ids["task"], ids["decision"]

    def delete():
        alice.imi("delete", task)
        alice.imi("delete", decision)

    def edit():
        bob.imi("start", task)
        bob.imi("complete", task, "bob's work survives")
        bob.imi("archive", decision)

    first, second = (delete, edit) if delete_first else (edit, delete)
    first()
    time.sleep(0.01)
    second()
    alice.commit("alice deletes")
    bob.commit("bob edits")
    carol, _ = _merge_both_ways(team, alice, bob)

    for clone in (alice, bob, carol):
        assert _task_row(clone, task) == [("done", None, "bob's work survives")], clone.name
        assert clone.sqlite("SELECT archived_at IS NOT NULL FROM decisions WHERE id = ?", (decision,)) == [(1,)]
        assert_rebuild_matches(clone)
    same_records(alice, bob, carol)


def test_a_delete_with_no_concurrent_edit_stays_deleted_everywhere(team):
    alice, bob, ids = _two_sides(team)
    alice.imi("delete", ids["task"])
    alice.imi("delete", ids["decision"])
    alice.commit("cleanup")
    alice.git("push", "-q")
    bob.new("log", "bob's unrelated note")
    bob.commit("bob's note")
    bob.git("pull", "-q", "--no-edit")  # the hook applies the tombstones: checked with sqlite
    carol = team("carol", init=False)
    carol.imi("init")
    for clone in (alice, bob, carol):
        ids_here = set(clone.texts())
        assert ids["task"] not in ids_here and ids["decision"] not in ids_here, clone.name
        assert ids["goal"] in ids_here
    bob.git("push", "-q")
    alice.git("pull", "-q")
    for clone in (alice, bob):
        assert_rebuild_matches(clone)
        assert ids["task"] not in set(clone.texts())
    assert carol.json("show", ids["goal"])["id"] == ids["goal"]


def test_links_to_records_that_arrive_later_are_restored(team):
    """A task cherry-picked without its goal (or its blocker) points at it once the goal arrives."""
    alice = team("alice")
    alice.git("checkout", "-q", "-b", "side")
    goal = alice.new("goal", "goal committed first")
    blocker = alice.new("task", goal, "blocker committed first")
    alice.commit("goal and blocker")
    task = alice.new("task", goal, "task committed second", "--blocked-by", blocker)
    memory = alice.new("memory", "add", goal, "key", "a learning on the goal")
    alice.commit("task and memory")
    picked = alice.git("rev-parse", "HEAD").stdout.strip()
    alice.git("checkout", "-q", "main")
    alice.git("cherry-pick", picked)
    alice.imi("status")  # catches up (no hook runs for a cherry-pick)
    assert task in alice.texts() and goal not in alice.texts()
    alice.git("merge", "-q", "--no-edit", "side")
    assert alice.sqlite("SELECT goal_id FROM tasks WHERE id = ?", (task,)) == [(goal,)]
    assert alice.sqlite("SELECT blocked_by FROM task_deps WHERE task_id = ?", (task,)) == [(blocker,)]
    assert alice.sqlite("SELECT goal_id FROM memories WHERE id = ?", (memory,)) == [(goal,)]
    assert_rebuild_matches(alice)
