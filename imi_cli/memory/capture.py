"""What a session leaves behind, drafted as proposals (no model call: rules over what happened).

Two kinds of draft:
- a completion summary for each task the agent holds: the files changed since the claim
  (git) and the commands the session ran;
- a lesson wherever a command failed, a file was edited, and the same command then passed:
  "`X` failed until Y changed", anchored to the edited files.

Tool events are host-neutral dicts, oldest first: {"kind": "shell", "command": str, "ok": bool}
or {"kind": "edit", "paths": [repo-relative paths]}. Host adapters (imi_cli.agents) turn a
host's transcript into them.
"""

from __future__ import annotations

import subprocess

from .store import Store
from .store.writes import Provenance

MAX_COMMANDS = 8  # commands named in one summary
MAX_FILES = 20


def lesson_drafts(events: list[dict]) -> list[dict]:
    """Lesson fields for each command that failed, then passed after edits in between."""
    drafts, failing = [], {}  # command -> files edited since it last failed
    for event in events:
        kind = event.get("kind")
        if kind == "edit":
            for edited in failing.values():
                edited.extend(p for p in event.get("paths") or [] if p not in edited)
        elif kind == "shell" and isinstance(event.get("command"), str):
            command = " ".join(event["command"].split())
            if not command:
                continue
            if event.get("ok") is False:
                failing.setdefault(command, [])
            elif event.get("ok") and command in failing:
                edited = failing.pop(command)
                if edited:
                    names = ", ".join(edited[:5])
                    drafts.append({"text": f"`{command}` failed until {names} changed",
                                   "correct_behavior": f"When `{command}` fails, look at {names} first",
                                   "files": edited[:MAX_FILES]})
    return drafts


def _changed_since(root, since_ms: int | None) -> list[str]:
    """Repo-relative files committed since a time, or changed and not committed (git), without .imi/."""
    found: list[str] = []

    def git(*args: str) -> list[str]:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return []
        return done.stdout.splitlines() if done.returncode == 0 else []

    if since_ms:
        found += git("log", f"--since=@{since_ms // 1000}", "--name-only", "--format=")
    found += [line[3:].split(" -> ")[-1] for line in git("status", "--porcelain", "--untracked-files=all")]
    out: list[str] = []
    for path in found:
        path = path.strip().strip('"')
        if path and not path.startswith(".imi/") and path not in out:
            out.append(path)
    return out[:MAX_FILES]


def summary_drafts(store: Store, agent: str, events: list[dict]) -> list[dict]:
    """A completion summary for each task `agent` holds."""
    from .store import queries

    commands = []
    for event in events:
        if event.get("kind") == "shell" and event.get("ok") and isinstance(event.get("command"), str):
            command = " ".join(event["command"].split())
            if command and command not in commands:
                commands.append(command)
    drafts = []
    for task in queries.tasks(store, status="in_progress"):
        if task.claimant != agent:
            continue
        files = _changed_since(store.root, task.claimed_at)
        parts = [f"Changed {', '.join(files)}." if files else "No file changes found."]
        if commands:
            parts.append("Ran " + "; ".join(f"`{c}`" for c in commands[-MAX_COMMANDS:]) + ".")
        drafts.append({"task_id": task.id, "summary": f"{task.title}: " + " ".join(parts), "files": files})
    return drafts


def _in_project(root, event: dict) -> dict:
    """An edit event's paths as the project names them (outside the project: dropped)."""
    if event.get("kind") != "edit":
        return event
    from pathlib import Path

    from .paths import relative_to_root

    paths = [relative_to_root(Path(root, p), root) for p in event.get("paths") or [] if isinstance(p, str)]
    return {"kind": "edit", "paths": [p for p in paths if p and not p.startswith(".imi/")]}


def capture(store: Store, prov: Provenance, events: list[dict], *, session: str | None = None,
            source: str = "capture") -> list[tuple]:
    """Propose what the session did; returns (proposal, new) pairs (an old one when already proposed)."""
    from .proposals import propose

    events = [_in_project(store.root, e) for e in events if isinstance(e, dict)]
    out = []
    with store.write():
        for fields in summary_drafts(store, prov.agent, events):
            out.append(propose(store, prov, "summary", fields, session=session, source=source))
        for fields in lesson_drafts(events):
            out.append(propose(store, prov, "lesson", fields, session=session, source=source))
    return out
