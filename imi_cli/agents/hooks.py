"""Hooks for agent hosts: one implementation, a small adapter per host (imi_cli.agents.hosts).

`imi hook session-start` puts the project context in front of a new session;
`imi hook pre-tool-use` / `post-tool-use` bring the lessons and decisions that name a
file to the model before it changes the file: with the read that must come first
where the host allows (Claude Code attaches it to the Read), and otherwise by refusing
the first change once with the memory as the reason (the model then redoes it
knowingly); `imi hook stop` reminds the agent, once per task, to write back what it
still holds. `--host` picks the payload and output shapes (claude, codex, cursor,
gemini, copilot).

Each record reaches a session once (again only when it changed): .session_state
remembers per session what was shown.

Every hook exits 0: a hook that fails must never break the agent's session. What went
wrong is one line on stderr and nothing on stdout. This module imports nothing heavy at
the top (no click, no database) because the tool hooks run on every file access.
"""

from __future__ import annotations

import os
import sys

from ..memory import json_dumps, json_loads
from .hosts import HOSTS, Event, HookInputError, Outcome

EVENTS = ("session-start", "pre-tool-use", "post-tool-use", "stop", "session-end")
SESSION_BUDGET = 10_000   # Claude Code shows hook output beyond this only as a short preview
FILE_BUDGET = 4_000       # per file: its lessons and decisions, not a second session context
CHECKPOINT_QUIET_MS = 15 * 60_000  # a checkpoint this recent counts as written back


class Reply:
    """What one hook prints: a JSON document on stdout (or nothing) and a note for stderr."""

    __slots__ = ("payload", "note")

    def __init__(self, payload: dict | None = None, note: str = ""):
        self.payload = payload
        self.note = note

    def stdout(self) -> str:
        """The hook JSON as the host reads it, or "" when there is nothing to say."""
        return json_dumps(self.payload, ensure_ascii=False) + "\n" if self.payload else ""


