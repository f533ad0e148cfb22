"""Claiming and finishing work: start, next, ping, checkpoint, complete, fail, ready, dependencies."""

from __future__ import annotations

import pytest

A1 = {"IMI_AGENT_ID": "agent-1"}
A2 = {"IMI_AGENT_ID": "agent-2"}


@pytest.fixture
def goal(project) -> str:
    return project.new("goal", "Ship it", "", "high", "", "", "it ships")


def test_start_claims_a_task_for_the_agent(project, goal):
    task = project.new("task", goal, "Refresh tokens", "--why", "avoid 401s", "--acceptance-criteria", "tests pass")
    text = project.ok("start", task, env=A1).out
    assert text.startswith(f"Started task {task}: Refresh tokens")
    assert "why: avoid 401s" in text and "acceptance: tests pass" in text
    shown = project.json("show", task)
    assert (shown["status"], shown["claimant"]) == ("in_progress", "agent-1")
    assert shown["claimed_at"] and shown["last_ping_at"]
    assert [h["key"] for h in shown["history"]] == ["task_started"]
    assert project.json("show", goal)["status"] == "ongoing"


def test_start_by_prefix_and_restart_by_the_holder(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task[:13], env=A1)
    again = project.json("start", task, env=A1)
    assert again["already_held"] is True and again["claimant"] == "agent-1"


