"""Recording memory: goal, task, decide, kill, vision, log, lesson, memory; priorities; who wrote it."""

from __future__ import annotations

import pytest

from imi_testing import assert_clean_failure


def test_goal_positional_form_stores_every_field(project):
    goal = project.json("goal", "Auth that never logs out", "silent refresh", "high", "users churn", "web users",
                        "zero forced logouts")
    assert goal["kind"] == "goal"
    assert (goal["name"], goal["description"], goal["priority"], goal["why"], goal["for_who"],
            goal["success_signal"], goal["status"]) == (
        "Auth that never logs out", "silent refresh", "high", "users churn", "web users", "zero forced logouts",
        "todo")
    shown = project.json("show", goal["id"])
    assert shown["name"] == "Auth that never logs out" and shown["success_signal"] == "zero forced logouts"


def test_goal_option_form(project):
    goal = project.json("goal", "Billing", "--description", "metered", "-p", "0", "--why", "revenue",
                        "--for-who", "finance", "--success-signal", "invoices match usage")
    assert (goal["description"], goal["priority"], goal["why"], goal["for_who"], goal["success_signal"]) == (
        "metered", "critical", "revenue", "finance", "invoices match usage")


def test_task_positional_and_option_forms(project):
    goal_id = project.new("goal", "G")
    positional = project.json("task", goal_id, "Refresh tokens", "60 s before expiry", "critical", "avoid 401s")
    assert (positional["title"], positional["description"], positional["priority"], positional["why"],
            positional["goal_id"], positional["status"]) == (
        "Refresh tokens", "60 s before expiry", "critical", "avoid 401s", goal_id, "todo")

    options = project.json("task", goal_id, "Meter calls", "-d", "count per org", "-p", "low", "--why", "billing",
                           "--acceptance-criteria", "counts match the log", "--context", "see the billing RFC",
                           "--tools", "pytest, ruff")
    assert (options["description"], options["priority"], options["why"], options["acceptance_criteria"],
            options["context"], options["tools"]) == (
        "count per org", "low", "billing", "counts match the log", "see the billing RFC", ["pytest", "ruff"])
    shown = project.json("show", options["id"])
    assert shown["acceptance_criteria"] == "counts match the log" and shown["tools"] == ["pytest", "ruff"]


def test_task_goal_by_unique_prefix_and_unknown_goal_refused(project):
    goal_id = project.new("goal", "G")
    task = project.json("task", goal_id[:12], "via prefix")
    assert task["goal_id"] == goal_id
    result = project.fail("task", "nosuchgoal", "orphan")
    assert "nosuchgoal" in result.err


def test_task_blocked_by(project):
    goal_id = project.new("goal", "G")
    first = project.new("task", goal_id, "first")
    second = project.json("task", goal_id, "second", "--blocked-by", first)
    assert second["blocked_by"] == [first]
    project.fail("task", goal_id, "third", "--blocked-by", "nosuchtask")


def test_decide_with_affects(project):
    decision = project.json("decide", "keep refresh in src/auth", "middleware runs on every request", "Auth")
    assert (decision["what"], decision["why"], decision["affects"], decision["decision_kind"]) == (
        "keep refresh in src/auth", "middleware runs on every request", "Auth", "decision")


def test_decide_without_why_is_a_usage_error(project):
    result = project.fail("decide", "only what", code=2)
    assert "WHY" in result.err


def test_kill_and_decide_killed_record_killed_features(project):
    killed = project.json("kill", "GraphQL gateway", "not worth the ops cost")
    also = project.json("decide", "--killed", "REST v1", "nobody uses it")
    assert killed["decision_kind"] == "killed" and also["decision_kind"] == "killed"
    assert "Recorded killed feature" in project.ok("kill", "Dark mode", "later").out
    context = project.json("context")
    sections = {s["key"]: s for s in context["sections"]}
    assert {r["id"] for r in sections["killed"]["records"]} >= {killed["id"], also["id"]}
    assert sections["decisions"]["total"] == 0


def test_vision_newest_one_is_shown(project):
    project.ok("vision", "first vision")
    newest = project.json("vision", "memory for agents, inside the repository")
    assert newest["note_kind"] == "vision"
    text = project.ok("context").out
    vision_part = text.split("## Product Vision", 1)[1].split("##", 1)[0]
    assert "memory for agents, inside the repository" in vision_part
    assert "first vision" not in vision_part
    assert project.json("search", "first vision")["results"]  # earlier visions stay searchable