def parse_payload(text: str) -> dict:
    """The hook payload as a dict; HookInputError when it is empty, not JSON, or not an object."""
    if not text or not text.strip():
        raise HookInputError("no hook payload on stdin (expected the JSON object the agent host sends)")
    try:
        data = json_loads(text)
    except ValueError as exc:
        raise HookInputError(f"the hook payload is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise HookInputError(f"the hook payload is a JSON {type(data).__name__}, not an object")
    return data


def _start(event: Event) -> str:
    cwd = event.cwd
    return cwd if cwd and os.path.isdir(cwd) else os.getcwd()


_OPENING_NOTICES: list[str] = []  # what opening the project did (a fresh clone's database built): one stderr line


def _open(start: str, agent_flag: str | None = None, db_path=None):
    """The project found from `start` (or IMI_DB), or the one whose database `_locate` found already;
    ImiError with one line when there is none."""
    from ..memory import Project  # first: it imports pathlib without what pathlib loads only for globs

    from pathlib import Path

    project = Project.open(db_path, start=Path(start), agent=agent_flag)
    _OPENING_NOTICES.extend(line for line in project.notices if line not in _OPENING_NOTICES)
    return project


def _locate(start: str):
    """The database of the project at `start` (or IMI_DB), or None."""
    from ..memory import Project  # first: it imports pathlib without what pathlib loads only for globs

    from pathlib import Path

    return Project.locate(Path(start))


def _session(project, event: Event):
    from .session_state import SessionState

    return SessionState(str(project.db_path), event.session)


def session_start(event: Event, agent_flag: str | None = None) -> Outcome:
    """The session context, most important first (work in progress, lessons), within 10,000 characters.
    A resumed or compacted session that already had it gets nothing: it is still in the conversation."""
    project = _open(_start(event), agent_flag)
    try:
        state = _session(project, event)
        if state.data["context"] and event.source in ("resume", "compact"):
            return Outcome()
        agent = project.agent()
        intro = (f"IMI project memory for this repository (you are agent `{agent}`). Claim work with "
                 f"`imi next` or `imi start ID`, save progress with `imi checkpoint ID \"note\"`, finish with "
                 f"`imi complete ID \"summary\"`; record `imi decide`, `imi lesson`, `imi log` for the next "
                 f"session. `imi context --file PATH` shows what names a file.\n\n")
        from ..memory import json_escaped_length

        # packed by the length each text takes in the JSON the host reads: the whole stdout fits at once
        room = SESSION_BUDGET - 100 - 2 - json_escaped_length(intro)
        packed = project.context(budget=room, first=("in_progress", "lessons"), measure=json_escaped_length)
        text = intro + packed.render()
        state.data["context"] = True
        state.save()
    finally:
        project.close()
    return Outcome(context=text)


_CONTENT_FIELDS: dict = {}  # record class -> its field names but files


def _content(record) -> tuple:
    """The record's fields as ((name, value), ...), without its files: what its stamp is made of. Taken
    when the record is read (showing it later sets fields such as `aging` that the stamp leaves out)."""
    names = _CONTENT_FIELDS.get(type(record))
    if names is None:
        names = _CONTENT_FIELDS[type(record)] = tuple(name for name in record._fields if name != "files")
    return tuple((name, getattr(record, name)) for name in names)


def _stamp(content: tuple) -> str:
    """Changes when the record's content changes (not when its file moves or time passes)."""
    from .session_state import digest

    return digest(repr(content))


def _file_memory(project, rel: str, state) -> tuple[str, dict[str, str]]:
    """The memory of one file the session has not been shown (text, and the stamps to mark as shown);
    ("", {}) when no lesson or decision names the file or the session has seen them all."""
    fresh: dict[str, tuple] = {}  # record id -> its content, stamped only if it is shown
    seen = state.data["records"]

    def unseen(record) -> bool:
        content = _content(record)
        if record.id in seen and seen[record.id] == _stamp(content):
            return False
        fresh[record.id] = content
        return True

    packed = project.file_memory(rel, FILE_BUDGET, keep=unseen)
    if not any(s.total for s in packed.sections if s.key in ("lessons", "decisions")):
        return "", {}
    text = packed.render()
    shown = {r.id for s in packed.sections for r in s.records[:s.shown]}  # what the budget left out comes later
    return text, {rid: _stamp(content) for rid, content in fresh.items() if rid in shown}


def files(event: Event, agent_flag: str | None = None) -> Outcome:
    """The memory of the files a tool call reads or changes, each record once per session.
    Reads and shell commands get it as context; an edit whose memory the session has not seen yet
    is refused once with the memory as the reason."""
    if event.kind not in ("read", "edit", "shell") or not event.paths:
        return Outcome()
    base = _start(event)
    targets = [os.path.normpath(os.path.join(base, raw)) for raw in event.paths]  # keeps absolute paths
    if event.kind == "shell":
        targets = [t for t in targets if os.path.isfile(t)]
        if not targets:
            return Outcome()
    folder = os.path.dirname(targets[0])
    start = folder if os.path.isdir(folder) else base
    db_path = _locate(start)
    if db_path is None and (event.kind == "shell" or _locate(base) is not None):
        return Outcome()  # a file outside the project the session works in: nothing to say
    project = _open(start, agent_flag, db_path)
    try:
        state = _session(project, event)
        parts, names = [], []
        for target in targets:
            rel = project.relative(target)
            if rel is None or rel.split("/")[0] == ".imi" or rel in names:
                continue
            text, fresh = _file_memory(project, rel, state)
            if text:
                parts.append(text)
                names.append(rel)
                state.data["records"].update(fresh)
        if not parts:
            return Outcome()
        state.save()
    finally:
        project.close()
    memory = "\n\n".join(parts)
    named = ", ".join(names)
    if event.kind == "edit" and event.when == "before" and state.remembers:
        return Outcome(deny=(f"IMI: not yet applied. Project memory names {named}; read it before changing the "
                             f"file, then make the change again (it will not be stopped again for these "
                             f"records).\n\n{memory}"))
    return Outcome(context=(f"IMI: recorded lessons and decisions name {named}. Follow them when you change "
                            f"it; `imi show ID` gives the full record.\n\n{memory}"))


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


def stop(event: Event, agent_flag: str | None = None) -> Outcome:
    """Remind the agent of tasks it still holds without a recent checkpoint: once per task per session."""
    if event.stop_active:  # already reminded in this stop: let the agent stop
        return Outcome()
    from ..memory import now_ms

    project = _open(_start(event), agent_flag)
    try:
        agent, now = project.agent(), now_ms()
        state = _session(project, event)
        tasks = [t for t in held_tasks(project, agent, now, CHECKPOINT_QUIET_MS)
                 if t.id not in state.data["reminded"]]
        if tasks:
            state.data["reminded"] += [t.id for t in tasks]
            state.save()
    finally:
        project.close()
    if not tasks:
        return Outcome()
    first = tasks[0].id
    return Outcome(remind=(
        f"Reminder from IMI (not an error): you (agent `{agent}`) still hold {len(tasks)} task(s) without a "
        f"recent checkpoint:\n{_held_lines(tasks, now)}\n"
        f"If it is done: `imi complete {first} \"what was done\"`; if the work goes on later: "
        f"`imi checkpoint {first} \"where it stands\"`; to give it back: `imi fail {first} \"why\"`. "
        f"Then stop; this reminder comes once per task."))


def handle(event_name: str, stdin_text: str, agent_flag: str | None = None, host: str = "claude") -> Reply:
    """Run the hook for `event_name` on the raw stdin text. Never raises: failures become the reply's note."""
    if event_name == "session-end":  # hosts show nothing from it: only proposals for `imi review` are drafted
        from .session_capture import capture_session

        try:
            capture_session(parse_payload(stdin_text), agent_flag)
        except HookInputError:
            pass
        return Reply()
    adapter = HOSTS[host]
    try:
        payload = parse_payload(stdin_text)
        event = adapter.event(event_name, payload)
    except HookInputError as exc:
        return Reply(note=str(exc))
    try:
        if event.kind == "session_start":
            outcome = session_start(event, agent_flag)
        elif event.kind == "stop":
            from .session_capture import capture_session

            capture_session(payload, agent_flag, cwd=event.cwd, session=event.session)  # never raises
            outcome = stop(event, agent_flag)
        else:
            outcome = files(event, agent_flag)
        return Reply(adapter.output(event_name, event, outcome) if outcome else None, note="; ".join(_OPENING_NOTICES))
    except Exception as exc:
        if os.environ.get("IMI_DEBUG") and not isinstance(exc, HookInputError):
            raise
        return Reply(note=_describe(exc))


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
        sys.stderr.write(f"imi hook {event}: {_one_line(reply.note)}\n")
    return 0


def _one_line(text: str, limit: int = 300) -> str:
    flat = "".join(ch if ch.isprintable() else " " for ch in text)
    return flat if len(flat) <= limit else flat[:limit] + "…"


def parse_argv(argv: list[str]) -> tuple[str, str | None, str] | None:
    """`EVENT [--host H] [--agent ID] [--json]` as (event, agent, host); None for anything else (help, typos:
    click answers)."""
    if not argv or argv[0] not in EVENTS:
        return None
    agent, host = None, "claude"
    rest = argv[1:]
    i = 0
    while i < len(rest):
        name, eq, value = rest[i].partition("=")
        if name == "--json" and not eq:
            pass
        elif name in ("--agent", "--host"):
            if not eq:
                if i + 1 >= len(rest):
                    return None
                value = rest[i + 1]
                i += 1
            if name == "--host" and value not in HOSTS:
                return None
            agent, host = (value, host) if name == "--agent" else (agent, value)
        else:
            return None
        i += 1
    return argv[0], agent, host


def main(argv: list[str]) -> int | None:
    """`imi hook EVENT ...` without click; None when the arguments need the full CLI instead."""
    parsed = parse_argv(argv)
    if parsed is None:
        return None
    event, agent, host = parsed
    return emit(event, handle(event, read_stdin(), agent, host))
