"""Reading memory: plan, status, think, check, search, show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "imi-0.3.20"
A1 = {"IMI_AGENT_ID": "agent-1"}


@pytest.fixture
def filled(project):
    """Two goals with tasks in every state."""
    auth = project.new("goal", "Auth", "", "high", "", "", "zero forced logouts")
    billing = project.new("goal", "Billing", "", "low")
    ids = {"auth": auth, "billing": billing}
    ids["wip"] = project.new("task", auth, "Handle concurrent refresh", "", "high")
    ids["done"] = project.new("task", auth, "Refresh before expiry", "", "critical")
    ids["blocked"] = project.new("task", billing, "Invoice", "--blocked-by", ids["wip"])
    ids["todo"] = project.new("task", billing, "Meter calls", "", "low")
    project.ok("start", ids["wip"], env=A1)
    project.ok("start", ids["done"], env=A1)
    project.ok("complete", ids["done"], "refreshes early", env=A1)
    return ids


def test_plan_text_lists_every_goal_and_task(project, filled):
    text = project.ok("plan").out
    lines = text.splitlines()
    assert lines[0].startswith(f"[high] Auth  {filled['auth']}  (ongoing, 1/2 done)")
    for key in ("wip", "done", "blocked", "todo"):
        assert filled[key] in text
    assert "[in progress]" in text and "@agent-1" in text and "[done]" in text
    assert f"(blocked by {filled['wip']})" in text


def test_plan_on_an_empty_project(project):
    assert "No goals yet" in project.ok("plan").out
    assert project.json("plan")["goals"] == []


def test_plan_json_shape(project, filled):
    plan = project.json("plan")
    assert set(plan) == {"version", "db_path", "counts", "goals"}
    assert Path(plan["db_path"]) == project.db
    counts = plan["counts"]
    assert (counts["goals"], counts["tasks"], counts["todo"], counts["wip"], counts["done"]) == (2, 4, 2, 1, 1)
    # IMI 0.3.20's plan --json keys are all still there, so scripts written for it keep working
    imi = json.loads((FIXTURE / "plan.json").read_text())
    assert set(imi) <= set(plan)
    assert set(imi["counts"]) <= set(counts)
    assert set(imi["goals"][0]) <= set(plan["goals"][0])
    assert set(imi["goals"][0]["tasks"][0]) <= set(plan["goals"][0]["tasks"][0])

    auth = plan["goals"][0]
    assert (auth["id"], auth["name"], auth["priority"], auth["status"], auth["total_tasks"], auth["done_tasks"]) == (
        filled["auth"], "Auth", "high", "ongoing", 2, 1)
    by_id = {t["id"]: t for g in plan["goals"] for t in g["tasks"]}
    assert by_id[filled["wip"]]["agent_id"] == "agent-1"
    assert by_id[filled["blocked"]]["blocked_by"] == [filled["wip"]]
    assert by_id[filled["todo"]]["blocked_by"] == []

    only = project.json("plan", filled["billing"])
    assert [g["id"] for g in only["goals"]] == [filled["billing"]]


def test_status(project, filled):
    status = project.json("status")
    assert status["counts"]["wip"] == 1 and status["ready"] == 1
    assert [t["id"] for t in status["in_progress"]] == [filled["wip"]]
    assert status["stale"] == []
    text = project.ok("status").out
    assert str(project.db) in text
    assert "2 goals · 4 tasks (2 todo, 1 in progress, 1 done) · 1 ready" in text
    assert f"in progress: Handle concurrent refresh  {filled['wip']}  @agent-1" in text
    assert "STALE" not in text


def test_think_signals(project, filled):
    project.file("src/auth.py")
    linked = project.new("decide", "mutex around refresh", "races", "--files", "src/auth.py")
    project.new("task", filled["auth"], "add the mutex", "--files", "src/auth.py")
    by_goal = project.new("decide", "meter per org", "pricing", "Billing")
    unlinked = project.new("decide", "tabs over spaces", "taste")
    old_blocked = filled["blocked"]
    project.sql("UPDATE tasks SET created_at = created_at - 4 * 86400000 WHERE id = ?", (old_blocked,))
    empty_goal = project.new("goal", "Someday")

    think = project.json("think")
    signals = {s["key"]: s for s in think["signals"]}
    ids = {key: [item["id"] for item in s["items"]] for key, s in signals.items()}
    assert ids["stale_claims"] == []
    assert set(ids["goals_without_success_signal"]) == {filled["billing"], empty_goal}
    assert ids["blocked_long"] == [old_blocked]
    assert unlinked in ids["unlinked_decisions"]
    assert linked not in ids["unlinked_decisions"] and by_goal not in ids["unlinked_decisions"]
    assert ids["goals_without_open_tasks"] == [empty_goal]
    assert all(s["total"] == len(s["items"]) for s in think["signals"])
    assert "Before you act, think" in think["prompt"]

    text = project.ok("think").out
    assert text.startswith("# Think")
    assert "## Signals" in text and "## Prompt" in text
    assert "Goals without a success signal: 2" in text and "Tasks blocked for more than 3 days: 1" in text
    assert "tabs over spaces" in text


def test_think_with_nothing_to_say(project):
    assert "nothing needs attention" in project.ok("think").out


def test_check_verification_states(project):
    goal = project.new("goal", "G")
    states = {}
    for name, criteria, extra in (
        ("verified", "tests pass", ["--outcome", "ran pytest: 40 passed"]),
        ("needs-review", "tests pass", ["--uncertainty", "flaky on CI", "--outcome", "passed locally"]),
        ("unverified", "tests pass", []),
        ("no-criteria", None, []),
    ):
        task = project.new("task", goal, name, *(["--acceptance-criteria", criteria] if criteria else []))
        project.ok("start", task, env=A1)
        project.ok("complete", task, f"done {name}", *extra, env=A1)
        states[name] = task
    open_task = project.new("task", goal, "open")

    for state, task in states.items():
        assert project.json("check", task)["state"] == state
    assert project.json("check", open_task)["state"] == "open"
    one = project.ok("check", states["verified"]).out
    assert "state: verified" in one and "outcome: ran pytest: 40 passed" in one and "acceptance: tests pass" in one

    review = project.json("check")
    assert review["counts"] == {"verified": 1, "needs-review": 1, "unverified": 1, "no-criteria": 1}
    assert {t["task"]["id"] for t in review["tasks"]} == set(states.values())
    text = project.ok("check").out
    assert text.startswith("Verification of the last 4 completed tasks")
    assert states["unverified"] in text and states["verified"] not in text  # only what needs attention
    assert len(project.json("check", "--limit", "1")["tasks"]) == 1
    project.fail("check", "nosuchtask")


def test_search_finds_every_kind_of_record(project):
    goal = project.new("goal", "Token refresh goal")
    found = {
        goal: "goal",
        project.new("task", goal, "refresh the tokens"): "task",
        project.new("decide", "refresh proactively", "fewer 401s"): "decision",
        project.new("lesson", "refresh raced", "--correct-behavior", "single-flight"): "lesson",
        project.new("log", "refresh matters this week"): "note",
        project.new("memory", "add", goal, "refresh-window", "60 s"): "memory",
    }
    project.ok("decide", "unrelated", "nothing to do with it")
    hits = project.json("search", "refresh")["results"]
    assert {(h["id"], h["kind"]) for h in hits} == set(found.items())
    assert all(h["matches"] and "[" not in h["snippet"] for h in hits)  # plain text; where the matches are
    assert len(project.json("search", "refresh", "--limit", "2")["results"]) == 2
    text = project.ok("search", "refresh").out
    assert len(text.strip().splitlines()) == 6


def test_search_stems_prefixes_and_accents(project):
    decision = project.new("decide", "refreshing tokens early", "Cafe résumé naïve")
    assert [h["id"] for h in project.json("search", "refresh")["results"]] == [decision]  # stemming
    assert [h["id"] for h in project.json("search", "tok")["results"]] == [decision]  # prefix
    assert [h["id"] for h in project.json("search", "resume")["results"]] == [decision]  # diacritics
    assert project.json("search", "nothingmatches")["results"] == []
    assert "Nothing matches" in project.ok("search", "nothingmatches").out


@pytest.mark.parametrize("query", ['"', "AND", "NOT OR", "a*b", "col:val", "(", "^x", "NEAR(a b)", "'; DROP TABLE"])
def test_search_treats_fts_syntax_as_plain_words(project, query):
    project.ok("decide", "plain words", "only")
    result = project.run("search", query)
    assert result.code == 0 and result.err == "", str(result)


def test_search_needs_words(project):
    project.fail("search", "   ", code=2)
    project.fail("search", "x", "--limit", "0", code=2)


def test_show_every_kind(project, filled):
    project.ok("checkpoint", filled["wip"], "halfway", env=A1)
    task = project.json("show", filled["wip"])
    assert task["kind"] == "task" and [h["key"] for h in task["history"]] == ["checkpoint", "task_started"]
    text = project.ok("show", filled["wip"]).out
    assert text.startswith(f"task {filled['wip']}") and "history:" in text and "checkpoint: halfway" in text

    goal = project.json("show", filled["auth"])
    assert {t["id"] for t in goal["tasks"]} == {filled["wip"], filled["done"]}
    for args, kind in ((["decide", "d", "w"], "decision"), (["lesson", "l", "--correct-behavior", "c"], "lesson"),
                       (["log", "n"], "note"), (["memory", "add", filled["auth"], "k", "v"], "memory")):
        record_id = project.new(*args)
        assert project.json("show", record_id)["kind"] == kind
        assert project.ok("show", record_id).out.startswith(f"{kind} {record_id}")
    project.fail("show", "nosuchrecord")
