"""Files renamed with git are followed on every read path (issue 14): `imi context --file NEWPATH`,
the pre-edit hook and MCP's file_memory show the old path's memory at once, and the stored path
moves quietly, without anyone running `imi check --stale` first."""

from __future__ import annotations

import json
import subprocess

from anchor_git import commit, git
from imi_testing import IMI

APP = "import os\n\n\ndef retry(call):\n    for attempt in range(3):\n        call()\n\n\ndef other():\n    return 1\n"


def _moved(repo) -> tuple[str, str]:
    (repo.root / "src").mkdir()
    (repo.root / "src" / "app.py").write_text(APP)
    commit(repo, "code")
    repo.ok("init")
    anchored = repo.new("lesson", "the retry must be bounded", "--correct-behavior", "three tries",
                        "--files", "src/app.py#retry")
    plain = repo.new("decide", "app.py stays small", "it is read on every start", "--files", "src/app.py")
    git(repo.root, "mv", "src/app.py", "src/main.py")
    return anchored, plain


def _paths(repo, record_id: str) -> list[str]:
    return [f["path"] for f in repo.json("show", record_id)["files"]]


def test_context_for_the_new_path_shows_the_memory_and_the_stored_path_follows(repo):
    anchored, plain = _moved(repo)
    out = repo.ok("context", "--file", "src/main.py").out
    assert "the retry must be bounded" in out and "app.py stays small" in out
    assert "STALE" not in out
    assert _paths(repo, anchored) == ["src/main.py"] and _paths(repo, plain) == ["src/main.py"]
    assert repo.json("check", "--stale")["stale"] == []


def test_the_pre_edit_hook_for_the_new_path_has_the_lesson(repo):
    _moved(repo)
    payload = {"session_id": "s1", "cwd": str(repo.root), "hook_event_name": "PreToolUse", "tool_name": "Edit",
               "tool_input": {"file_path": str(repo.root / "src/main.py"), "old_string": "a", "new_string": "b"}}
    proc = subprocess.run([*IMI, "hook", "pre-tool-use"], input=json.dumps(payload), text=True, cwd=repo.root,
                          env=repo.process_env(), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)["hookSpecificOutput"]  # as context, or as the reason an edit waits for a read
    assert "the retry must be bounded" in (shown.get("additionalContext") or shown.get("permissionDecisionReason"))


def _mcp_call(repo, tool: str, arguments: dict) -> str:
    """One tool call to `imi mcp` over stdio, as newline-delimited JSON-RPC."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": tool, "arguments": arguments}},
    ]
    proc = subprocess.Popen([*IMI, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=repo.root, env=repo.process_env())
    try:
        for message in messages:
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            answer = json.loads(line)
            if answer.get("id") == 2:
                return "\n".join(block["text"] for block in answer["result"]["content"] if block["type"] == "text")
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


def test_mcp_file_memory_for_the_new_path_has_the_lesson(repo):
    _moved(repo)
    assert "the retry must be bounded" in _mcp_call(repo, "file_memory", {"path": "src/main.py"})


def test_a_file_deleted_for_good_changes_nothing(repo):
    anchored, _ = _moved(repo)
    git(repo.root, "rm", "-q", "-f", "src/main.py")
    out = repo.ok("context", "--file", "src/other.py").out
    assert "no lessons, decisions or tasks name this file" in out
    assert _paths(repo, anchored) == ["src/app.py"]
    assert {a["status"] for a in repo.run("check", "--stale", "--json").json()["stale"]} == {"orphaned"}


def test_the_session_context_names_the_new_path(repo):
    _moved(repo)
    out = repo.ok("context").out
    assert "src/main.py" in out and "src/app.py" not in out
