"""`imi mcp`: IMI's memory as MCP tools over stdio, for Claude Code, Codex, Cursor, Copilot and Gemini.

The tools are plain functions over the same `Project` API as the CLI (imi_cli.memory);
.mcp_protocol speaks the protocol. Each call opens the project database and
closes it again, so the server sees other processes' writes and a project created
after it started. The data layer is imported on the first tool call, not at start:
`initialize` and `tools/list` are answered in milliseconds.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import Iterator

from .. import __version__
from .mcp_protocol import Server, Tool, ToolError

INSTRUCTIONS = (
    "Project memory for this repository. Call `context` at the start of a session and `file_memory` before "
    "changing a file. Claim a task with `start`, save progress with `checkpoint`, finish with `complete`. "
    "Record what the next session must know with `decide`, `lesson` and `log`."
)
MAX_TEXT = 100_000  # the data layer's limit for one text field
MAX_FILES = 50
DEFAULT_BUDGET = 10_000
_CLI_ONLY = re.compile(r",? (?:or now with --force|\((?:or )?use --force[^)]*\))")


@contextmanager
def _project() -> Iterator:
    from ..memory import Project

    project = Project.open()
    try:
        yield project
    finally:
        project.close()


def _files_note(record) -> str:
    labels = [ref.label() for ref in getattr(record, "files", [])]
    return f" (files: {', '.join(labels)})" if labels else ""


def _recorded(project, kind: str, record_id: str) -> str:
    record = project.get(kind, record_id)
    label = "killed feature" if getattr(record, "decision_kind", "") == "killed" else kind
    return f"Recorded {label} {record_id}{_files_note(record)}" + _noticed(project)


def _noticed(project) -> str:
    """What the project said besides the result (a path in the text that was not linked, a duplicate,
    the database built from a fresh clone's records), as lines after the answer."""
    return "".join(f"\nNote: {line}" for line in project.notices)


def context(goal_id: str | None = None, budget: int = DEFAULT_BUDGET) -> str:
    """Session context: vision, decisions, lessons, goals, tasks, work in progress."""
    with _project() as project:
        return project.context(goal_id, budget).render()


def file_memory(path: str) -> str:
    """Lessons, decisions and tasks that name one file (read before editing it)."""
    with _project() as project:
        return project.file_memory(path).render()


def search(query: str, limit: int = 20) -> str:
    """Full-text search over every record."""
    if not query.strip():
        raise ToolError("`query` needs words to look for.")
    with _project() as project:
        hits = project.search(query, limit)
    return "\n".join(f"{h.kind} {h.id}  {h.snippet}" for h in hits) or f"Nothing matches {query!r}."


def decide(what: str, why: str, affects: str | None = None, files: list[str] = ()) -> str:
    """Record a decision and why."""
    with _project() as project:
        return _recorded(project, "decision", project.decide(what, why, affects, files=files))


def lesson(what_went_wrong: str, correct_behavior: str, verified_by: str | None = None,
           files: list[str] = ()) -> str:
    """Record a lesson: what went wrong and what to do instead."""
    with _project() as project:
        return _recorded(project, "lesson", project.add_lesson(what_went_wrong, correct_behavior, verified_by,
                                                               files=files))


def propose(kind: str, text: str, detail: str | None = None, files: list[str] = ()) -> str:
    """Suggest a lesson or decision for a person to review (kept out of context until accepted)."""
    fields = {"lesson": {"text": text, "correct_behavior": detail}, "decision": {"what": text, "why": detail}}.get(kind)
    if fields is None:
        raise ToolError("`kind` must be lesson or decision.")
    with _project() as project:
        proposal, new = project.propose(kind, fields | {"files": list(files)},
                                        session=os.environ.get("IMI_SESSION_ID"), source="mcp")
    if not new:
        return f"Already proposed as {proposal.id} ({proposal.status}); not proposed again."
    return f"Proposed {kind} {proposal.id}: a person reviews it with `imi review`."


def log(note: str, files: list[str] = ()) -> str:
    """Log a direction note (shown in context for 7 days)."""
    with _project() as project:
        return _recorded(project, "note", project.add_note(note, "note", files=files))


def start(task_id: str) -> str:
    """Claim a task (exclusive; refused while another agent holds it)."""
    with _project() as project:
        claim = project.start(task_id)
    task = claim.task
    return "\n".join(claim.describe()) + _files_note(task) + f"\nFinish with complete(task_id={task.id!r}, summary=...)."


def checkpoint(task_id: str, note: str) -> str:
    """Save progress on a task (also a heartbeat for its claim)."""
    with _project() as project:
        return f"Checkpoint {project.checkpoint(task_id, note)} saved"


def complete(task_id: str, summary: str, outcome: str | None = None) -> str:
    """Mark your task done with a summary (and how it was verified)."""
    with _project() as project:
        task = project.complete(task_id, summary, outcome=outcome)
        closed = project.goal_closed_by(task)
        done = f"\nGoal {closed.id} is done: all its tasks are ({closed.name})" if closed is not None else ""
        return f"Completed task {task.id}: {task.title}{done}" + _noticed(project)


# Argument schemas: what `tools/list` shows and what every call is checked against before it runs.
def _text(description: str, limit: int = MAX_TEXT) -> dict:
    return {"type": "string", "description": description, "maxLength": limit}


_FILES = {"type": "array", "description": "repo-relative paths or globs, optionally with :LINE-LINE or #symbol",
          "items": {"type": "string", "maxLength": 1_000}, "maxItems": MAX_FILES}
_TASK = _text("task id or a unique prefix of it", 200)

TOOLS = (
    Tool("context", context.__doc__, context, {
        "goal_id": _text("only this goal (id or unique prefix)", 200),
        "budget": {"type": "integer", "description": "size limit in characters", "minimum": 500,
                   "maximum": 100_000, "default": DEFAULT_BUDGET}}, read_only=True),
    Tool("file_memory", file_memory.__doc__, file_memory, {
        "path": _text("the file, repo-relative or absolute inside the project", 4_096)}, ("path",), read_only=True),
    Tool("search", search.__doc__, search, {
        "query": _text("words to look for", 1_000),
        "limit": {"type": "integer", "description": "most hits to return", "minimum": 1, "maximum": 200,
                  "default": 20}}, ("query",), read_only=True),
    Tool("decide", decide.__doc__, decide, {
        "what": _text("the decision"), "why": _text("the reason for it"),
        "affects": _text("what it affects", 1_000), "files": _FILES}, ("what", "why")),
    Tool("lesson", lesson.__doc__, lesson, {
        "what_went_wrong": _text("what went wrong"), "correct_behavior": _text("what to do instead"),
        "verified_by": _text("how it was verified", 1_000), "files": _FILES},
         ("what_went_wrong", "correct_behavior")),
    Tool("propose", propose.__doc__, propose, {
        "kind": _text("lesson or decision", 20),
        "text": _text("the lesson (what went wrong) or the decision"),
        "detail": _text("what to do instead (lesson) or why (decision)"), "files": _FILES}, ("kind", "text")),
    Tool("log", log.__doc__, log, {"note": _text("the note"), "files": _FILES}, ("note",)),
    Tool("start", start.__doc__, start, {"task_id": _TASK}, ("task_id",)),
    Tool("checkpoint", checkpoint.__doc__, checkpoint, {"task_id": _TASK, "note": _text("where the work stands")},
         ("task_id", "note")),
    Tool("complete", complete.__doc__, complete, {
        "task_id": _TASK, "summary": _text("what was done"), "outcome": _text("how it was verified")},
         ("task_id", "summary")),
)


def describe_error(exc: Exception) -> str | None:
    """The one sentence a model sees for an error it or the project state caused; None for bugs."""
    from ..memory import ImiError

    if isinstance(exc, ImiError):
        text = _CLI_ONLY.sub("", str(exc))  # MCP has no --force: leave the CLI's way out unsaid
        return text[:1].upper() + text[1:] + ("" if text.endswith((".", ")")) else ".")
    import apsw

    if isinstance(exc, apsw.BusyError):
        return "The database stayed busy (another process holds a write lock); try again."
    if isinstance(exc, apsw.Error):
        return f"Database error: {exc}."
    return None


def create_server() -> Server:
    """The MCP server with IMI's tools."""
    server = Server("imi", __version__, INSTRUCTIONS, describe_error=describe_error)
    for tool in TOOLS:
        server.add(tool)
    return server


def serve() -> None:
    """Serve the tools over stdin/stdout until the client closes the connection."""
    create_server().serve()
