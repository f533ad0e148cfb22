"""The Claude Code plugin in editors/claude-code: its manifests point at each other and at real hook commands."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from imi_cli.agents import hooks, hosts

REPO = Path(__file__).resolve().parents[2]
# Hook events Claude Code sends (hooks reference); the plugin must only use these.
CLAUDE_EVENTS = {"PreToolUse", "PostToolUse", "UserPromptSubmit", "Notification", "Stop", "SubagentStop",
                 "PreCompact", "SessionStart", "SessionEnd"}


def load(rel: str) -> dict:
    return json.loads((REPO / rel).read_text())


def test_the_marketplace_lists_the_plugin_by_a_relative_source():
    market = load(".claude-plugin/marketplace.json")
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", market["name"])
    assert market["owner"]["name"]
    [entry] = market["plugins"]
    assert entry["source"].startswith("./")  # relative sources resolve from the repository root
    plugin_dir = REPO / entry["source"]
    manifest = json.loads((plugin_dir / ".claude-plugin" / "plugin.json").read_text())
    assert manifest["name"] == entry["name"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert (plugin_dir / "hooks" / "hooks.json").is_file()
    assert (plugin_dir / "README.md").is_file()


def test_every_hook_runs_an_imi_hook_event_the_cli_knows():
    config = load("editors/claude-code/hooks/hooks.json")["hooks"]
    assert set(config) <= CLAUDE_EVENTS
    used = {}
    for event, groups in config.items():
        for group in groups:
            for handler in group["hooks"]:
                assert handler["type"] == "command"
                argv = shlex.split(handler["command"])
                assert argv[:2] == ["imi", "hook"] and argv[2] in hooks.EVENTS, handler["command"]
                assert 0 < handler["timeout"] <= 30
                used[event] = (argv[2], group.get("matcher"))
    assert used["SessionStart"][0] == "session-start"
    assert used["Stop"][0] == "stop"
    assert used["PreToolUse"][0] == "pre-tool-use"
    matched = set(used["PreToolUse"][1].split("|"))
    assert matched == {"Read", "Edit", "Write", "MultiEdit", "NotebookEdit"}  # only file tools start the process
    assert matched <= hosts.READ_TOOLS | hosts.EDIT_TOOLS
