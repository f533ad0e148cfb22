"""`imi init --agents`: IMI's hooks and MCP server in each agent host's own configuration files.

Each host gets the strongest integration it allows (see docs/agents.md): hooks that run
`imi hook EVENT --host NAME`, and `imi mcp` as an MCP server. Entries are merged into
existing files without touching the user's own: IMI's hook entries are the ones whose
command starts with `imi hook `, its MCP server is the one named `imi` running `imi mcp`.
Running it again changes nothing; `--remove` takes out exactly those entries again (and
deletes a file that held nothing else). A file that cannot be parsed is reported in one
line before anything is written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..memory import ImiError

MARK = "imi hook "
MCP_ENTRY = {"command": "imi", "args": ["mcp"]}
TOML_START, TOML_END = "# imi:start (added by `imi init --agents codex`)", "# imi:end"
TOML_BLOCK = (f'{TOML_START}\n[mcp_servers.imi]\ncommand = "imi"\nargs = ["mcp"]\n'
              f'env_vars = ["IMI_AGENT_ID", "IMI_DB"]\n{TOML_END}\n')


def _command(event: str, host: str) -> str:
    return f"{MARK}{event}" + ("" if host == "claude" else f" --host {host}")


def _claude_style(host: str, events: dict[str, tuple[str, str | None]], unit: int = 1) -> dict:
    """{"EventName": [{"matcher": ..., "hooks": [{"type": "command", "command": ..., "timeout": 10}]}]};
    `unit` 1000 for hosts that count the timeout in milliseconds (Gemini CLI)."""
    out = {}
    for name, (event, matcher) in events.items():
        group = {"matcher": matcher} if matcher else {}
        seconds = 15 if event == "session-start" else 10
        group["hooks"] = [{"type": "command", "command": _command(event, host), "timeout": seconds * unit}]
        out[name] = [group]
    return out


def claude_hooks() -> dict:
    return _claude_style("claude", {"SessionStart": ("session-start", None),
                                    "PreToolUse": ("pre-tool-use", "Read|Edit|Write|MultiEdit|NotebookEdit"),
                                    "Stop": ("stop", None)})


def codex_hooks() -> dict:
    return _claude_style("codex", {"SessionStart": ("session-start", "startup|resume|clear"),
                                   "PreToolUse": ("pre-tool-use", "apply_patch|Bash|shell|exec_command"),
                                   "Stop": ("stop", None)})


def gemini_hooks() -> dict:
    return _claude_style("gemini", {"SessionStart": ("session-start", None),
                                    "BeforeTool": ("pre-tool-use", "write_file|replace"),
                                    "AfterTool": ("post-tool-use", "read_file"),
                                    "AfterAgent": ("stop", None)}, unit=1000)


def cursor_hooks() -> dict:
    events = {"sessionStart": ("session-start", None), "preToolUse": ("pre-tool-use", "Write|Edit|StrReplace|Delete"),
              "postToolUse": ("post-tool-use", "Read"), "stop": ("stop", None)}
    return {name: [{"command": _command(event, "cursor"), **({"matcher": matcher} if matcher else {})}]
            for name, (event, matcher) in events.items()}


def copilot_hooks() -> dict:
    """PascalCase events (the VS Code compatible format Copilot CLI also reads): `command` for VS Code,
    `bash` for Copilot CLI and the cloud agent."""
    events = {"SessionStart": "session-start", "PreToolUse": "pre-tool-use", "PostToolUse": "post-tool-use",
              "Stop": "stop"}
    return {name: [{"type": "command", "command": _command(event, "copilot"), "bash": _command(event, "copilot"),
                    "timeout": 10, "timeoutSec": 10}] for name, event in events.items()}


# (relative path, what to merge into it): "hooks" with a builder, "mcp" with the key of the server table.
PIECES = {
    "claude": [(".claude/settings.json", "hooks", claude_hooks), (".mcp.json", "mcp", "mcpServers")],
    "codex": [(".codex/hooks.json", "hooks", codex_hooks), (".codex/config.toml", "toml", None)],
    "cursor": [(".cursor/hooks.json", "hooks", cursor_hooks), (".cursor/mcp.json", "mcp", "mcpServers")],
    "gemini": [(".gemini/settings.json", "hooks", gemini_hooks), (".gemini/settings.json", "mcp", "mcpServers")],
    "copilot": [(".github/hooks/imi.json", "hooks", copilot_hooks), (".vscode/mcp.json", "mcp", "servers")],
}


VERSIONED = {".cursor/hooks.json", ".github/hooks/imi.json"}  # formats that start with "version": 1


def _ours(entry) -> bool:
    """An IMI hook entry (a group whose every command is `imi hook ...`, or a Cursor command entry)."""
    if not isinstance(entry, dict):
        return False
    commands = [h.get("command") for h in entry.get("hooks", []) if isinstance(h, dict)] or [entry.get("command")]
    return all(isinstance(c, str) and c.startswith(MARK) for c in commands)


def merge_hooks(config: dict, hooks: dict | None) -> dict:
    """`config` with IMI's hook entries replaced by `hooks` (None: taken out); the user's entries stay in order."""
    table = config.get("hooks")
    if table is not None and not isinstance(table, dict):
        raise ImiError("its `hooks` is not an object")
    table = dict(table or {})
    for event in list(table):
        if isinstance(table[event], list):
            kept = [entry for entry in table[event] if not _ours(entry)]
            if kept:
                table[event] = kept
            else:
                del table[event]
    for event, entries in (hooks or {}).items():
        table[event] = list(table.get(event, [])) + entries
    out = dict(config)
    if table:
        out["hooks"] = table
    else:
        out.pop("hooks", None)
    return out


def merge_mcp(config: dict, key: str, add: bool) -> dict:
    """`config` with the `imi` server added (or taken out); a user's own server named `imi` is left alone."""
    servers = config.get(key)
    if servers is not None and not isinstance(servers, dict):
        raise ImiError(f"its `{key}` is not an object")
    servers = dict(servers or {})
    current = servers.get("imi")
    if current is not None and not _is_imi_server(current):
        return config
    if add:
        servers["imi"] = dict(MCP_ENTRY, type="stdio") if key == "servers" else dict(MCP_ENTRY)
    else:
        servers.pop("imi", None)
    out = dict(config)
    if servers:
        out[key] = servers
    else:
        out.pop(key, None)
    return out


