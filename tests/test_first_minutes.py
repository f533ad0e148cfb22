"""What trips a newcomer in the first minutes: paths that do not exist, a goal that closes, paths in a
subfolder, and the README's own tour."""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# paths named in text that do not exist ---------------------------------------------------------------
def test_a_path_only_in_the_text_that_does_not_exist_is_reported_not_dropped_silently(project):
    result = project.run("decide", "keep refresh in src/auth/refresh.ts", "see Node.js v1.2 and src/auth/refresh.ts")
    assert result.code == 0, result
    assert result.err.strip().splitlines() == [
        "imi: not linked: src/auth/refresh.ts does not exist (name it with --files to link it anyway)"]
    assert project.json("context", "--file", "src/auth/refresh.ts")["sections"] == []


def test_a_files_path_that_does_not_exist_yet_is_linked_as_written(project):
    decision = project.new("decide", "keep refresh in src/auth/refresh.ts", "middleware runs on every request",
                           "--files", "src/auth/refresh.ts")
    shown = project.ok("context", "--file", "src/auth/refresh.ts").out
    assert decision in shown and "keep refresh in src/auth/refresh.ts" in shown


def test_an_existing_path_in_the_text_is_linked_without_a_word(project):
    project.file("src/auth/refresh.ts")
    decision = project.new("decide", "keep refresh in src/auth/refresh.ts", "rare")
    assert decision in project.ok("context", "--file", "src/auth/refresh.ts").out


def test_a_failed_command_reports_no_paths(project):
    goal = project.new("goal", "g")
    task = project.new("task", goal, "t")
    project.ok("start", task)
    assert "not linked: lib/x.py" in project.run("complete", task, "done in lib/x.py").err
    project.fail("complete", task, "again in lib/x.py")  # already done: one line, the error only


def test_the_readme_tour_runs_as_written_and_shows_what_it_recorded_for_its_file(bare):
    tour = (ROOT / "README.md").read_text().split("## A short tour", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    ids: dict[str, str] = {}
    for line in tour.splitlines():
        args = [ids.get(arg, arg) for arg in shlex.split(line, comments=True)[1:]]
        result = bare.run(*args, "--json")
        assert result.code == 0 and result.err == "", result  # nothing to report: every path is linked
        if args[0] in ("goal", "next"):
            ids["GOAL_ID" if args[0] == "goal" else "TASK_ID"] = result.json()["id"]
    shown = bare.ok("context", "--file", "src/auth/refresh.ts").out
    for recorded in ("Handle concurrent refresh", "keep refresh in one module", "two refreshes raced"):
        assert recorded in shown


# a goal that closes ---------------------------------------------------------------------------------
def test_completing_the_last_task_says_the_goal_is_done_and_context_keeps_a_trace(project):
    goal = project.new("goal", "Silent token refresh")
    first, last = project.new("task", goal, "refresh early"), project.new("task", goal, "single flight")
    for task in (first, last):
        project.ok("start", task)

    not_yet = project.ok("complete", first, "refreshes 60 s early").out
    closing = project.ok("complete", last, "mutex in")

    assert "is done" not in not_yet
    assert closing.out.splitlines()[-1] == f"Goal {goal} is done: all its tasks are (Silent token refresh)"
    context = project.ok("context").out
    finished = context.split("## Recently finished goals", 1)[1].split("\n## ", 1)[0]
    assert "Silent token refresh" in finished and goal in finished and "2 tasks" in finished


def test_complete_json_names_the_goal_it_closed(project):
    goal = project.new("goal", "g")
    first, last = project.new("task", goal, "a"), project.new("task", goal, "b")
    assert project.json("complete", first, "done", "--force")["goal_done"] is None
    assert project.json("complete", last, "done", "--force")["goal_done"] == goal


def test_no_finished_goals_heading_until_a_goal_finishes(project):
    project.new("goal", "open goal")
    assert "Recently finished goals" not in project.ok("context").out


# paths in a subfolder --------------------------------------------------------------------------------
def test_in_a_subfolder_a_bare_path_is_taken_from_where_it_exists(project):
    project.file("src/auth/refresh.ts")
    project.file("README.md")
    sub = project.root / "src"

    from_here = project.json("log", "here", "--files", "auth/refresh.ts", cwd=sub)  # only exists from src/
    from_root = project.json("log", "root", "--files", "README.md", cwd=sub)  # only exists from the root
    dotted = project.json("log", "dot", "--files", "./auth/refresh.ts", cwd=sub)

    assert [f["path"] for f in from_here["files"]] == ["src/auth/refresh.ts"]
    assert [f["path"] for f in from_root["files"]] == ["README.md"]
    assert [f["path"] for f in dotted["files"]] == ["src/auth/refresh.ts"]
    for way in ("auth/refresh.ts", "src/auth/refresh.ts", "./auth/refresh.ts"):
        shown = project.ok("context", "--file", way, cwd=sub).out
        assert shown.startswith("# IMI memory for src/auth/refresh.ts") and from_here["id"] in shown, way


def test_a_bare_path_that_exists_nowhere_is_taken_from_the_root(project):
    sub = project.root / "src"
    sub.mkdir()
    note = project.json("log", "planned", "--files", "lib/new.py", cwd=sub)
    assert [f["path"] for f in note["files"]] == ["lib/new.py"]
