"""Proposals behind review: `imi capture` and the session-end hook draft them, `imi review` decides.

A proposal is never memory until a person accepts it: not in context, not a lesson, not verified."""

from __future__ import annotations

import json
import subprocess

import pytest

from imi_testing import IMI, Project

FAILED_THEN_PASSED = [
    {"kind": "shell", "command": "pytest tests/test_parser.py", "ok": False},
    {"kind": "edit", "paths": ["src/parser.py"]},
    {"kind": "shell", "command": "pytest  tests/test_parser.py", "ok": True},
]


def hook(project: Project, payload: dict, env=None, event="session-end"):
    """`imi hook EVENT` as the host runs it: a separate process, the payload on stdin."""
    return subprocess.run([*IMI, "hook", event], input=json.dumps(payload).encode(), cwd=project.root,
                          env=project.process_env(env), capture_output=True, timeout=60)


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(project: Project) -> Project:
    """A project in a git repository with one commit, holding src/parser.py."""
    git(project.root, "init", "-q")
    project.file("src/parser.py", "def parse():\n    return 1\n")
    project.file("tests/test_parser.py", "def test_parse():\n    pass\n")
    git(project.root, "add", "-A")
    git(project.root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    return project


def events_file(project: Project, events: list[dict]) -> str:
    path = project.root / "events.json"
    path.write_text(json.dumps(events))
    return str(path)


def capture(project: Project, events=FAILED_THEN_PASSED, session="s-1", agent="bot-1") -> list[dict]:
    return project.json("capture", "--session", session, "--events", events_file(project, events),
                        env={"IMI_AGENT_ID": agent})["proposals"]


def test_a_command_that_failed_until_an_edit_becomes_a_pending_lesson_not_memory(repo):
    [proposal] = capture(repo)
    assert proposal["kind"] == "lesson" and proposal["status"] == "pending" and proposal["new"]
    assert proposal["fields"]["text"] == "`pytest tests/test_parser.py` failed until src/parser.py changed"
    assert proposal["fields"]["files"] == ["src/parser.py"]
    assert repo.sql("SELECT count(*) FROM lessons") == [(0,)]
    assert "failed until" not in repo.ok("context").out
    assert "failed until" not in repo.ok("context", "--file", "src/parser.py").out
    listed = repo.ok("review").out
    assert proposal["id"] in listed and "failed until src/parser.py changed" in listed and "bot-1" in listed


def test_status_says_how_many_proposals_wait_until_they_are_reviewed(repo):
    assert "review" not in repo.ok("status").out
    [proposal] = capture(repo)
    assert "1 proposal from agents' sessions waits for review: imi review" in repo.ok("status").out
    assert repo.json("status")["pending_review"] == 1
    repo.ok("review", "reject", proposal["id"])
    assert "review" not in repo.ok("status").out and repo.json("status")["pending_review"] == 0


def test_a_command_that_passed_without_an_edit_proposes_nothing(repo):
    events = [FAILED_THEN_PASSED[0], FAILED_THEN_PASSED[2]]
    assert capture(repo, events) == []
    assert repo.ok("review").out.startswith("No proposals waiting")


def test_the_same_proposal_is_made_once(repo):
    [first] = capture(repo)
    [again] = capture(repo, session="s-2")
    assert again["id"] == first["id"] and not again["new"]
    assert repo.sql("SELECT count(*) FROM proposals") == [(1,)]


def test_accepting_makes_a_lesson_with_its_provenance_and_it_survives_a_rebuild(repo):
    [proposal] = capture(repo)
    accepted = repo.json("review", "accept", proposal["id"][:10], env={"IMI_AGENT_ID": "alice"})
    lesson = accepted["id"]
    assert accepted["kind"] == "lesson"
    shown = repo.json("show", lesson)
    assert shown["provenance"].pop("commit")  # the commit it was stored at
    assert shown["provenance"] == {"stored_by": "bot-1", "session": "s-1", "proposal": proposal["id"],
                                   "approved_by": "alice"}
    assert "approved by alice" in repo.ok("show", lesson).out
    assert "failed until src/parser.py changed" in repo.ok("context", "--file", "src/parser.py").out
    repo.ok("rebuild")  # the provenance columns travel in .imi/records
    assert repo.json("show", lesson)["provenance"]["approved_by"] == "alice"
    assert repo.ok("review").out.startswith("No proposals waiting")
    repo.fail("review", "accept", proposal["id"], code=2)  # already accepted


def test_accepting_with_edits_stores_the_edited_text(repo):
    [proposal] = capture(repo)
    lesson = repo.json("review", "accept", proposal["id"], "--text", "the parser test needs the new grammar",
                       "--correct-behavior", "regenerate the grammar first")["id"]
    assert repo.sql("SELECT what_went_wrong, correct_behavior FROM lessons WHERE id = ?", (lesson,)) == [
        ("the parser test needs the new grammar", "regenerate the grammar first")]


def test_a_rejected_proposal_is_remembered_and_not_made_again(repo):
    [proposal] = capture(repo)
    assert "Rejected" in repo.ok("review", "reject", proposal["id"]).out
    [again] = capture(repo, session="s-3")
    assert (again["id"], again["status"], again["new"]) == (proposal["id"], "rejected", False)
    assert repo.ok("review").out.startswith("No proposals waiting")
    assert repo.sql("SELECT count(*) FROM lessons") == [(0,)]


def test_accept_all_from_a_session_completes_the_held_task_with_the_draft_summary(repo):
    goal = repo.new("goal", "parsing")
    task = repo.new("task", goal, "fix the parser")
    repo.ok("start", task, env={"IMI_AGENT_ID": "bot-1"})
    repo.file("src/parser.py", "def parse():\n    return 2\n")
    made = capture(repo)
    summary = next(p for p in made if p["kind"] == "summary")
    assert summary["fields"]["task_id"] == task
    assert "src/parser.py" in summary["fields"]["summary"] and "`pytest tests/test_parser.py`" in summary["fields"]["summary"]
    assert repo.sql("SELECT status FROM tasks WHERE id = ?", (task,)) == [("in_progress",)]
    capture(repo, [{"kind": "shell", "command": "make", "ok": False}, {"kind": "edit", "paths": ["Makefile"]},
                   {"kind": "shell", "command": "make", "ok": True}], session="other")
    accepted = repo.json("review", "accept-all", "--session", "s-1", env={"IMI_AGENT_ID": "alice"})["accepted"]
    assert sorted(a["kind"] for a in accepted) == ["lesson", "task"]
    assert repo.sql("SELECT status, summary LIKE 'fix the parser: Changed src/parser.py%' FROM tasks WHERE id = ?",
                    (task,)) == [("done", 1)]
    assert len(repo.json("review")["proposals"]) == 1  # the other session's proposal still waits


def test_bad_review_input_is_one_line_and_changes_nothing(repo):
    [proposal] = capture(repo)
    repo.fail("review", "accept", "zzzz")
    repo.fail("review", "accept-all", "--session", "nope")
    repo.fail("review", "accept", proposal["id"], "--text", "   ")
    bad = repo.root / "bad.json"
    bad.write_text("{not json")
    repo.fail("capture", "--events", str(bad))


def test_the_session_end_hook_proposes_from_the_claude_transcript(repo):
    transcript = repo.root / "t.jsonl"
    lines = [
        {"type": "assistant", "message": {"content": [{"type": "tool_use", "id": "a", "name": "Bash",
                                                        "input": {"command": "npm test"}}]}},
        {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "a", "is_error": True,
                                                   "content": "Exit code 1"}]}},
        {"type": "assistant", "message": {"content": [{"type": "tool_use", "id": "b", "name": "Edit",
                                                        "input": {"file_path": str(repo.root / "src/parser.py")}}]}},
        {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "b", "content": "ok"}]}},
        {"type": "assistant", "message": {"content": [{"type": "tool_use", "id": "c", "name": "Bash",
                                                        "input": {"command": "npm test"}}]}},
        {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "c", "content": "passed"}]}},
    ]
    transcript.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    payload = {"session_id": "cc-1", "cwd": str(repo.root), "transcript_path": str(transcript),
               "hook_event_name": "SessionEnd"}
    done = hook(repo, payload, env={"IMI_AGENT_ID": "claude"})
    assert done.returncode == 0 and done.stdout == b"", done.stderr
    [proposal] = repo.json("review", "--session", "cc-1")["proposals"]
    assert proposal["fields"]["text"] == "`npm test` failed until src/parser.py changed"
    assert proposal["proposed_by"] == "claude" and proposal["source"] == "hook"
    assert "npm test" not in repo.ok("context").out



