"""`imi init --agents ...` writes each host's hooks and MCP entries into its own config files, merged
with the user's entries, idempotent, and `--remove` takes out exactly what it added."""

from __future__ import annotations

import json
import tomllib

import pytest

HOST_FILES = {
    "claude": [".claude/settings.json", ".mcp.json"],
    "codex": [".codex/hooks.json", ".codex/config.toml"],
    "cursor": [".cursor/hooks.json", ".cursor/mcp.json"],
    "gemini": [".gemini/settings.json"],
    "copilot": [".github/hooks/imi.json", ".vscode/mcp.json"],
}


def read_json(project, rel):
    return json.loads((project.root / rel).read_text())


def commands(config: dict) -> list[str]:
    """Every hook command in a hooks table, in order."""
    out = []
    for entries in config.get("hooks", {}).values():
        for entry in entries:
            out += [h["command"] for h in entry.get("hooks", [entry])]
    return out


def snapshot(project) -> dict:
    return {p.relative_to(project.root).as_posix(): p.read_bytes() for p in project.root.rglob("*")
            if p.is_file() and ".imi" not in p.parts}


@pytest.mark.parametrize("host", sorted(HOST_FILES))
def test_each_host_gets_hooks_and_the_mcp_server(project, host):
    out = project.ok("init", "--agents", host).out
    for rel in HOST_FILES[host]:
        assert (project.root / rel).is_file(), rel
        assert f"{rel} ({host}): added" in out
    if host == "codex":
        hooks = read_json(project, ".codex/hooks.json")
        toml = tomllib.loads((project.root / ".codex/config.toml").read_text())
        assert toml["mcp_servers"]["imi"]["command"] == "imi" and toml["mcp_servers"]["imi"]["args"] == ["mcp"]
    else:
        hooks = read_json(project, HOST_FILES[host][0])
        mcp = read_json(project, HOST_FILES[host][-1])
        servers = mcp.get("mcpServers") or mcp["servers"]
        assert servers["imi"]["command"] == "imi" and servers["imi"]["args"] == ["mcp"]
    cmds = commands(hooks)
    assert any(c.startswith("imi hook session-start") for c in cmds)
    assert any(c.startswith("imi hook stop") for c in cmds)
    assert all(c.startswith("imi hook ") for c in cmds)
    assert all(("--host" in c) == (host != "claude") for c in cmds)
    if host in ("cursor", "copilot"):
        assert hooks["version"] == 1


def test_user_entries_are_kept_and_a_second_run_changes_nothing(project):
    settings = {"permissions": {"allow": ["Bash(npm test)"]},
                "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]}}
    project.file(".claude/settings.json", json.dumps(settings))
    project.file(".mcp.json", json.dumps({"mcpServers": {"db": {"command": "db-mcp"}}}))
    project.file(".codex/config.toml", 'model = "o3"\n\n[mcp_servers.db]\ncommand = "db-mcp"\n')
    project.ok("init", "--agents", "claude,codex")
    merged = read_json(project, ".claude/settings.json")
    assert merged["permissions"] == settings["permissions"]
    assert commands(merged)[0] == "notify-send done" and "imi hook stop" in commands(merged)
    assert read_json(project, ".mcp.json")["mcpServers"]["db"] == {"command": "db-mcp"}
    toml = tomllib.loads((project.root / ".codex/config.toml").read_text())
    assert toml["model"] == "o3" and set(toml["mcp_servers"]) == {"db", "imi"}
    before = snapshot(project)
    again = project.ok("init", "--agents", "claude,codex").out
    assert snapshot(project) == before
    assert "added" not in again and "updated" not in again


def test_remove_takes_out_exactly_what_was_added(project):
    project.file(".claude/settings.json", json.dumps({"model": "opus", "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh"}]}]}}))
    project.file(".codex/config.toml", 'model = "o3"\n')
    user_files = snapshot(project)
    project.ok("init", "--agents", "all")
    project.ok("init", "--agents", "all", "--remove")
    after = snapshot(project)
    assert set(after) == set(user_files)  # files IMI created are gone again
    assert json.loads(after[".claude/settings.json"]) == json.loads(user_files[".claude/settings.json"])
    assert after[".codex/config.toml"] == user_files[".codex/config.toml"]


def test_a_users_own_imi_server_is_left_alone(project):
    project.file(".cursor/mcp.json", json.dumps({"mcpServers": {"imi": {"command": "/opt/imi/bin/imi-mcp"}}}))
    project.ok("init", "--agents", "cursor")
    assert read_json(project, ".cursor/mcp.json")["mcpServers"]["imi"] == {"command": "/opt/imi/bin/imi-mcp"}
    project.ok("init", "--agents", "cursor", "--remove")
    assert read_json(project, ".cursor/mcp.json")["mcpServers"]["imi"] == {"command": "/opt/imi/bin/imi-mcp"}


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"hooks": [1]}'])
def test_a_broken_config_file_is_one_line_and_nothing_is_written(project, text):
    project.file(".gemini/settings.json", text)
    before = snapshot(project)
    result = project.fail("init", "--agents", "claude,gemini", code=1)
    assert ".gemini/settings.json" in result.err and len(result.err.strip().splitlines()) == 1
    assert snapshot(project) == before  # not even CLAUDE.md
