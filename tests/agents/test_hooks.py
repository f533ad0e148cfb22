"""`imi hook ...` as Claude Code runs it: a fresh process, the hook payload on stdin, hook JSON on stdout.

The payloads have the shapes of Claude Code's hooks reference (common fields
session_id, transcript_path, cwd, permission_mode, hook_event_name, then the
event's own fields).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from imi_testing import IMI, Result

SESSION = {"session_id": "3f1c2a9e-5b7d-4e10-9a8b-0c1d2e3f4a5b",
           "transcript_path": "/home/user/.claude/projects/demo/3f1c2a9e.jsonl", "permission_mode": "default"}


def hook(project, event: str, payload, *, cwd=None, env=None, args=()) -> Result:
    """Run `imi hook EVENT` as a process with `payload` (a dict, or raw text) on stdin."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    proc = subprocess.run([*IMI, "hook", event, *args], input=text.encode(), cwd=cwd or project.root,
                          env=project.process_env(env), capture_output=True, timeout=60)
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode(), ("hook", event))


def tool_payload(project, tool: str, tool_input: dict) -> dict:
    return {**SESSION, "cwd": str(project.root), "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_01ABC123"}


def edit(project, rel: str, tool: str = "Edit") -> dict:
    path = str(project.root / rel)
    inputs = {
        "Edit": {"file_path": path, "old_string": "a = 1", "new_string": "a = 2", "replace_all": False},
        "Write": {"file_path": path, "content": "print('hi')\n"},
        "MultiEdit": {"file_path": path, "edits": [{"old_string": "a", "new_string": "b"}]},
        "NotebookEdit": {"notebook_path": path, "cell_id": "c1", "new_source": "x = 1", "edit_mode": "replace"},
    }
    return tool_payload(project, tool, inputs[tool])


def context_of(result: Result, event: str) -> str:
    assert result.code == 0, str(result)
    data = result.json()
    assert data["hookSpecificOutput"]["hookEventName"] == event
    return data["hookSpecificOutput"]["additionalContext"]


@pytest.fixture
def remembered(project):
    """A project where a lesson names src/auth/refresh.py and a decision covers src/auth/ by glob."""
    project.file("src/auth/refresh.py", "a = 1\n")
    project.file("src/auth/session.py", "a = 1\n")
    project.file("src/other.py", "a = 1\n")
    project.file("notebooks/explore.ipynb", "{}\n")
    project.new("lesson", "two refreshes raced and logged users out", "--correct-behavior",
                "take the single-flight mutex before refreshing", "--files", "src/auth/refresh.py")
    project.new("decide", "all token code stays under src/auth", "middleware runs on every request",
                "--files", "src/auth/**")
    project.new("decide", "notebooks are scratch space", "nothing imports them", "--files", "notebooks/explore.ipynb")
    return project


# --- pre-tool-use: the file's memory before the first change ------------------------------------------

def read(project, rel: str, session: str | None = None) -> dict:
    payload = tool_payload(project, "Read", {"file_path": str(project.root / rel)})
    return {**payload, "session_id": session} if session else payload


def deny_reason(result: Result) -> str:
    assert result.code == 0, str(result)
    output = result.json()["hookSpecificOutput"]
    assert output["hookEventName"] == "PreToolUse" and output["permissionDecision"] == "deny"
    return output["permissionDecisionReason"]


def test_reading_a_file_with_a_lesson_brings_its_memory_as_context(remembered):
    result = hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py"))
    text = context_of(result, "PreToolUse")
    assert "two refreshes raced and logged users out" in text
    assert "take the single-flight mutex before refreshing" in text
    assert "all token code stays under src/auth" in text  # the folder decision, by glob
    assert "src/auth/refresh.py" in text
    assert text.index("two refreshes raced") < text.index("all token code stays")  # lessons first
    assert "permissionDecision" not in result.out
    assert result.err == ""


def test_after_the_read_the_edit_goes_through_silently(remembered):
    hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py"))
    for tool in ("Edit", "Write", "MultiEdit"):
        result = hook(remembered, "pre-tool-use", edit(remembered, "src/auth/refresh.py", tool))
        assert (result.code, result.out, result.err) == (0, "", ""), tool
    again = hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py"))
    assert again.out == ""  # once per session: reading it again repeats nothing


def test_an_unseen_edit_is_refused_once_with_the_memory_as_the_reason(remembered):
    reason = deny_reason(hook(remembered, "pre-tool-use", edit(remembered, "src/auth/refresh.py")))
    assert reason.startswith("IMI: not yet applied.")
    assert "single-flight mutex" in reason and "all token code stays under src/auth" in reason
    retry = hook(remembered, "pre-tool-use", edit(remembered, "src/auth/refresh.py"))
    assert (retry.code, retry.out, retry.err) == (0, "", "")  # the model redoes it knowingly