def test_the_stop_hook_drafts_one_summary_per_task_and_session_and_rewrites_it(repo):
    goal = repo.new("goal", "parsing")
    task = repo.new("task", goal, "fix the parser")
    env = {"IMI_AGENT_ID": "claude"}
    repo.ok("start", task, env=env)
    payload = {"session_id": "cc-3", "cwd": str(repo.root), "hook_event_name": "Stop", "stop_hook_active": False}
    repo.file("src/parser.py", "def parse():\n    return 2\n")
    first = hook(repo, payload, env, event="stop")
    assert first.returncode == 0 and b"still hold" in first.stdout  # the reminder is unchanged
    repo.file("src/lexer.py", "x = 1\n")
    hook(repo, {**payload, "stop_hook_active": True}, env, event="stop")
    [draft] = repo.json("review", "--session", "cc-3")["proposals"]
    assert draft["kind"] == "summary" and draft["fields"]["task_id"] == task
    assert "src/lexer.py" in draft["fields"]["summary"] and "src/parser.py" in draft["fields"]["summary"]
    assert repo.sql("SELECT status FROM tasks WHERE id = ?", (task,)) == [("in_progress",)]


def test_the_session_end_hook_with_a_broken_transcript_still_ends_quietly(repo):
    payload = {"session_id": "cc-2", "cwd": str(repo.root), "transcript_path": str(repo.root / "missing.jsonl")}
    done = hook(repo, payload)
    assert done.returncode == 0 and done.stdout == b""


def test_proposals_of_one_capture_are_listed_in_the_order_it_made_them(project):
    """A capture gives all its drafts one time: the review lists them as made, not by their random ids
    (which put the summary first in one run and last in another)."""
    from imi_cli.memory import Project as Memory
    from imi_cli.memory.proposals import listing, propose

    with Memory.open(project.db) as memory:
        prov = memory.provenance()
        fields = [{"text": f"case {n} broke", "correct_behavior": "check it"} for n in range(8)]
        made = [propose(memory._store, prov, "lesson", one, session="s")[0].id for one in fields]
        assert [p.id for p in listing(memory._store)] == made
