"""The real Codex CLI (`codex exec`), headless, against a scripted fake Responses API on 127.0.0.1.

The project is set up by `imi init --agents codex` (.codex/hooks.json, .codex/config.toml, AGENTS.md).
Codex runs a repository's hooks only once the user has reviewed them (`/hooks` in the TUI);
`--dangerously-bypass-hook-trust` stands for that review here. The project itself is marked
trusted in the private CODEX_HOME, as a user does when Codex first opens it.
"""

from __future__ import annotations

import json

import pytest

from agent_clis import cli, run, session_env
from fake_model import FakeModel, call, say

pytestmark = pytest.mark.slow

APP_MEMORY = "IMI: recorded lessons and decisions name src/app.py"
PATCH = ("apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: src/app.py\n@@\n-RETRIES = 3\n"
         "+RETRIES = 3  # checked\n*** End Patch\nEOF\n")


def codex(project, home, model: FakeModel, prompt: str, env=None):
    codex_home = home / ".codex"
    codex_home.mkdir(exist_ok=True)
    (codex_home / "config.toml").write_text(
        f'model = "gpt-5.1-codex"\nmodel_provider = "fake"\napproval_policy = "never"\n'
        f'sandbox_mode = "workspace-write"\n\n[model_providers.fake]\nname = "fake"\n'
        f'base_url = "{model.url}/v1"\nwire_api = "responses"\n\n'
        f'[projects."{project.root}"]\ntrust_level = "trusted"\n')
    extra = {"CODEX_HOME": str(codex_home), "OPENAI_API_KEY": "test-key-not-secret", **(env or {})}
    run([cli("codex"), "exec", "--skip-git-repo-check", "--dangerously-bypass-hook-trust", "--json", prompt],
        project.root, session_env(project, home, extra))


def developer_texts(request) -> list[str]:
    return [part["text"] for item in request.body["input"] if item.get("role") == "developer"
            for part in item.get("content", []) if part.get("type") == "input_text"]


def test_session_context_agents_md_and_the_lesson_before_the_patch(remembered, agent_home):
    remembered.ok("init", "--agents", "codex")
    app = remembered.root / "src/app.py"
    turns = [[call("exec_command", {"cmd": "cat src/app.py"})], [call("exec_command", {"cmd": PATCH})],
             [say("Done.")]]
    with FakeModel(turns) as model:
        codex(remembered, agent_home, model, "tidy src/app.py")
    first = model.main_requests()[0]
    assert any(t.startswith("IMI project memory for this repository") for t in developer_texts(first))
    assert "<!-- imi:start -->" in first.text()  # AGENTS.md's IMI section
    shown = model.first_showing(APP_MEMORY)
    assert shown is not None and shown.turn == 1  # with the output of `cat`, before the model writes the patch
    assert "raising RETRIES above 3 got us rate-limited" in shown.text()
    assert app.read_text() == "RETRIES = 3  # checked\n"  # the patch went through: the lesson was seen
    assert model.main_requests()[2].text().count(APP_MEMORY) == 1


def test_an_unseen_patch_is_refused_once_and_the_file_stays_unchanged(remembered, agent_home):
    remembered.ok("init", "--agents", "codex")
    app = remembered.root / "src/app.py"
    seen = {}

    def on_request(request):
        if "IMI: not yet applied" in request.text() and "text" not in seen:
            seen["text"] = app.read_text()

    with FakeModel([[call("exec_command", {"cmd": PATCH})], [call("exec_command", {"cmd": PATCH})],
                    [say("Done.")]]) as model:
        model.on_request = on_request
        codex(remembered, agent_home, model, "tidy src/app.py")
    refused = model.first_showing("IMI: not yet applied")
    assert refused is not None and refused.turn == 1
    assert seen["text"] == "RETRIES = 3\n"
    assert "keep RETRIES at 3 and back off instead" in refused.text()
    assert app.read_text() == "RETRIES = 3  # checked\n"


def test_mcp_tools_in_the_first_turn_a_call_lands_and_the_stop_reminder_comes_once(remembered, agent_home):
    remembered.ok("init", "--agents", "codex")
    goal = remembered.new("goal", "resilience")
    task = remembered.new("task", goal, "add backoff to the client")
    remembered.ok("start", task, env={"IMI_AGENT_ID": "codex-test"})
    decide = call("decide", {"what": "retry with jitter", "why": "thundering herd"}, namespace="mcp__imi")
    with FakeModel([[decide], [say("Recorded.")], [say("Stopping.")], [say("Stopping.")]]) as model:
        codex(remembered, agent_home, model, "record the retry decision", env={"IMI_AGENT_ID": "codex-test"})
    tools = {tool.get("name"): tool for tool in model.main_requests()[0].body["tools"]}
    assert "mcp__imi" in tools
    assert {"context", "file_memory", "decide", "start"} <= {t["name"] for t in tools["mcp__imi"]["tools"]}
    outputs = [item for item in model.main_requests()[1].body["input"] if item.get("type") == "function_call_output"]
    assert outputs and "Recorded decision" in json.dumps(outputs[-1])
    assert remembered.sql("SELECT what, agent FROM decisions WHERE what LIKE 'retry%'") == [
        ("retry with jitter", "codex-test")]
    reminders = [r for r in model.main_requests() if "Reminder from IMI (not an error)" in r.text()]
    assert len(reminders) == 1 and task in reminders[0].text()
