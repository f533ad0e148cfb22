"""Pages: a view's markdown with what a client needs to render it itself (VS Code's record view,
Neovim's scratch buffers), instead of a file written to a cache folder and opened as an editor.

A record's page links its files and ranges (paths relative to the page's `root`, with a `#L10-L15` fragment), lists its
history (created, claimed, completed, archived, with who and when) and the actions that fit it
(verify, supersede, archive, start or complete a task) as server commands with their arguments.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from imi_cli.memory import FileRef, Record, ago, iso, now_ms

from . import render

# actions a client offers on a record page: (title, server command, kinds it fits)
ARCHIVE = "imi.archive"
VERIFY = "imi.verify"
SUPERSEDE = "imi.supersede"
START = "imi.startTask"
COMPLETE = "imi.completeTask"


def file_link(ref: FileRef) -> str:
    """A markdown link to a referenced file at its lines (`src/a.py#L10-L15`, relative to the page's
    `root`: renderers refuse `file:` links), or the plain label for a pattern."""
    label = ref.label()
    if ref.is_glob:
        return f"`{label}` (pattern)"
    target = quote(ref.path)
    if ref.line_start:
        end = ref.line_end if ref.line_end and ref.line_end != ref.line_start else None
        target += f"#L{ref.line_start}" + (f"-L{end}" if end else "")
    return f"[`{label}`]({target})"


def history(record: Record, now: int, versions: list[dict] = ()) -> list[str]:
    """The record's life so far, oldest first, one line each; then its saved versions (`.imi/records/`)."""
    agent = getattr(record, "agent", None)
    events = [(record.created_at, "created" + (f" by {agent}" if agent else ""))]
    if getattr(record, "claimed_at", None):
        events.append((record.claimed_at, f"claimed by {record.claimant or 'someone'}"))
    if getattr(record, "last_ping_at", None) and record.status == "in_progress":
        events.append((record.last_ping_at, "last heartbeat"))
    if getattr(record, "completed_at", None):
        events.append((record.completed_at, "completed" if record.status == "done" else f"closed ({record.status})"))
    if getattr(record, "updated_at", None) and record.updated_at != record.created_at:
        events.append((record.updated_at, "last changed"))
    if getattr(record, "archived_at", None):
        events.append((record.archived_at, "archived"))
    lines = [f"{iso(at)[:16].replace('T', ' ')} ({ago(at, now)}): {what}" for at, what in sorted(
        (e for e in events if e[0]), key=lambda e: e[0])]
    if versions:
        agents = ", ".join(dict.fromkeys(v["agent"] for v in versions if v.get("agent")))
        count = len(versions)
        lines.append(f"{count} saved version{'s' if count > 1 else ''} in .imi/records/" + (f" (by {agents})" if agents else ""))
    return lines


def actions(record: Record) -> list[dict]:
    """The commands that fit a record, for buttons: {title, command, arguments, ask?}.
    `ask` names what the client must ask the user for before running it (LSP cannot ask for text)."""
    found: list[dict] = []
    if record.kind == "task" and not record.archived_at:
        if record.status in ("todo", "review", "failed"):
            found.append({"title": "Start task", "command": START, "arguments": [{"taskId": record.id}]})
        if record.status == "in_progress":
            found.append({"title": "Complete task", "command": COMPLETE, "arguments": [{"taskId": record.id}],
                          "ask": "summary"})
    if record.kind in ("decision", "lesson", "note", "task", "goal") and record.files and not record.archived_at:
        found.append({"title": "Verify (still true)", "command": VERIFY, "arguments": [{"id": record.id}]})
    if record.kind in ("decision", "lesson") and not record.archived_at:
        found.append({"title": "Supersede…", "command": SUPERSEDE, "arguments": [{"id": record.id}],
                      "ask": "what,why"})
    if record.kind != "memory" and not record.archived_at:
        found.append({"title": "Archive", "command": ARCHIVE, "arguments": [{"id": record.id}]})
    return found


def provenance(origin: dict) -> str:
    """Who stored a record, at which commit, from which session and proposal, who approved it (one line)."""
    parts = []
    if origin.get("stored_by"):
        parts.append(f"stored by {origin['stored_by']}")
    if origin.get("commit"):
        parts.append(f"at commit `{origin['commit'][:12]}`")
    if origin.get("session"):
        parts.append(f"from session `{origin['session']}`")
    if origin.get("proposal"):
        parts.append(f"proposal [{origin['proposal']}](imi:proposal/{origin['proposal']})")
    if origin.get("approved_by"):
        parts.append(f"approved by {origin['approved_by']}")
    return ", ".join(parts)


def record_page(root: Path, record: Record, versions: list[dict] = (), origin: dict | None = None) -> dict:
    """One record, rendered: {title, markdown, actions, id, kind}; `origin` is `Project.origin` (provenance)."""
    now = now_ms()
    # the one-line file list of hovers gives way to a list of links
    parts = [render.record(record, now, (origin or {}).get("approved_by")).replace(render.files_line(record.files), "", 1)]
    if record.files:
        parts.append("#### Files\n\n" + "\n".join(f"- {file_link(ref)}" for ref in record.files))
    lines = history(record, now, versions)
    if origin and (line := provenance(origin)):
        lines.insert(0, f"Provenance: {line}")
    if lines:
        parts.append("#### History\n\n" + "\n".join(f"- {line}" for line in lines))
    title = " ".join(record.title.split())
    return {"title": f"{record.kind.title()}: {title[:60]}", "markdown": "\n\n".join(parts),
            "actions": actions(record), "id": record.id, "kind": record.kind, "root": str(root)}


def text_page(root: Path, title: str, markdown: str) -> dict:
    """A page without actions (context, a file's memory, search results)."""
    return {"title": title, "markdown": markdown, "actions": [], "root": str(root)}
