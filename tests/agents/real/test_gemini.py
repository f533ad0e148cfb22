"""The real Gemini CLI (`gemini -p`), headless, against a scripted fake generateContent API on 127.0.0.1.

The project is set up by `imi init --agents gemini` (.gemini/settings.json hooks and MCP server,
GEMINI.md). The private home marks the project folder trusted (Gemini CLI ignores a project's
settings otherwise) and picks API-key auth; the model is named so that no routing requests are made.
"""

from __future__ import annotations

import json

import pytest

from agent_clis import cli, run, session_env
from fake_model import FakeModel, call, say

pytestmark = pytest.mark.slow

APP_MEMORY = "IMI: recorded lessons and decisions name src/app.py"


def gemini(project, home, model: FakeModel, prompt: str, env=None):
    settings = home / ".gemini"
    settings.mkdir(exist_ok=True)
    (settings / "settings.json").write_text(json.dumps({
        "security": {"auth": {"selectedType": "gemini-api-key"}, "folderTrust": {"enabled": True}},
        "privacy": {"usageStatisticsEnabled": False}}))
    (settings / "trustedFolders.json").write_text(json.dumps({str(project.root): "TRUST_FOLDER"}))
    extra = {"GOOGLE_GEMINI_BASE_URL": model.url, "GEMINI_API_KEY": "test-key-not-secret", **(env or {})}
    run([cli("gemini"), "-p", prompt, "-m", "gemini-2.5-pro", "--yolo", "--output-format", "json"],
        project.root, session_env(project, home, extra))


def test_context_the_lesson_with_read_file_and_an_unseen_write_refused_once(remembered, agent_home):
    remembered.ok("init", "--agents", "gemini")
    app = remembered.root / "src/app.py"
    new = remembered.root / "src/auth/tokens.py"
    write = call("write_file", {"file_path": str(new), "content": "TOKENS = {}\n"})
    turns = [[call("read_file", {"file_path": str(app)})],
             [call("replace", {"file_path": str(app), "old_string": "RETRIES = 3",
                               "new_string": "RETRIES = 3  # checked", "instruction": "note the check"})],
             [write], [write], [say("Done.")]]
    seen = {}

    def on_request(request):
        for needle, path in ((APP_MEMORY, app), ("IMI: not yet applied", new)):
            if needle in request.text() and needle not in seen:
                seen[needle] = path.read_text() if path.exists() else None

    with FakeModel(turns) as model:
        model.on_request = on_request
        gemini(remembered, agent_home, model, "tidy src/app.py and add a token store")
    first = model.main_requests()[0]
    assert "IMI project memory for this repository" in first.text() and "<!-- imi:start -->" in first.text()
    shown = model.first_showing(APP_MEMORY)
    assert shown is not None and shown.turn == 1  # with read_file's result, before the model writes the change
    assert seen[APP_MEMORY] == "RETRIES = 3\n"
    assert app.read_text() == "RETRIES = 3  # checked\n"  # and the change then went through
    refused = model.first_showing("IMI: not yet applied")
    assert refused is not None and refused.turn == 3 and seen["IMI: not yet applied"] is None
    assert "all token code stays under src/auth" in refused.text()
    assert new.read_text() == "TOKENS = {}\n"  # the second attempt was let through


def test_mcp_tools_in_the_first_turn_a_call_lands_and_the_reminder_comes_once(remembered, agent_home):
    remembered.ok("init", "--agents", "gemini")
    goal = remembered.new("goal", "resilience")
    task = remembered.new("task", goal, "add backoff to the client")
    remembered.ok("start", task, env={"IMI_AGENT_ID": "gemini-test"})
    decide = call("mcp_imi_decide", {"what": "retry with jitter", "why": "thundering herd"})
    with FakeModel([[decide], [say("Recorded.")], [say("Stopping.")], [say("Stopping.")]]) as model:
        gemini(remembered, agent_home, model, "record the retry decision", env={"IMI_AGENT_ID": "gemini-test"})
    offered = {d["name"] for t in model.main_requests()[0].body.get("tools", []) for d in t.get("functionDeclarations", [])}
    assert {"mcp_imi_context", "mcp_imi_file_memory", "mcp_imi_decide"} <= offered
    assert "Recorded decision" in model.main_requests()[1].text()
    assert remembered.sql("SELECT what, agent FROM decisions WHERE what LIKE 'retry%'") == [
        ("retry with jitter", "gemini-test")]
    reminders = [r for r in model.main_requests() if "Reminder from IMI (not an error)" in r.text()]
    assert reminders and task in reminders[0].text()
    assert [r.turn for r in reminders] == [2] and len(model.main_requests()) == 3  # one extra turn, no more
