"""Hooks for agent hosts (Claude Code): read the hook payload, answer with hook JSON.

`imi hook session-start` puts the project context in front of the session,
`imi hook pre-tool-use` adds the lessons and decisions for a file the moment the
agent is about to edit it, `imi hook stop` reminds the agent to write back the
tasks it still holds, and `imi hook session-end` says so to the user.

Every hook exits 0: a hook that fails must never break the agent's session. What
went wrong is one line on stderr. This module imports nothing heavy at the top
(no click, no database) because the pre-tool-use hook runs before every edit.
"""

from __future__ import annotations

import json
import os
import sys

EVENTS = ("session-start", "pre-tool-use", "stop", "session-end")
EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
SESSION_BUDGET = 10_000   # Claude Code shows hook output beyond this only as a short preview
FILE_BUDGET = 4_000       # per edit: the file's lessons and decisions, not a second session context
CHECKPOINT_QUIET_MS = 15 * 60_000  # a checkpoint this recent counts as written back


class HookInputError(Exception):
    """The payload on stdin is missing or is not what Claude Code sends."""


class Reply:
    """What one hook prints: a JSON document on stdout (or nothing) and a note for stderr."""

    __slots__ = ("payload", "note")

    def __init__(self, payload: dict | None = None, note: str = ""):
        self.payload = payload
        self.note = note

    def stdout(self) -> str:
        """The hook JSON as Claude Code reads it, or "" when there is nothing to say."""
        return json.dumps(self.payload, ensure_ascii=False) + "\n" if self.payload else ""


def parse_payload(text: str) -> dict:
    """The hook payload as a dict; HookInputError when it is empty, not JSON, or not an object."""
    if not text or not text.strip():
        raise HookInputError("no hook payload on stdin (expected the JSON object Claude Code sends)")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise HookInputError(f"the hook payload is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise HookInputError(f"the hook payload is a JSON {type(data).__name__}, not an object")
    return data


def _cwd(payload: dict) -> str:
    cwd = payload.get("cwd")
    return cwd if isinstance(cwd, str) and cwd and os.path.isdir(cwd) else os.getcwd()


def _open(start: str, agent_flag: str | None = None):
    """The project found from `start` (or IMI_DB); ImiError with one line when there is none."""
    from pathlib import Path

    from ..memory import Project

    return Project.open(start=Path(start), agent=agent_flag)


def session_start(payload: dict, agent_flag: str | None = None) -> Reply:
    """The session context, most important first (work in progress, lessons), within 10,000 characters."""
    project = _open(_cwd(payload), agent_flag)
    try:
        agent = project.agent()
        intro = (f"IMI project memory for this repository (you are agent `{agent}`). Claim work with "
                 f"`imi next` or `imi start ID`, save progress with `imi checkpoint ID \"note\"`, finish with "
                 f"`imi complete ID \"summary\"`; record `imi decide`, `imi lesson`, `imi log` for the next "
                 f"session. `imi context --file PATH` shows what names a file.\n\n")
        budget = SESSION_BUDGET - len(intro)
        for _ in range(3):  # JSON escapes newlines and quotes: keep the whole stdout within the limit too
            text = intro + project.context(budget=budget, first=("in_progress", "lessons")).render()
            reply = Reply({"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": text}})
            excess = len(reply.stdout()) - SESSION_BUDGET
            if excess <= 0:
                break
            budget -= excess + 50
    finally:
        project.close()
    return reply


def edited_path(payload: dict) -> str | None:
    """The file an Edit / Write / MultiEdit / NotebookEdit call is about to change (None for other tools)."""
    if payload.get("tool_name") not in EDIT_TOOLS:
        return None
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict):
        raise HookInputError(f"the {payload['tool_name']} payload has no tool_input object")
    path = tool_input.get("file_path") or tool_input.get("notebook_path")
    if not isinstance(path, str) or not path.strip():
        raise HookInputError(f"the {payload['tool_name']} payload names no file_path")
    return path


def pre_tool_use(payload: dict, agent_flag: str | None = None) -> Reply:
    """For an edit of a file that lessons or decisions name: those records as context. Never blocks."""
    if not isinstance(payload.get("tool_name"), str):
        raise HookInputError("the PreToolUse payload has no tool_name")
    raw = edited_path(payload)
    if raw is None:
        return Reply()
    target = os.path.normpath(os.path.join(_cwd(payload), raw))  # join keeps an absolute `raw` as it is
    from ..memory import ImiError

    try:
        project = _open(os.path.dirname(target), agent_flag)
    except ImiError as exc:
        return Reply(note=str(exc))
    try:
        rel = project.relative(target)
        if rel is None or rel.split("/")[0] == ".imi":
            return Reply()
        packed = project.file_memory(rel, FILE_BUDGET)
        if not any(s.total for s in packed.sections if s.key in ("lessons", "decisions")):
            return Reply()
        text = (f"IMI: recorded lessons and decisions name {rel}, which this {payload['tool_name']} changes. "
                f"Follow them; `imi show ID` gives the full record.\n\n" + packed.render())
    finally:
        project.close()
    return Reply({"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": text}})


