"""The real Claude Code CLI, headless, against a scripted fake model on 127.0.0.1.

Each test runs `claude -p` in a project set up by `imi init --agents claude` and
asserts on the requests the model received: what it was shown, and when (the file on
disk at that moment).
"""

from __future__ import annotations

import json

import pytest

from agent_clis import cli, run, session_env
from fake_model import FakeModel, call, say

pytestmark = pytest.mark.slow

LESSON = "raising RETRIES above 3 got us rate-limited"
DECISION = "all token code stays under src/auth"
APP_MEMORY = "IMI: recorded lessons and decisions name src/app.py"


def claude(project, home, model: FakeModel, prompt: str, *flags, env=None):
    """One headless Claude Code session in the project; returns the stream-json events it printed."""
    extra = {"ANTHROPIC_BASE_URL": model.url, "ANTHROPIC_API_KEY": "test-key-not-secret",
             "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_TELEMETRY": "1",
             "DISABLE_AUTOUPDATER": "1", "DISABLE_ERROR_REPORTING": "1", **(env or {})}
    proc = run([cli("claude"), "-p", prompt, "--output-format", "stream-json", "--verbose",
                "--permission-mode", "acceptEdits", *flags], project.root, session_env(project, home, extra))
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def install(project, agents: str = "claude") -> None:
    project.ok("init", "--agents", agents)


def watch_file(model: FakeModel, needle: str, path):
    """Record the file's content at the moment the model is first shown `needle`."""
    seen = {}

    def on_request(request):
        if "text" not in seen and request.turn >= 0 and needle in request.text():
            seen["text"] = path.read_text() if path.exists() else None

    model.on_request = on_request
    return seen


def system_context(request) -> str:
    return "\n".join(m["content"] for m in request.body["messages"]
                     if m.get("role") == "system" and isinstance(m.get("content"), str))


def test_the_lesson_arrives_with_the_read_before_the_edit(remembered, agent_home):
    install(remembered)
    app = remembered.root / "src/app.py"
    turns = [[call("Read", {"file_path": str(app)})],
             [call("Edit", {"file_path": str(app), "old_string": "RETRIES = 3", "new_string": "RETRIES = 3  # ok"})],
             [say("Done.")]]
    with FakeModel(turns) as model:
        before = watch_file(model, APP_MEMORY, app)
        claude(remembered, agent_home, model, "tidy src/app.py")
    first = model.main_requests()[0]
    start = system_context(first)
    assert start.startswith("SessionStart hook additional context: IMI project memory")
    assert "# IMI context" in start and len(start) < 10_000
    shown = model.first_showing(APP_MEMORY)
    assert shown is not None and shown.turn == 1  # with the Read's result, before the model writes the Edit
    assert before["text"] == "RETRIES = 3\n"  # the file was unchanged when the model first saw the lesson
    assert LESSON in shown.text() and "keep RETRIES at 3" in shown.text()
    assert app.read_text() == "RETRIES = 3  # ok\n"  # and the edit then went through, not refused
    later = model.main_requests()[2].text()
    assert later.count(APP_MEMORY) == 1  # once per session: the edit did not repeat it


def test_a_new_file_under_a_remembered_folder_is_refused_once_with_the_decision(remembered, agent_home):
    install(remembered)
    new = remembered.root / "src/auth/tokens.py"
    write = call("Write", {"file_path": str(new), "content": "TOKENS = {}\n"})
    with FakeModel([[write], [write], [say("Done.")]]) as model:
        before = watch_file(model, "IMI: not yet applied", new)
        claude(remembered, agent_home, model, "add a token store")
    refused = model.first_showing("IMI: not yet applied")
    assert refused is not None and refused.turn == 1
    assert before["text"] is None  # nothing was written when the model read why
    assert DECISION in refused.text()
    tool_results = [block for block in refused.body["messages"][-1]["content"] if block.get("type") == "tool_result"]
    assert tool_results and tool_results[0].get("is_error") is True
    assert new.read_text() == "TOKENS = {}\n"  # the second attempt was let through
    assert sum("IMI: not yet applied" in r.text() for r in model.main_requests()[2:3]) == 1  # no second refusal


def test_an_unrelated_file_gets_no_memory(remembered, agent_home):
    install(remembered)
    other = remembered.root / "src/other.py"
    turns = [[call("Read", {"file_path": str(other)})],
             [call("Edit", {"file_path": str(other), "old_string": "'other'", "new_string": "'renamed'"})],
             [say("Done.")]]
    with FakeModel(turns) as model:
        claude(remembered, agent_home, model, "rename other")
    assert other.read_text() == "NAME = 'renamed'\n"
    for request in model.main_requests():
        messages = json.dumps(request.body["messages"][2:])  # everything after the prompt and session context
        assert "IMI:" not in messages


def test_mcp_tools_are_offered_in_the_first_turn_and_a_call_lands_in_the_database(remembered, agent_home):
    install(remembered)
    decide = call("mcp__imi__decide", {"what": "retry with jitter", "why": "thundering herd",
                                       "files": ["src/app.py"]})
    with FakeModel([[decide], [say("Recorded.")]]) as model:
        claude(remembered, agent_home, model, "record the retry decision", "--allowedTools", "mcp__imi")
    first = model.main_requests()[0]
    offered = {tool["name"] for tool in first.body["tools"]}
    assert {"mcp__imi__context", "mcp__imi__file_memory", "mcp__imi__decide", "mcp__imi__start"} <= offered
    result = model.main_requests()[1].body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and not result.get("is_error")
    assert "Recorded decision" in json.dumps(result)
    assert remembered.sql("SELECT what, why FROM decisions WHERE what LIKE 'retry%'") == [
        ("retry with jitter", "thundering herd")]


def test_the_stop_reminder_comes_once_and_reads_as_a_reminder(remembered, agent_home):
    install(remembered)
    goal = remembered.new("goal", "resilience")
    task = remembered.new("task", goal, "add backoff to the client")
    remembered.ok("start", task, env={"IMI_AGENT_ID": "claude-test"})
    with FakeModel([[say("All done.")], [say("Noted; stopping.")], [say("Stopping.")]]) as model:
        claude(remembered, agent_home, model, "finish up", env={"IMI_AGENT_ID": "claude-test"})
    reminders = [r for r in model.main_requests() if "Reminder from IMI (not an error)" in r.text()]
    assert len(reminders) == 1 and reminders[0].turn == 1  # one extra turn, no more
    assert task in reminders[0].text() and f"imi complete {task}" in reminders[0].text()
    assert len(model.main_requests()) == 2
