"""A host's session transcript as the host-neutral tool events `capture` reads.

Claude Code writes one JSON object per line: assistant messages carry `tool_use` blocks
(a `Bash` command, an `Edit`/`Write`/`MultiEdit`/`NotebookEdit` with a `file_path`), and
the next user message carries each call's `tool_result` with `is_error` when it failed.
Anything else in the file is skipped; an unreadable transcript gives no events.
"""

from __future__ import annotations

import json

EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
SHELL_TOOLS = frozenset({"Bash"})
TAIL_BYTES = 8_000_000  # the stop hook runs at every turn: only the end of a long transcript is read


def _blocks(entry) -> list:
    message = entry.get("message") if isinstance(entry, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _failed(result: dict) -> bool:
    if result.get("is_error"):
        return True
    text = result.get("content")
    if isinstance(text, list):
        text = " ".join(b.get("text", "") for b in text if isinstance(b, dict))
    return isinstance(text, str) and text.lstrip().startswith("Exit code") and not text.lstrip().startswith(
        "Exit code 0")


def events_from_lines(lines) -> list[dict]:
    """Shell and edit events, oldest first, from a Claude Code transcript's lines."""
    calls: dict[str, dict] = {}
    events: list[dict] = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        for block in _blocks(entry):
            if block.get("type") == "tool_use" and isinstance(block.get("input"), dict):
                name, args = block.get("name"), block["input"]
                if name in SHELL_TOOLS and isinstance(args.get("command"), str):
                    calls[str(block.get("id"))] = event = {"kind": "shell", "command": args["command"], "ok": None}
                    events.append(event)
                elif name in EDIT_TOOLS:
                    path = args.get("file_path") or args.get("notebook_path")
                    if isinstance(path, str):
                        events.append({"kind": "edit", "paths": [path]})
            elif block.get("type") == "tool_result":
                event = calls.pop(str(block.get("tool_use_id")), None)
                if event is not None:
                    event["ok"] = not _failed(block)
    return [e for e in events if e.get("ok") is not None or e["kind"] == "edit"]


def read_events(path: str) -> list[dict]:
    """The events of the transcript at `path`, its last TAIL_BYTES at most ([] when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            data = handle.read()
    except OSError:
        return []
    lines = data.decode("utf-8", "replace").splitlines()
    return events_from_lines(lines[1:] if size > TAIL_BYTES else lines)  # the first line may be cut
