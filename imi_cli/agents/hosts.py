"""What each agent host sends to a hook and what it reads back: one small adapter per host.

The hook logic (imi_cli.agents.hooks) works on an `Event` and answers with an `Outcome`;
an adapter turns the host's payload into the Event and the Outcome into the JSON the
host reads. Hosts differ in event names, field names and output shapes, not in what
IMI does:

| host    | context at start      | file memory before an edit                     | stop reminder        |
|---------|-----------------------|------------------------------------------------|----------------------|
| claude  | SessionStart          | with the Read (PreToolUse), else deny the edit | Stop: block          |
| codex   | SessionStart          | with the shell read (PreToolUse), else deny    | Stop: block          |
| cursor  | sessionStart          | after the Read (postToolUse), else deny        | stop: followup       |
| gemini  | SessionStart          | after read_file (AfterTool), else deny         | AfterAgent: deny     |
| copilot | SessionStart          | after the read (PostToolUse), else deny        | Stop: block          |
"""

from __future__ import annotations

from ..memory import LazyPattern

# Tool names across hosts: reading a file, changing one, running a shell command.
READ_TOOLS = frozenset({"Read", "read_file", "readFile", "view", "NotebookRead"})
EDIT_TOOLS = frozenset({
    "Edit", "Write", "MultiEdit", "NotebookEdit",                    # Claude Code
    "apply_patch",                                                    # Codex, VS Code
    "StrReplace", "Delete",                                           # Cursor
    "write_file", "replace",                                          # Gemini CLI
    "edit", "create",                                                 # Copilot CLI
    "replace_string_in_file", "multi_replace_string_in_file", "create_file", "insert_edit_into_file",
    "editFiles", "edit_file",                                         # VS Code agent mode
})
SHELL_TOOLS = frozenset({"Bash", "Shell", "shell", "exec_command", "local_shell", "run_shell_command", "bash"})
PATH_KEYS = ("file_path", "filePath", "notebook_path", "path", "target_file")
_PATCH_PATH = LazyPattern(r"(?m)^\*\*\* (?:Update|Add|Delete) File: (.+?)\s*$|^\*\*\* Move to: (.+?)\s*$")
_SHELL_WORD = LazyPattern(r"[\w./@+-]+")
MAX_SHELL_PATHS = 20


class HookInputError(Exception):
    """The payload on stdin is missing or is not what the host sends."""


class Event:
    """One hook call, host-neutral: what happened, where, in which session."""

    __slots__ = ("kind", "when", "cwd", "session", "source", "tool", "paths", "stop_active")

    def __init__(self, kind: str, cwd: str | None, session: str | None, *, when: str = "", source: str = "",
                 tool: str = "", paths: tuple[str, ...] = (), stop_active: bool = False):
        self.kind = kind          # session_start, read, edit, shell, stop, other
        self.when = when          # before, after (tool events)
        self.cwd, self.session, self.source = cwd, session, source
        self.tool, self.paths, self.stop_active = tool, paths, stop_active


class Outcome:
    """What IMI has to say: context for the model, a reason to refuse the tool call once, a stop reminder."""

    __slots__ = ("context", "deny", "remind")

    def __init__(self, context: str = "", deny: str = "", remind: str = ""):
        self.context, self.deny, self.remind = context, deny, remind

    def __bool__(self) -> bool:
        return bool(self.context or self.deny or self.remind)


# Payload in ----------------------------------------------------------------------------------------
def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def tool_paths(tool: str, tool_input) -> tuple[str, ...]:
    """The files a tool call names (patch headers for apply_patch, path fields otherwise)."""
    if isinstance(tool_input, str):  # some hosts send the arguments as a JSON string or a raw patch
        import json

        try:
            tool_input = json.loads(tool_input)
        except ValueError:
            tool_input = {"input": tool_input}
    if not isinstance(tool_input, dict):
        return ()
    found = [tool_input[key] for key in PATH_KEYS if _text(tool_input.get(key))]
    files = tool_input.get("files")
    if isinstance(files, list):
        found += [f if isinstance(f, str) else f.get("filePath") or f.get("path") for f in files
                  if isinstance(f, (str, dict))]
    for key in ("input", "patch", "command", "cmd"):
        value = tool_input.get(key)
        if isinstance(value, list):
            value = " ".join(str(part) for part in value)
        if isinstance(value, str) and "*** " in value:
            found += [m.group(1) or m.group(2) for m in _PATCH_PATH.finditer(value)]
    return tuple(dict.fromkeys(p for p in found if _text(p)))


def shell_words(tool_input) -> tuple[str, ...]:
    """Words of a shell command that could be file paths (the hook keeps those that exist)."""
    command = (tool_input.get("command") or tool_input.get("cmd")) if isinstance(tool_input, dict) else None
    if isinstance(command, list):
        command = " ".join(str(part) for part in command)
    if not isinstance(command, str):
        return ()
    words = [w for w in _SHELL_WORD.findall(command) if ("/" in w or "." in w) and not w.startswith("-")]
    return tuple(dict.fromkeys(words))[:MAX_SHELL_PATHS]