def _is_imi_server(entry) -> bool:
    return isinstance(entry, dict) and entry.get("command") == "imi" and entry.get("args") == ["mcp"]


def merge_toml(text: str, add: bool) -> str:
    """config.toml with IMI's marked `[mcp_servers.imi]` block added at the end (or taken out)."""
    pattern = re.compile(re.escape(TOML_START) + r".*?" + re.escape(TOML_END) + r"\n?", re.DOTALL)
    without = pattern.sub("", text)
    if not add:
        return without.rstrip("\n") + "\n" if without.strip() else ""
    if re.search(r"^\s*\[mcp_servers\.imi\]", without, re.MULTILINE):
        return text  # the user configured a server named imi: theirs wins
    return (without.rstrip("\n") + "\n\n" if without.strip() else "") + TOML_BLOCK


def _load_json(path: Path, rel: str) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImiError(f"cannot read {rel}: {exc}") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ImiError(f"{rel} is not valid JSON ({exc}): fix it by hand, then run again") from None
    if not isinstance(data, dict):
        raise ImiError(f"{rel} is not a JSON object: fix it by hand, then run again")
    return data


def plan(root: Path, agent: str, add: bool) -> list[tuple[str, Path, str | None, str | None]]:
    """(relative path, path, old text, new text) for each file of `agent`; raises ImiError before any write."""
    files: dict[str, tuple[Path, str | None, object]] = {}
    for rel, kind, detail in PIECES[agent]:
        path = root / rel
        if rel not in files:
            if kind == "toml":
                try:
                    old = path.read_text(encoding="utf-8")
                except FileNotFoundError:
                    old = None
                files[rel] = (path, old, old or "")
            else:
                data = _load_json(path, rel)
                files[rel] = (path, None if data is None else path.read_text(encoding="utf-8"), data or {})
        path, old, current = files[rel]
        try:
            if kind == "toml":
                current = merge_toml(current, add)
            elif kind == "hooks":
                current = merge_hooks(current, detail() if add else None)
            else:
                current = merge_mcp(current, detail, add)
        except ImiError as exc:
            raise ImiError(f"{rel}: {exc}: fix it by hand, then run again") from None
        if rel in VERSIONED:
            current = {"version": 1, **current} if add else ({} if set(current) <= {"version"} else current)
        files[rel] = (path, old, current)
    out = []
    for rel, (path, old, current) in files.items():
        if isinstance(current, dict):
            new = json.dumps(current, indent=2, ensure_ascii=False) + "\n" if current else ""
            if old is not None and old.strip() and _same_json(old, current):
                new = old  # unchanged content keeps the user's formatting
        else:
            new = current
        out.append((rel, path, old, new))
    return out


def _same_json(text: str, data: dict) -> bool:
    try:
        return json.loads(text) == data
    except ValueError:
        return False


def apply(root: Path, agents: list[str], add: bool) -> list:
    """Install (or with add=False remove) IMI's hooks and MCP entries for each agent; every file is checked
    before any is written. Returns agent_files.Change entries (added, updated, unchanged, removed, absent)."""
    from .instructions import Change, _prune, _write

    plans = [(agent, step) for agent in agents for step in plan(root, agent, add)]
    changes = []
    for agent, (rel, path, old, new) in plans:
        if new == (old or ""):
            action = "unchanged" if add else "absent"
        elif add:
            action = "added" if not old else "updated"
        else:
            action = "removed"
        if action in ("added", "updated"):
            _write(path, new.encode("utf-8"))
        elif action == "removed":
            if new:
                _write(path, new.encode("utf-8"))
            else:
                path.unlink()
                _prune(path.parent, root)
        changes.append(Change(agent, path, action))
    return changes