def test_log_records_a_direction_note(project):
    note = project.json("log", "focus on the editor experience this week")
    assert note["kind"] == "note" and note["note_kind"] == "note"
    assert "focus on the editor experience this week" in project.ok("context").out


def test_lesson_with_correct_behavior_and_verified_by(project):
    lesson = project.json("lesson", "forgot migrations", "--correct-behavior", "run make migrate first",
                          "--verified-by", "ci")
    assert (lesson["text"], lesson["correct_behavior"], lesson["verified_by"]) == (
        "forgot migrations", "run make migrate first", "ci")
    default = project.json("lesson", "x", "--correct-behaviour", "y")
    assert default["verified_by"] == ""  # nobody vouched for it: unverified, never "human" by default


def test_lesson_without_correct_behavior_is_a_usage_error(project):
    project.fail("lesson", "something went wrong", code=2)


def test_memory_add_and_list(project):
    goal_id = project.new("goal", "Billing")
    other = project.new("goal", "Other")
    memory = project.json("memory", "add", goal_id, "stripe-api-version", "2024-06-20")
    assert (memory["key"], memory["value"], memory["goal_id"]) == ("stripe-api-version", "2024-06-20", goal_id)
    project.ok("memory", "add", other, "k", "v")

    listed = project.json("memory", "list", goal_id)["memories"]
    assert [(m["key"], m["value"]) for m in listed] == [("stripe-api-version", "2024-06-20")]
    assert len(project.json("memory", "list")["memories"]) == 2
    assert "stripe-api-version: 2024-06-20" in project.ok("memory", "list").out
    project.fail("memory", "add", "nosuchgoal", "k", "v")


@pytest.mark.parametrize(("given", "stored"), [
    ("critical", "critical"), ("HIGH", "high"), ("medium", "medium"), ("low", "low"),
    ("0", "critical"), ("1", "high"), ("2", "medium"), ("3", "low"), ("4", "backlog"), ("p0", "critical"),
    ("P3", "low"),
])
def test_priorities(project, given, stored):
    assert project.json("goal", "g", "--priority", given)["priority"] == stored
    goal_id = project.new("goal", "h")
    assert project.json("task", goal_id, "t", "", given)["priority"] == stored


@pytest.mark.parametrize("bad", ["urgent", "5", "-1", "p9", "1.5", "p", "high!", "０"])
def test_invalid_priority_is_a_usage_error_and_writes_nothing(project, bad):
    result = project.fail("goal", "g", "--priority", bad, code=2)
    assert "priority" in result.err
    goal_id = project.new("goal", "h")
    project.fail("task", goal_id, "t", "desc", bad, code=2)


def test_agent_identity_precedence(project):
    assert project.json("goal", "by user")["agent"] == "tester"
    assert project.json("goal", "by flag", "--agent", "bob")["agent"] == "bob"
    assert project.json("--agent=bob", "goal", "by flag too")["agent"] == "bob"
    assert project.json("goal", "env wins", "--agent", "bob", env={"IMI_AGENT_ID": "carol"})["agent"] == "carol"
    assert project.json("log", "n", env={"IMI_AGENT_ID": "carol"})["agent"] == "carol"
    assert project.json("goal", "logname", env={"USER": None, "LOGNAME": "dave"})["agent"] == "dave"


def test_agent_identity_decides_the_claimant(project):
    goal_id = project.new("goal", "G")
    task = project.new("task", goal_id, "t")
    claimed = project.json("start", task, "--agent", "bob", env={"IMI_AGENT_ID": "carol"})
    assert claimed["claimant"] == "carol"


def test_every_record_command_prints_a_one_line_confirmation(project):
    goal_id = project.new("goal", "G")
    for args in (["goal", "x"], ["task", goal_id, "t"], ["decide", "a", "b"], ["kill", "a", "b"], ["vision", "v"],
                 ["log", "n"], ["lesson", "l", "--correct-behavior", "c"], ["memory", "add", goal_id, "k", "v"]):
        result = project.ok(*args)
        lines = result.out.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Recorded "), str(result)


def test_text_is_cleaned_of_control_characters(project):
    note = project.json("log", "  red \x1b[31malert\x1b[0m and a bell\x07  ")
    assert note["content"] == "red alert and a bell"
    assert_clean_failure(project.run("log", "\x1b[31m\x07 \n"), 2)