def tool_event(tool, tool_input, when: str, cwd, session) -> Event:
    """A tool call as an Event: read, edit or shell with the paths it names; `other` for everything else."""
    if not isinstance(tool, str):
        raise HookInputError("the tool payload has no tool_name")
    if tool in EDIT_TOOLS or tool in READ_TOOLS:
        kind = "edit" if tool in EDIT_TOOLS else "read"
        paths = tool_paths(tool, tool_input)
        if not paths:
            raise HookInputError(f"the {tool} payload names no file")
        return Event(kind, cwd, session, when=when, tool=tool, paths=paths)
    if tool in SHELL_TOOLS:
        patched = tool_paths(tool, tool_input)  # `apply_patch <<EOF ... EOF` run as a command is an edit
        if patched:
            return Event("edit", cwd, session, when=when, tool=tool, paths=patched)
        return Event("shell", cwd, session, when=when, tool=tool, paths=shell_words(tool_input))
    return Event("other", cwd, session, when=when, tool=tool)


class Host:
    """The Claude Code shape, which Codex, Gemini CLI and Copilot (VS Code format) share with small changes."""

    name = "claude"
    session_key = "session_id"
    stop_shape = ("decision", "block")  # (field, value) that keeps the agent going with the reminder

    def event(self, hook: str, payload: dict) -> Event:
        cwd = _text(payload.get("cwd"))
        session = _text(payload.get(self.session_key))
        if hook == "session-start":
            return Event("session_start", cwd, session, source=str(payload.get("source") or "startup"))
        if hook == "stop":
            return Event("stop", cwd, session, stop_active=payload.get("stop_hook_active") is True)
        when = "before" if hook == "pre-tool-use" else "after"
        return tool_event(payload.get("tool_name"), payload.get("tool_input"), when, cwd, session)

    def output(self, hook: str, event: Event, outcome: Outcome) -> dict | None:
        if outcome.remind:
            field, value = self.stop_shape
            return {field: value, "reason": outcome.remind}
        name = self.event_name(hook)
        if outcome.deny:
            return {"hookSpecificOutput": {"hookEventName": name, "permissionDecision": "deny",
                                           "permissionDecisionReason": outcome.deny}}
        if outcome.context:
            return {"hookSpecificOutput": {"hookEventName": name, "additionalContext": outcome.context}}
        return None

    def event_name(self, hook: str) -> str:
        return {"session-start": "SessionStart", "pre-tool-use": "PreToolUse", "post-tool-use": "PostToolUse",
                "stop": "Stop"}[hook]


class Codex(Host):
    name = "codex"


class Copilot(Host):
    """GitHub Copilot CLI and VS Code agent mode, configured with PascalCase events (the VS Code format)."""

    name = "copilot"

    def event(self, hook: str, payload: dict) -> Event:
        if "sessionId" in payload and "session_id" not in payload:
            payload = {**payload, "session_id": payload["sessionId"]}
        if "toolName" in payload and "tool_name" not in payload:  # the camelCase format, if configured so
            payload = {**payload, "tool_name": payload["toolName"], "tool_input": payload.get("toolArgs")}
        return super().event(hook, payload)


class Gemini(Host):
    name = "gemini"
    stop_shape = ("decision", "deny")  # AfterAgent: "deny" sends the reason back as a new turn

    def output(self, hook: str, event: Event, outcome: Outcome) -> dict | None:
        if outcome.deny:
            return {"decision": "deny", "reason": outcome.deny}
        return super().output(hook, event, outcome)

    def event_name(self, hook: str) -> str:
        return {"session-start": "SessionStart", "pre-tool-use": "BeforeTool", "post-tool-use": "AfterTool",
                "stop": "AfterAgent"}[hook]


class Cursor(Host):
    name = "cursor"
    session_key = "conversation_id"

    def event(self, hook: str, payload: dict) -> Event:
        roots = payload.get("workspace_roots")
        if not _text(payload.get("cwd")) and isinstance(roots, list) and roots and _text(roots[0]):
            payload = {**payload, "cwd": roots[0]}
        if hook == "stop":  # Cursor counts its own follow-ups; IMI reminds once per task anyway
            return Event("stop", _text(payload.get("cwd")), _text(payload.get(self.session_key)),
                         stop_active=bool(payload.get("loop_count")))
        return super().event(hook, payload)

    def output(self, hook: str, event: Event, outcome: Outcome) -> dict | None:
        if outcome.remind:
            return {"followup_message": outcome.remind}
        if outcome.deny:
            return {"permission": "deny", "agent_message": outcome.deny,
                    "user_message": "IMI showed the agent the project memory for this file first."}
        if outcome.context:
            return {"additional_context": outcome.context}
        return None


HOSTS = {host.name: host for host in (Host(), Codex(), Cursor(), Gemini(), Copilot())}
