"""`imi hook EVENT --host H`: each host's payload in, each host's output shape out, one behaviour.

Payload shapes follow each host's hooks reference (Codex: Claude-compatible fields and an
apply_patch envelope; Cursor: conversation_id, workspace_roots, camelCase events and
snake_case outputs; Gemini CLI: BeforeTool/AfterTool/AfterAgent; Copilot: the VS Code
compatible PascalCase format, and the camelCase one with toolArgs as a JSON string).
"""

from __future__ import annotations

import json

import pytest

from test_hooks import hook, remembered  # noqa: F401 - the fixture

PATCH = """*** Begin Patch
*** Update File: src/auth/refresh.py
@@
-a = 1
+a = 2
*** End Patch
"""


def run(project, event: str, host: str, payload: dict) -> dict | None:
    result = hook(project, event, payload, args=("--host", host))
    assert result.code == 0 and result.err == "", str(result)
    return result.json() if result.out else None


def test_codex_apply_patch_is_refused_once_with_the_memory(remembered):
    payload = {"session_id": "codex-1", "cwd": str(remembered.root), "hook_event_name": "PreToolUse",
               "tool_name": "apply_patch", "tool_input": {"command": PATCH}, "turn_id": "t1"}
    out = run(remembered, "pre-tool-use", "codex", payload)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny" and "single-flight mutex" in out["permissionDecisionReason"]
    assert run(remembered, "pre-tool-use", "codex", payload) is None


def test_codex_shell_read_brings_the_memory_as_context(remembered):
    payload = {"session_id": "codex-2", "cwd": str(remembered.root), "hook_event_name": "PreToolUse",
               "tool_name": "exec_command", "tool_input": {"cmd": "x", "command": ["cat", "src/auth/refresh.py"]}}
    out = run(remembered, "pre-tool-use", "codex", payload)["hookSpecificOutput"]
    assert "single-flight mutex" in out["additionalContext"]


def test_cursor_shapes(remembered):
    base = {"conversation_id": "conv-1", "generation_id": "g", "workspace_roots": [str(remembered.root)]}
    start = run(remembered, "session-start", "cursor", {**base, "hook_event_name": "sessionStart"})
    assert "# IMI context" in start["additional_context"]
    after_read = run(remembered, "post-tool-use", "cursor", {
        **base, "hook_event_name": "postToolUse", "tool_name": "Read",
        "tool_input": {"file_path": str(remembered.root / "src/auth/refresh.py")}})
    assert "single-flight mutex" in after_read["additional_context"]
    denied = run(remembered, "pre-tool-use", "cursor", {
        **base, "conversation_id": "conv-2", "hook_event_name": "preToolUse", "tool_name": "Write",
        "tool_input": {"file_path": str(remembered.root / "notebooks/explore.ipynb")}})
    assert denied["permission"] == "deny" and "notebooks are scratch space" in denied["agent_message"]


def test_gemini_shapes(remembered):
    base = {"session_id": "gem-1", "cwd": str(remembered.root), "timestamp": "2026-11-30T12:00:00Z"}
    after_read = run(remembered, "post-tool-use", "gemini", {
        **base, "hook_event_name": "AfterTool", "tool_name": "read_file",
        "tool_input": {"file_path": "src/auth/refresh.py"}, "tool_response": {}})
    assert after_read["hookSpecificOutput"]["hookEventName"] == "AfterTool"
    assert "single-flight mutex" in after_read["hookSpecificOutput"]["additionalContext"]
    denied = run(remembered, "pre-tool-use", "gemini", {
        **base, "session_id": "gem-2", "hook_event_name": "BeforeTool", "tool_name": "write_file",
        "tool_input": {"file_path": "src/auth/session.py", "content": "x"}})
    assert denied["decision"] == "deny" and "all token code stays under src/auth" in denied["reason"]


@pytest.mark.parametrize("payload", [
    {"sessionId": "cp-1", "toolName": "edit", "toolArgs": json.dumps({"path": "src/auth/refresh.py"})},
    {"session_id": "cp-2", "tool_name": "edit", "tool_input": {"path": "src/auth/refresh.py"}},
    {"session_id": "cp-3", "tool_name": "replace_string_in_file", "tool_input": {"filePath": "src/auth/refresh.py"}},
])
def test_copilot_and_vscode_edits_are_refused_once(remembered, payload):
    payload = {**payload, "cwd": str(remembered.root), "timestamp": 1704614400000}
    out = run(remembered, "pre-tool-use", "copilot", payload)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny" and "single-flight mutex" in out["permissionDecisionReason"]


def test_an_unknown_host_is_a_usage_error(remembered):
    result = hook(remembered, "pre-tool-use", {}, args=("--host", "emacs"))
    assert result.code == 2 and "emacs" in result.err and "Traceback" not in result.err


BAD_PAYLOADS = [
    "",
    "not json",
    "[]",
    "null",
    '{"tool_name": ["Edit"], "tool_input": {"file_path": "x"}}',
    '{"tool_name": "Edit", "tool_input": [1, 2]}',
    '{"tool_name": "Read", "tool_input": {"file_path": 42}}',
    '{"tool_name": "Write", "tool_input": {"file_path": "src/\\u0000evil.py"}}',
    '{"tool_name": "Edit", "tool_input": {"file_path": "/etc/passwd"}, "cwd": 7, "session_id": {"a": 1}}',
    '{"tool_name": "Edit", "tool_input": {"file_path": "../../outside.py"}}',
    '{"tool_name": "apply_patch", "tool_input": {"command": "*** Update File: \\u202e.py"}}',
    '{"tool_name": "TotallyUnknownTool", "tool_input": {"file_path": "src/auth/refresh.py"}}',
    '{"workspace_roots": "not a list", "conversation_id": 5, "stop_hook_active": "yes", "loop_count": "x"}',
]


@pytest.mark.parametrize("host", ["claude", "codex", "cursor", "gemini", "copilot"])
def test_no_payload_breaks_a_session_in_any_host(remembered, host, monkeypatch, tmp_path):
    """In-process over every host, event and bad payload (the process-level contract is checked below)."""
    from imi_cli.agents import hooks

    monkeypatch.chdir(remembered.root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for key, value in remembered.env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    for event in hooks.EVENTS:
        for stdin in BAD_PAYLOADS:
            reply = hooks.handle(event, stdin, None, host)
            assert "\n" not in reply.note and "Traceback" not in reply.note, (event, stdin, reply.note)
            if reply.payload is not None:  # anything printed is the host's own JSON shape, never an error
                assert "error" not in reply.payload, (event, stdin[:80], reply.payload)


@pytest.mark.parametrize("stdin", ["", "not json", json.dumps({
    "tool_name": "Read", "session_id": "s", "tool_input": {"file_path": "src/" + "x" * 5_000_000 + ".py"}})])
def test_a_bad_or_huge_payload_is_exit_0_and_at_most_one_line(remembered, stdin):
    result = hook(remembered, "pre-tool-use", stdin, args=("--host", "codex"))
    assert result.code == 0 and result.out == "", str(result)[:500]
    assert "Traceback" not in result.err and len(result.err.splitlines()) <= 1, str(result)[:500]


def test_an_edit_outside_the_project_is_quiet(remembered):
    payload = {"session_id": "s", "cwd": str(remembered.root), "tool_name": "Edit",
               "tool_input": {"file_path": "/etc/hosts"}}
    result = hook(remembered, "pre-tool-use", payload)
    assert (result.code, result.out, result.err) == (0, "", "")