def held_tasks(project, agent: str, now: int | None = None, quiet_ms: int = 0) -> list:
    """In-progress tasks `agent` holds, leaving out those it checkpointed within the last `quiet_ms`."""
    from ..memory import now_ms

    now = now or now_ms()
    held = [t for t in project.tasks(status="in_progress") if t.claimant == agent]
    if not quiet_ms:
        return held
    out = []
    for task in held:
        latest = project.memories(task_id=task.id, types=("checkpoint",), limit=1)
        if not (latest and latest[0].agent == agent and now - (latest[0].created_at or 0) < quiet_ms):
            out.append(task)
    return out


def _held_lines(tasks: list, now: int) -> str:
    from ..memory import ago, one_line

    return "\n".join(f"- {t.id}  {one_line(t.title, 160)}  (claimed {ago(t.claimed_at, now)})" for t in tasks)


def stop(payload: dict, agent_flag: str | None = None) -> Reply:
    """Remind the agent, once per stop, to complete or checkpoint the tasks it still holds."""
    if payload.get("stop_hook_active") is True:  # already reminded in this stop: let the agent stop
        return Reply()
    from ..memory import now_ms

    project = _open(_cwd(payload), agent_flag)
    try:
        agent, now = project.agent(), now_ms()
        tasks = held_tasks(project, agent, now, CHECKPOINT_QUIET_MS)
    finally:
        project.close()
    if not tasks:
        return Reply()
    first = tasks[0].id
    reason = (f"IMI: you (agent `{agent}`) still hold {len(tasks)} task(s) with no recent checkpoint:\n"
              f"{_held_lines(tasks, now)}\n"
              f"Before you stop, write back: if it is done, `imi complete {first} \"what was done\"`; if work "
              f"goes on later, `imi checkpoint {first} \"where it stands\"`; to give it back, "
              f"`imi fail {first} \"why\"`.")
    return Reply({"decision": "block", "reason": reason})


def session_end(payload: dict, agent_flag: str | None = None) -> Reply:
    """Tell the user which tasks the session's agent left claimed (the model can no longer act)."""
    from ..memory import now_ms
    from .session_capture import capture_session

    proposed = capture_session(payload, agent_flag)
    project = _open(_cwd(payload), agent_flag)
    try:
        agent, now = project.agent(), now_ms()
        tasks = held_tasks(project, agent, now)
    finally:
        project.close()
    review = f"IMI: {proposed} proposal(s) from this session wait for `imi review`.\n" if proposed else ""
    if not tasks:
        return Reply(note=review.strip()) if review else Reply()
    message = (review + f"IMI: the session ended while agent `{agent}` still holds {len(tasks)} task(s):\n"
               f"{_held_lines(tasks, now)}\n"
               f"Their claims go stale without a heartbeat; `imi complete`, `imi checkpoint` or `imi fail` them.")
    return Reply({"systemMessage": message}, note=message.splitlines()[0])


HANDLERS = {"session-start": session_start, "pre-tool-use": pre_tool_use, "stop": stop, "session-end": session_end}


def _describe(exc: BaseException) -> str:
    from ..memory import ImiError

    if isinstance(exc, (ImiError, HookInputError)):
        return str(exc)
    import apsw

    if isinstance(exc, apsw.BusyError):
        return "the database stayed busy (another process holds a write lock)"
    if isinstance(exc, apsw.Error):
        return f"database error: {exc}"
    return f"internal error: {type(exc).__name__}: {exc} (set IMI_DEBUG=1 for a traceback)"


def handle(event: str, stdin_text: str, agent_flag: str | None = None) -> Reply:
    """Run the hook for `event` on the raw stdin text. Never raises: failures become the reply's note."""
    try:
        payload = parse_payload(stdin_text)
    except HookInputError as exc:
        return Reply(note=str(exc))
    try:
        return HANDLERS[event](payload, agent_flag)
    except Exception as exc:
        if os.environ.get("IMI_DEBUG") and not isinstance(exc, HookInputError):
            raise
        return Reply(note=_describe(exc))


def read_stdin() -> str:
    """The payload text on stdin ("" when stdin is a terminal or closed: nothing to wait for)."""
    stream = sys.stdin
    if stream is None or stream.closed:
        return ""
    try:
        if stream.isatty():
            return ""
        return stream.buffer.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""


def emit(event: str, reply: Reply) -> int:
    """Print the reply (JSON on stdout, the note on stderr); always exit code 0."""
    try:
        sys.stdout.write(reply.stdout())
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        pass
    if reply.note:
        sys.stderr.write(f"imi hook {event}: {reply.note}\n")
    return 0


def parse_argv(argv: list[str]) -> tuple[str, str | None] | None:
    """`EVENT [--agent ID] [--json]` as (event, agent); None for anything else (help, typos: click answers)."""
    if not argv or argv[0] not in EVENTS:
        return None
    agent = None
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--json":
            pass
        elif arg == "--agent" and i + 1 < len(rest):
            agent = rest[i + 1]
            i += 1
        elif arg.startswith("--agent="):
            agent = arg.split("=", 1)[1]
        else:
            return None
        i += 1
    return argv[0], agent


def main(argv: list[str]) -> int | None:
    """`imi hook EVENT ...` without click; None when the arguments need the full CLI instead."""
    parsed = parse_argv(argv)
    if parsed is None:
        return None
    event, agent = parsed
    return emit(event, handle(event, read_stdin(), agent))