@pytest.mark.parametrize("tool, rel, expected", [
    ("Write", "src/auth/refresh.py", "single-flight mutex"),
    ("MultiEdit", "src/auth/refresh.py", "single-flight mutex"),
    ("Edit", "src/auth/session.py", "all token code stays under src/auth"),
    ("Write", "src/auth/brand_new.py", "all token code stays under src/auth"),  # a new file, by glob
    ("NotebookEdit", "notebooks/explore.ipynb", "notebooks are scratch space"),
])
def test_every_editing_tool_is_covered(remembered, tool, rel, expected):
    assert expected in deny_reason(hook(remembered, "pre-tool-use", edit(remembered, rel, tool)))


def test_a_changed_or_new_record_comes_again_and_only_it(remembered):
    hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py"))
    remembered.new("lesson", "refresh tokens expire early on mobile", "--correct-behavior", "refresh at 80%",
                   "--files", "src/auth/refresh.py")
    text = context_of(hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py")), "PreToolUse")
    assert "refresh tokens expire early on mobile" in text
    assert "single-flight mutex" not in text and "all token code stays" not in text


def test_another_session_is_shown_the_memory_again(remembered):
    hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py"))
    other = hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py", session="another-session"))
    assert "single-flight mutex" in context_of(other, "PreToolUse")


def test_without_a_session_id_the_memory_is_context_and_never_a_refusal(remembered):
    payload = {k: v for k, v in edit(remembered, "src/auth/refresh.py").items() if k != "session_id"}
    for _ in range(2):
        assert "single-flight mutex" in context_of(hook(remembered, "pre-tool-use", payload), "PreToolUse")


def test_a_relative_file_path_is_taken_from_the_payload_cwd(remembered):
    payload = tool_payload(remembered, "Read", {"file_path": "refresh.py"})
    payload["cwd"] = str(remembered.root / "src" / "auth")
    assert "single-flight mutex" in context_of(hook(remembered, "pre-tool-use", payload), "PreToolUse")


def test_a_shell_command_naming_the_file_brings_its_memory(remembered):
    payload = tool_payload(remembered, "Bash", {"command": "sed -n 1,20p src/auth/refresh.py | head"})
    assert "single-flight mutex" in context_of(hook(remembered, "pre-tool-use", payload), "PreToolUse")


@pytest.mark.parametrize("tool, tool_input", [
    ("Grep", {"pattern": "refresh", "path": "{root}/src/auth"}),
    ("Bash", {"command": "ls -la && git status", "description": "look around"}),
    ("WebFetch", {"url": "https://example.com/src/auth/refresh.py"}),
])
def test_tools_that_name_no_remembered_file_get_nothing(remembered, tool, tool_input):
    tool_input = {k: v.format(root=remembered.root) for k, v in tool_input.items()}
    result = hook(remembered, "pre-tool-use", tool_payload(remembered, tool, tool_input))
    assert (result.code, result.out, result.err) == (0, "", "")


def test_editing_a_file_no_lesson_or_decision_names_prints_nothing(remembered):
    remembered.new("goal", "tidy other.py", "--files", "src/other.py")  # a goal is not a lesson or decision
    for rel in ("src/other.py", "src/new_file.py", "README.md"):
        result = hook(remembered, "pre-tool-use", edit(remembered, rel, "Write"))
        assert (result.code, result.out, result.err) == (0, "", ""), rel


def test_an_archived_lesson_no_longer_comes_up(remembered):
    lesson = remembered.json("search", "single-flight")["results"][0]["id"]
    remembered.ok("archive", lesson)
    text = context_of(hook(remembered, "pre-tool-use", read(remembered, "src/auth/refresh.py")), "PreToolUse")
    assert "single-flight" not in text
    assert "all token code stays under src/auth" in text


def test_a_file_outside_the_workspace_gets_nothing(remembered, tmp_path):
    outside = tmp_path / "elsewhere.py"
    payload = tool_payload(remembered, "Edit", {"file_path": str(outside), "old_string": "a", "new_string": "b"})
    result = hook(remembered, "pre-tool-use", payload)
    assert result.code == 0 and result.out == ""


@pytest.mark.parametrize("stdin", [
    "",
    "   \n",
    "not json at all",
    '{"tool_name": "Edit", "tool_input": ',
    "[1, 2, 3]",
    '"Edit"',
    '{"hook_event_name": "PreToolUse"}',
    '{"tool_name": "Edit", "tool_input": "src/auth/refresh.py"}',
    '{"tool_name": "Write", "tool_input": {"content": "no path"}}',
    '{"tool_name": 7, "tool_input": {}}',
    '{"tool_name": "Read", "tool_input": {"file_path": ["a", "b"]}}',
])
def test_a_bad_or_empty_payload_exits_0_with_a_note(remembered, stdin):
    result = hook(remembered, "pre-tool-use", stdin)
    assert result.code == 0, str(result)
    assert result.out == ""
    assert result.err.startswith("imi hook pre-tool-use: "), str(result)
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


@pytest.mark.parametrize("event", ["session-start", "stop", "post-tool-use"])
def test_other_hooks_also_survive_a_bad_payload(remembered, event):
    result = hook(remembered, event, "{oops")
    assert (result.code, result.out) == (0, ""), str(result)
    assert result.err.startswith(f"imi hook {event}: ") and "Traceback" not in result.err


def test_without_a_project_every_hook_exits_0_with_a_note(bare):
    bare.file("src/app.py")
    payloads = {
        "pre-tool-use": edit(bare, "src/app.py"),
        "session-start": {**SESSION, "cwd": str(bare.root), "hook_event_name": "SessionStart", "source": "startup"},
        "stop": {**SESSION, "cwd": str(bare.root), "hook_event_name": "Stop", "stop_hook_active": False},
    }
    for event, payload in payloads.items():
        result = hook(bare, event, payload)
        assert (result.code, result.out) == (0, ""), str(result)
        assert "no IMI project" in result.err and "Traceback" not in result.err, str(result)
    assert not bare.db.exists()  # a hook never creates a database


def test_a_database_that_is_not_a_database_is_a_note_not_a_crash(project):
    project.file("src/app.py")
    project.db.write_bytes(b"this is not sqlite" * 100)
    result = hook(project, "pre-tool-use", edit(project, "src/app.py"))
    assert result.code == 0 and result.out == "" and "Traceback" not in result.err
    assert result.err.startswith("imi hook pre-tool-use: ")


# --- session-start --------------------------------------------------------------------------------

def _busy_project(project) -> str:
    goal = project.new("goal", "ship silent token refresh", "--why", "users get logged out")
    for i in range(40):
        project.new("lesson", f"lesson {i}: " + "a long explanation of what went wrong " * 8,
                    "--correct-behavior", "what to do instead " * 6)
        project.new("decide", f"decision {i}: " + "we chose this path " * 10, "because " * 20)
    task = project.new("task", goal, "guard refresh with a mutex")
    project.ok("start", task, env={"IMI_AGENT_ID": "claude-1"})
    return task


def test_session_start_prints_the_context_in_progress_and_lessons_first_within_10000(project):
    task = _busy_project(project)
    payload = {**SESSION, "cwd": str(project.root), "hook_event_name": "SessionStart", "source": "startup"}
    result = hook(project, "session-start", payload, env={"IMI_AGENT_ID": "claude-1"})
    text = context_of(result, "SessionStart")
    assert len(result.out) <= 10_000  # the whole hook output, JSON and all
    assert len(text) > 8_000  # the room is used
    assert "you are agent `claude-1`" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## In progress", "## Verified Lessons"], headings
    assert task in text and "guard refresh with a mutex" in text
    assert "lesson 39" in text  # newest lesson shown
    assert "Left out" in text  # and it says what did not fit


def test_session_start_fits_the_host_limit_when_the_memory_is_all_quotes_and_backslashes(project):
    """The host counts the JSON text, where each quote, backslash and line break takes two characters."""
    for i in range(60):
        project.new("lesson", f'lesson {i}: "quoted" C:\\path\\to\\file ' * 6 + "\nsecond line \"x\"",
                    "--correct-behavior", 'write "\\\\" twice ' * 8)
    payload = {**SESSION, "cwd": str(project.root), "hook_event_name": "SessionStart", "source": "startup"}
    result = hook(project, "session-start", payload)
    text = context_of(result, "SessionStart")
    assert 9_000 < len(result.out) <= 10_000  # the room is used, and not one character more
    assert "lesson 59" in text and "Left out" in text


@pytest.mark.parametrize("source", ["startup", "resume", "clear", "compact"])
def test_session_start_answers_every_source(project, source):
    project.new("lesson", "never skip the migration test", "--correct-behavior", "run it")
    payload = {**SESSION, "cwd": str(project.root), "hook_event_name": "SessionStart", "source": source}
    assert "never skip the migration test" in context_of(hook(project, "session-start", payload), "SessionStart")


@pytest.mark.parametrize("source", ["resume", "compact"])
def test_a_resumed_or_compacted_session_is_not_given_the_context_twice(project, source):
    project.new("lesson", "never skip the migration test", "--correct-behavior", "run it")
    payload = {**SESSION, "cwd": str(project.root), "hook_event_name": "SessionStart", "source": "startup"}
    assert "never skip" in context_of(hook(project, "session-start", payload), "SessionStart")
    again = hook(project, "session-start", {**payload, "source": source})
    assert (again.code, again.out, again.err) == (0, "", "")
    cleared = hook(project, "session-start", {**payload, "source": "clear"})  # /clear empties the conversation
    assert "never skip" in context_of(cleared, "SessionStart")


# --- stop and session-end -------------------------------------------------------------------------

def stop_payload(project, active: bool = False) -> dict:
    return {**SESSION, "cwd": str(project.root), "hook_event_name": "Stop", "stop_hook_active": active}


@pytest.fixture
def claimed(project):
    goal = project.new("goal", "refresh")
    task = project.new("task", goal, "guard refresh with a mutex")
    project.ok("start", task, env={"IMI_AGENT_ID": "claude-1"})
    return project, task


def test_stop_reminds_the_agent_once_of_a_task_it_still_holds(claimed):
    project, task = claimed
    result = hook(project, "stop", stop_payload(project), env={"IMI_AGENT_ID": "claude-1"})
    assert result.code == 0, str(result)
    data = result.json()
    assert data["decision"] == "block"
    assert data["reason"].startswith("Reminder from IMI (not an error)")
    assert task in data["reason"] and "guard refresh with a mutex" in data["reason"]
    assert f"imi complete {task}" in data["reason"] and f"imi checkpoint {task}" in data["reason"]
    later = hook(project, "stop", stop_payload(project), env={"IMI_AGENT_ID": "claude-1"})
    assert (later.code, later.out) == (0, "")  # at most one extra turn per task per session


def test_the_agent_flag_names_the_agent_too(claimed):
    project, task = claimed
    result = hook(project, "stop", stop_payload(project), args=("--agent", "claude-1"))
    assert task in result.json()["reason"]


def test_stop_stays_quiet_when_already_reminded_or_nothing_is_held(claimed):
    project, task = claimed
    again = hook(project, "stop", stop_payload(project, active=True), env={"IMI_AGENT_ID": "claude-1"})
    assert (again.code, again.out) == (0, "")
    other = hook(project, "stop", stop_payload(project), env={"IMI_AGENT_ID": "someone-else"})
    assert (other.code, other.out, other.err) == (0, "", "")


def test_a_fresh_checkpoint_or_completion_ends_the_reminders(claimed):
    project, task = claimed
    env = {"IMI_AGENT_ID": "claude-1"}
    project.ok("checkpoint", task, "mutex in, tests pending", env=env)
    assert hook(project, "stop", stop_payload(project), env=env).out == ""
    project.sql("UPDATE memories SET created_at = created_at - 20 * 60000 WHERE key = 'checkpoint'")
    assert task in hook(project, "stop", stop_payload(project), env=env).json()["reason"]  # stale again
    project.ok("complete", task, "guarded refresh", env=env)
    assert hook(project, "stop", {**stop_payload(project), "session_id": "next"}, env=env).out == ""


def test_session_end_prints_nothing_a_host_would_drop(claimed):
    project, task = claimed
    payload = {**SESSION, "cwd": str(project.root), "hook_event_name": "SessionEnd", "reason": "prompt_input_exit"}
    result = hook(project, "session-end", payload, env={"IMI_AGENT_ID": "claude-1"})
    assert (result.code, result.out, result.err) == (0, "", "")


# --- the command itself ---------------------------------------------------------------------------

def test_hook_help_lists_the_events_and_an_unknown_event_is_a_usage_error(project):
    listing = project.sub("hook", "--help")
    assert listing.code == 0
    for event in ("session-start", "pre-tool-use", "stop", "session-end"):
        assert event in listing.out
    bad = project.sub("hook", "pre-edit")
    assert bad.code == 2 and "Traceback" not in bad.err


def test_records_the_budget_left_out_come_with_the_next_read(project):
    project.file("src/busy.py", "a = 1\n")
    for i in range(30):
        project.new("lesson", f"lesson {i:02d}: " + "what went wrong here " * 6, "--correct-behavior",
                    "what to do instead " * 4, "--files", "src/busy.py")
    first = context_of(hook(project, "pre-tool-use", read(project, "src/busy.py")), "PreToolUse")
    second = context_of(hook(project, "pre-tool-use", read(project, "src/busy.py")), "PreToolUse")
    shown = lambda text: {line.split(":")[0].strip("- ") for line in text.splitlines() if "lesson " in line}
    assert shown(first) and shown(second) and not shown(first) & shown(second)  # no repeats, none lost
