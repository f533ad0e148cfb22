"""`imi mcp`: IMI's memory as MCP tools over stdio, for Cursor, Copilot, Claude Code and other hosts.

The tool functions are plain Python over the same data layer as the CLI (reads
through imi_cli.memory.context and queries, writes through imi_cli.memory.recording and
store.claims); only `create_server` and `serve` touch the optional `mcp`
package. Each call opens the project database and closes it again, so the
server sees other processes' writes and a project created after it started.
"""

from __future__ import annotations

import os
import functools
from contextlib import contextmanager
from typing import Annotated, Iterator

from .. import __version__
from ..memory import DEFAULT_BUDGET, ImiError, Project, UsageError

INSTRUCTIONS = (
    "Project memory for this repository. Call `context` at the start of a session and `file_memory` before "
    "changing a file. Claim a task with `start`, save progress with `checkpoint`, finish with `complete`. "
    "Record what the next session must know with `decide`, `lesson` and `log`."
)
INSTALL_HINT = "`imi mcp` needs the MCP package: pip install 'imi-memory[mcp]'"

try:  # pydantic comes with the `mcp` extra; it turns this into the schema's description
    from pydantic import Field

    Files = Annotated[list[str] | None, Field(description="repo-relative paths or globs")]
except ImportError:
    Files = list[str] | None  # type: ignore[misc]


@contextmanager
def _project() -> Iterator:
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
    return f"Recorded {label} {record_id}{_files_note(record)}"


def context(goal_id: str | None = None, budget: int = DEFAULT_BUDGET) -> str:
    """Session context: vision, decisions, lessons, goals, tasks, work in progress."""
    if not 500 <= budget <= 100_000:
        raise UsageError("budget must be between 500 and 100000 characters")
    with _project() as project:
        return project.context(goal_id, budget).render()


def file_memory(path: str) -> str:
    """Lessons, decisions and tasks that name one file (read before editing it)."""
    with _project() as project:
        return project.file_memory(path).render()


def search(query: str, limit: int = 20) -> str:
    """Full-text search over every record."""
    if not query.strip():
        raise UsageError("search needs words to look for")
    with _project() as project:
        hits = project.search(query, max(1, min(limit, 200)))
    return "\n".join(f"{h.kind} {h.id}  {h.snippet}" for h in hits) or f"Nothing matches {query!r}."


def decide(what: str, why: str, affects: str | None = None, files: Files = None) -> str:
    """Record a decision and why."""
    with _project() as project:
        return _recorded(project, "decision", project.decide(what, why, affects, files=files or []))


def lesson(what_went_wrong: str, correct_behavior: str, verified_by: str | None = None,
           files: Files = None) -> str:
    """Record a lesson: what went wrong and what to do instead."""
    with _project() as project:
        record_id = project.add_lesson(what_went_wrong, correct_behavior, verified_by, files=files or [])
        return _recorded(project, "lesson", record_id)


def propose(kind: str, text: str, detail: str | None = None, files: Files = None) -> str:
    """Suggest a lesson or decision for a person to review (kept out of context until accepted)."""
    fields = {"lesson": {"text": text, "correct_behavior": detail},
              "decision": {"what": text, "why": detail}}.get(kind)
    if fields is None:
        raise UsageError("kind must be lesson or decision")
    with _project() as project:
        proposal, new = project.propose(kind, fields | {"files": files or []},
                                        session=os.environ.get("IMI_SESSION_ID"), source="mcp")
    if not new:
        return f"Already proposed as {proposal.id} ({proposal.status}); not proposed again."
    return f"Proposed {kind} {proposal.id}: a person reviews it with `imi review`."


def log(note: str, files: Files = None) -> str:
    """Log a direction note (shown in context for 7 days)."""
    with _project() as project:
        return _recorded(project, "note", project.add_note(note, "note", files=files or []))


def start(task_id: str) -> str:
    """Claim a task (exclusive; refused while another agent holds it)."""
    with _project() as project:
        claim = project.start(task_id)
    task = claim.task
    return "\n".join(claim.describe()) + _files_note(task) + f"\nFinish with complete(task_id={task.id!r}, summary=...)."


def checkpoint(task_id: str, note: str) -> str:
    """Save progress on a task (also a heartbeat for its claim)."""
    with _project() as project:
        memory_id = project.checkpoint(task_id, note)
    return f"Checkpoint {memory_id} saved"


def complete(task_id: str, summary: str, outcome: str | None = None) -> str:
    """Mark your task done with a summary (and how it was verified)."""
    with _project() as project:
        task = project.complete(task_id, summary, outcome=outcome)
    return f"Completed task {task.id}: {task.title}"


TOOLS = (context, file_memory, search, decide, lesson, propose, log, start, checkpoint, complete)
READ_ONLY = {"context", "file_memory", "search"}


def _guarded(fn, tool_error):
    """Turn the errors a caller can cause into the MCP tool error the model sees (one line, no traceback)."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ImiError as exc:
            raise tool_error(str(exc)) from None
        except Exception as exc:
            import apsw

            if isinstance(exc, apsw.BusyError):
                raise tool_error("the database stayed busy (another process holds a write lock)") from None
            if isinstance(exc, apsw.Error):
                raise tool_error(f"database error: {exc}") from None
            raise

    return call


def create_server():
    """The MCP server with IMI's tools (needs the optional `mcp` package)."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
        from mcp.types import ToolAnnotations
    except ImportError:
        raise ImiError(INSTALL_HINT) from None
    server = MCPServer("imi", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")
    for fn in TOOLS:
        server.add_tool(_guarded(fn, ToolError), name=fn.__name__, description=fn.__doc__,
                        annotations=ToolAnnotations(read_only_hint=fn.__name__ in READ_ONLY),
                        structured_output=False)
    return server


def serve() -> None:
    """Serve the tools over stdin/stdout until the client closes the connection."""
    create_server().run("stdio")