def test_a_live_claim_is_exclusive(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    refused = project.fail("start", task, env=A2)
    assert "claimed by agent-1" in refused.err and "--force" in refused.err
    forced = project.json("start", task, "--force", env=A2)
    assert forced["claimant"] == "agent-2" and forced["taken_over_from"] == "agent-1"
    assert "task_takeover" in [h["key"] for h in project.json("show", task)["history"]]


def test_ping_and_checkpoint(project, goal):
    task = project.new("task", goal, "t")
    project.fail("ping", task, env=A1)  # not started
    project.ok("start", task, env=A1)
    project.sql("UPDATE tasks SET last_ping_at = 1000 WHERE id = ?", (task,))
    pinged = project.json("ping", task, env=A1)
    assert not pinged["last_ping_at"].startswith("1970")
    assert not project.json("show", task)["last_ping_at"].startswith("1970")
    assert "claimed by agent-1" in project.fail("ping", task, env=A2).err

    saved = project.json("checkpoint", task, "mutex added, tests pending", env=A1)
    assert (saved["key"], saved["value"], saved["task_id"]) == ("checkpoint", "mutex added, tests pending", task)
    context = project.ok("context").out
    assert "last checkpoint: mutex added, tests pending" in context
    project.fail("checkpoint", task, "   ", env=A1, code=2)


def test_complete_with_interpretation_uncertainty_outcome(project, goal):
    task = project.new("task", goal, "Refresh tokens", "--acceptance-criteria", "tests pass")
    project.ok("start", task, env=A1)
    done = project.json("complete", task, "refresh 60 s early", "--interpretation", "proactive refresh",
                        "--uncertainty", "clock skew", "--outcome", "tests/auth pass", env=A1)
    assert (done["status"], done["summary"], done["claimant"]) == ("done", "refresh 60 s early", "agent-1")
    assert done["completed_at"]
    history = {h["key"]: h["value"] for h in project.json("show", task)["history"]}
    assert history["completion_summary"] == "refresh 60 s early"
    assert history["interpretation"] == "proactive refresh"
    assert history["uncertainty"] == "clock skew"
    assert history["outcome"] == "tests/auth pass"
    prior = project.ok("context").out.split("## Prior work", 1)[1]
    assert "refresh 60 s early" in prior and "uncertainty: clock skew" in prior
    assert project.json("show", goal)["status"] == "done"  # its only task is done


def test_only_the_claimant_completes_or_fails_unless_forced(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    assert "only the claimant" in project.fail("complete", task, "mine now", env=A2).err
    assert "only the claimant" in project.fail("fail", task, "giving up", env=A2).err
    done = project.json("complete", task, "finished for them", "--force", env=A2)
    assert done["status"] == "done" and done["claimant"] == "agent-1"


def test_completing_twice_is_refused(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    project.ok("complete", task, "done", env=A1)
    refused = project.fail("complete", task, "again", env=A1)
    assert "already completed" in refused.err
    project.fail("complete", task, "again", "--force", env=A2)
    project.fail("start", task, env=A2)
    project.fail("fail", task, "too late", env=A1)


def test_complete_needs_a_summary(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    project.fail("complete", task, "  ", env=A1, code=2)
    project.fail("complete", task, env=A1, code=2)


def test_fail_gives_the_task_back_with_the_reason(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    released = project.json("fail", task, "blocked on credentials", env=A1)
    assert (released["status"], released["claimant"]) == ("todo", None)
    history = project.json("show", task)["history"]
    assert history[0]["key"] == "task_failed" and history[0]["value"] == "blocked on credentials"
    assert project.json("next", env=A2)["id"] == task


def test_next_claims_the_most_urgent_ready_task(project, goal):
    low = project.new("task", goal, "low", "", "low")
    critical = project.new("task", goal, "critical", "", "0")
    high = project.new("task", goal, "high", "", "high")
    assert [t["id"] for t in project.json("ready")["tasks"]] == [critical, high, low]
    assert project.json("next", env=A1)["id"] == critical
    assert project.json("next", env=A2)["id"] == high
    assert project.json("next", env=A1)["id"] == low
    assert project.json("next", env=A1) == {"task": None}
    assert "No ready tasks" in project.ok("next", env=A1).out


def test_next_within_a_goal(project, goal):
    other = project.new("goal", "Other")
    project.new("task", goal, "urgent elsewhere", "", "critical")
    mine = project.new("task", other, "mine", "", "low")
    assert project.json("next", other, env=A1)["id"] == mine
    assert project.json("ready", other)["tasks"] == []


def test_dependencies_ready_and_next(project, goal):
    first = project.new("task", goal, "first", "", "low")
    second = project.new("task", goal, "second", "", "critical", "--blocked-by", first)
    third = project.new("task", goal, "third", "", "critical", "--blocked-by", f"{first},{second}")
    assert [t["id"] for t in project.json("ready")["tasks"]] == [first]
    assert "blocked by" in project.ok("plan").out

    refused = project.fail("start", second, env=A1)
    assert "blocked by" in refused.err and first in refused.err
    assert project.json("next", env=A1)["id"] == first  # not the critical, blocked ones
    assert project.json("next", env=A2) == {"task": None}
    project.ok("complete", first, "done", env=A1)
    assert [t["id"] for t in project.json("ready")["tasks"]] == [second]
    assert project.json("next", env=A2)["id"] == second
    project.ok("complete", second, "done", env=A2)
    assert project.json("next", env=A1)["id"] == third


def test_the_ready_count_in_status_matches_the_ready_list(project, goal):
    """status counts ready tasks without listing them: the same number `imi ready` lists, whether a
    blocker is open, done, archived, or blocks several tasks."""
    first = project.new("task", goal, "first")
    second = project.new("task", goal, "second", "--blocked-by", first)
    project.new("task", goal, "third", "--blocked-by", f"{first},{second}")
    gone = project.new("task", goal, "gone")
    project.new("task", goal, "fourth", "--blocked-by", gone)
    project.ok("archive", gone)

    def agree():
        listed = len(project.json("ready", "--limit", "100")["tasks"])
        assert project.json("status")["ready"] == listed
        return listed

    assert agree() == 2  # first, and fourth (its blocker is archived)
    project.ok("complete", first, "done", env=A1)
    assert agree() == 2  # second, fourth
    project.ok("archive", second)
    assert agree() == 2  # third (its blockers are done or archived), fourth


def test_start_force_ignores_blockers(project, goal):
    first = project.new("task", goal, "first")
    second = project.new("task", goal, "second", "--blocked-by", first)
    assert project.json("start", second, "--force", env=A1)["status"] == "in_progress"


def test_archived_tasks_are_not_handed_out(project, goal):
    task = project.new("task", goal, "t")
    project.ok("archive", task)
    assert project.json("next", env=A1) == {"task": None}
    assert "archived" in project.fail("start", task, env=A1).err


def test_unknown_task_ids_are_clear_errors(project, goal):
    for command in (["start", "zzzz"], ["ping", "zzzz"], ["checkpoint", "zzzz", "n"], ["complete", "zzzz", "s"],
                    ["fail", "zzzz", "r"], ["next", "zzzz"], ["ready", "zzzz"]):
        result = project.fail(*command, env=A1)
        assert "zzzz" in result.err
    project.fail("start", goal, env=A1)  # a goal id is not a task id


def test_stale_claim_is_marked_and_can_be_taken_over(project, goal):
    task = project.new("task", goal, "long job")
    project.ok("start", task, env=A1)
    lease = {"IMI_LEASE_MINUTES": "0.01"}  # 0.6 s
    project.sql("UPDATE tasks SET last_ping_at = last_ping_at - 5000, claimed_at = claimed_at - 5000 WHERE id = ?",
                (task,))

    status = project.json("status", env=lease)
    assert status["stale"] == [task]
    assert "STALE" in project.ok("status", env=lease).out
    in_progress = project.ok("context", env=lease).out.split("## In progress", 1)[1]
    assert "STALE" in in_progress and f"imi start {task}" in in_progress
    assert "(STALE)" in project.ok("plan", env=lease).out
    think = project.json("think", env=lease)
    assert [s["items"][0]["id"] for s in think["signals"] if s["key"] == "stale_claims"] == [task]

    # with the default 30 min lease the same claim is live
    assert project.json("status")["stale"] == []
    project.fail("start", task, env=A2)

    taken = project.ok("start", task, env={**A2, **lease}).out
    assert taken.startswith(f"Took over task {task} from agent-1")
    shown = project.json("show", task)
    assert shown["claimant"] == "agent-2"
    takeover = [h for h in shown["history"] if h["key"] == "task_takeover"]
    assert len(takeover) == 1 and "agent-2" in takeover[0]["value"] and "agent-1" in takeover[0]["value"]
    assert "task_takeover" in project.ok("show", task).out
    assert project.json("status", env=lease)["stale"] == []


def test_a_new_task_reopens_a_finished_goal(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    project.ok("complete", task, "done", env=A1)
    assert project.json("show", goal)["status"] == "done"
    later = project.new("task", goal, "more work")
    reopened = project.json("show", goal)
    assert reopened["status"] == "ongoing" and reopened["completed_at"] is None
    assert later in project.ok("context").out.split("## Active goals", 1)[1]


def test_a_failed_complete_changes_nothing(project, goal):
    task = project.new("task", goal, "t")
    project.ok("start", task, env=A1)
    project.fail("complete", task, "done", "--files", "../outside.py", env=A1)
    project.fail("complete", task, "done", "--outcome", "\x1b[31m", "--files", "src/a.py:5-1", env=A1)
    assert project.json("show", task)["status"] == "in_progress"
