"""archive and delete: exact ids, unique prefixes, ambiguous prefixes, goals with tasks."""

from __future__ import annotations

import os


def test_archive_hides_a_record_from_context_and_plan(project):
    goal = project.new("goal", "Old goal")
    task = project.new("task", goal, "old task")
    decision = project.new("decide", "old decision", "why")
    assert goal in project.ok("context").out and "old decision" in project.ok("context").out

    assert project.json("archive", decision) == {"kind": "decision", "id": decision, "archived": True}
    assert project.ok("archive", goal).out.strip() == f"Archived goal {goal}"
    context = project.ok("context").out
    assert "old decision" not in context and goal not in context
    assert project.json("plan")["goals"] == []
    assert project.json("show", decision)["archived_at"]  # still there by id
    assert "already archived" in project.fail("archive", decision).err
    project.ok("archive", task)
    assert project.json("ready")["tasks"] == []


def test_delete_by_exact_id_and_unique_prefix(project):
    first = project.new("decide", "first", "why")
    second = project.new("lesson", "second", "--correct-behavior", "c")
    assert project.json("delete", first) == {"kind": "decision", "id": first, "deleted": 1, "versions_in_git_history": 0}
    project.fail("show", first)
    prefix = second[:15]
    assert project.ok("delete", prefix).out.strip() == f"Deleted lesson {second}"
    assert project.json("search", "second")["results"] == []
    project.fail("delete", second)


def test_an_ambiguous_prefix_lists_the_candidates_and_changes_nothing(project):
    ids = [project.new("decide", f"decision {i}", "why") for i in range(3)]
    prefix = os.path.commonprefix(ids)
    assert prefix, "ids made within a second share their time prefix"
    result = project.fail("delete", prefix)
    assert "ambiguous" in result.err
    for record_id in ids:
        assert record_id in result.err
        assert project.json("show", record_id)["id"] == record_id
    project.fail("archive", prefix)
    project.fail("show", prefix)


def test_deleting_a_goal_with_tasks_needs_yes(project):
    goal = project.new("goal", "G")
    tasks = [project.new("task", goal, f"t{i}") for i in range(2)]
    project.ok("checkpoint", tasks[0], "a note on it")
    refused = project.fail("delete", goal)
    assert "--yes" in refused.err and "2 tasks" in refused.err

    deleted = project.json("delete", goal, "--yes")
    assert deleted["deleted"] == 3
    for record_id in (goal, *tasks):
        project.fail("show", record_id)
    assert project.json("plan")["goals"] == []
    assert project.json("search", "t0")["results"] == []


def test_deleting_an_empty_goal_needs_no_confirmation(project):
    goal = project.new("goal", "empty")
    assert project.ok("delete", goal).out.strip() == f"Deleted goal {goal}"


def test_deleting_a_blocker_unblocks_its_dependents(project):
    goal = project.new("goal", "G")
    blocker = project.new("task", goal, "blocker")
    dependent = project.new("task", goal, "dependent", "--blocked-by", blocker)
    project.ok("delete", blocker)
    assert [t["id"] for t in project.json("ready")["tasks"]] == [dependent]
    assert project.json("show", dependent)["blocked_by"] == []


def test_deleting_a_record_removes_its_file_references(project):
    project.file("src/a.py")
    lesson = project.new("lesson", "l", "--correct-behavior", "c", "--files", "src/a.py")
    project.ok("delete", lesson)
    assert project.sql("SELECT count(*) FROM refs")[0][0] == 0
    assert project.json("context", "--file", "src/a.py")["sections"] == []


def test_unknown_and_malformed_ids(project):
    for bad in ("nosuchid", "", " ", "%", "a b", "*", "../x"):
        project.fail("delete", bad)
        project.fail("archive", bad)
