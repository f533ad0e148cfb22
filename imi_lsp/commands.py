"""Workspace commands (`imi.*`): read the memory into views, record from the editor, claim and finish tasks.

Every command takes `*args`, because VS Code's command palette sends `arguments: []`
and pygls refuses a call with fewer arguments than declared parameters. Arguments
are checked here: a wrong type gets one message naming the command and what it
takes, and nothing is written. Reads and writes go through `imi_cli.memory.Project`,
the same API the CLI calls.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls import uris

from imi_cli.memory import ImiError, NotFound, Project, UsageError

from . import anchoring, pages, render, views
from .diagnostics import republish
from .folders import NO_MEMORY, FolderMemory
from .lenses import records_for, visible
from .base import ImiLanguageServer, guarded

READY_CHOICES = 5


# arguments --------------------------------------------------------------------------------------
def _options(args: tuple, command: str, positional: tuple[str, ...]) -> dict[str, Any]:
    """Arguments as named options: one JSON object, or values in the order of `positional`."""
    if not args:
        return {}
    if len(args) == 1 and isinstance(args[0], dict):
        return args[0]
    if len(args) <= len(positional) and not any(isinstance(a, (dict, list)) for a in args):
        return dict(zip(positional, args))
    raise UsageError(f"{command} takes one object {{{', '.join(positional)}, …}} or up to "
                     f"{len(positional)} values ({', '.join(positional)})")


def _text(options: dict, key: str, command: str, *, required: bool = True, aliases: tuple[str, ...] = ()) -> str | None:
    for name in (key, *aliases):
        if name in options and options[name] is not None:
            value = options[name]
            if not isinstance(value, str):
                raise UsageError(f"{command}: {key} must be text, not {type(value).__name__}")
            return value
    if required:
        raise UsageError(f"{command}: {key} is required")
    return None


def _line(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{what} must be a line number (from 1)")
    return value


def _range(rng: Any, command: str) -> tuple[int, int, int, int]:
    """(start line, start character, end line, end character) of an LSP range given as JSON."""
    try:
        values = (rng["start"]["line"], rng["start"].get("character", 0), rng["end"]["line"],
                  rng["end"].get("character", 0))
    except (TypeError, KeyError, AttributeError):
        values = None
    if values is None or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise UsageError(f"{command}: range must be an LSP range {{start: {{line, character}}, "
                         f"end: {{line, character}}}} with whole numbers")
    return values


def range_spec(rel: str, rng: tuple[int, int, int, int]) -> str:
    """The `--files` spec for a selection: `path:a-b` (1-based lines), or just `path` for a bare cursor.

    A selection of whole lines ends at character 0 of the next line, which is not part of it.
    """
    start, start_char, end, end_char = rng
    if (start, start_char) == (end, end_char):
        return rel
    if end > start and end_char == 0:
        end -= 1
    return f"{rel}:{start + 1}" if end <= start else f"{rel}:{start + 1}-{end + 1}"


def anchor(ls: ImiLanguageServer, options: dict, command: str) -> tuple[FolderMemory, list[str]]:
    """The memory to write to and the `--files` specs: the given document and range, plus any `files`."""
    uri = _text(options, "uri", command, required=False)
    files = options.get("files") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise UsageError(f"{command}: files must be a list of paths")
    rng = options.get("range")
    selection = None if rng is None else _range(rng, command)
    if uri is None:
        if selection is not None:
            raise UsageError(f"{command}: a range needs the uri of its document")
        return _need_project(ls), list(files)
    memory = ls.folder_of(uri)
    if memory is None:
        raise UsageError(f"{uri} is not in a workspace folder with project memory: nothing was written")
    memory = _need_project(ls, uri)
    fs_path = uris.to_fs_path(uri)
    rel = memory.relative(fs_path) if fs_path else None
    if rel is None:
        raise UsageError(f"{uri} is outside the workspace: nothing was written")
    spec = rel if selection is None else range_spec(rel, selection)
    return memory, [spec, *files]


async def _written(ls: ImiLanguageServer, memory: FolderMemory) -> None:
    """After a write through the server's own connection (which `data_version` does not report)."""
    memory.reload()
    await ls.memory_changed()


def _need_project(ls: ImiLanguageServer, uri: Any = None) -> FolderMemory:
    """The memory a command works on, still a database (checked now, not at the next poll), or ImiError."""
    memory = ls.folder_of(uri) if isinstance(uri, str) else ls.current_folder()
    if memory is not None:
        memory.ensure_intact()
    if memory is not None and memory.project is None and memory.problem not in (None, NO_MEMORY):
        raise ImiError(f"project memory unavailable: {memory.problem}")
    if memory is None or memory.project is None:
        raise ImiError("no project memory here: run the command imi.init (or `imi init`) first")
    return memory


# reading ----------------------------------------------------------------------------------------
# Each view is built once (memory, name, markdown) and then either opened as a file view
# (`imi.show*`, for clients without their own) or returned as a page (`imi.readView`).
def _context_view(ls: ImiLanguageServer, options: dict) -> tuple[FolderMemory, str, str]:
    memory = _need_project(ls, options.get("uri"))
    return memory, "context", memory.project.context().render()


def _file_view(ls: ImiLanguageServer, options: dict, cmd: str) -> tuple[FolderMemory, str, str]:
    uri = _text(options, "uri", cmd, required=False) or ls.last_uri
    if uri is None:
        raise UsageError(f"{cmd}: open a file first (or pass its uri)")
    where = ls.locate(uri)
    if where is None:
        raise UsageError(f"{uri} is not in a workspace folder with project memory")
    memory, rel = where
    return memory, f"memory {rel}", memory.project.file_memory(rel).render()


def _records_view(ls: ImiLanguageServer, options: dict, cmd: str) -> tuple[FolderMemory, str, str]:
    uri = _text(options, "uri", cmd)
    start, end = options.get("start"), options.get("end")
    if start is not None:
        start = _line(start, f"{cmd}: start")
        end = _line(end if end is not None else start, f"{cmd}: end")
    where = ls.locate(uri)
    if where is None:
        raise UsageError(f"{uri} is not in a workspace folder with project memory")
    memory, rel = where
    summaries = records_for(visible(anchoring.hits(ls, memory, rel, uri), ls.settings.kinds), start, end,
                            anchoring.where(ls, uri))
    found = [r for s in summaries if (r := memory.project.get(s.kind, s.id)) is not None]
    memory.project.mark_used([r.id for r in found])  # shown to a person: the memory stops aging
    where_text = rel if start is None else (f"{rel}:{start}" if start == end else f"{rel}:{start}-{end}")
    text = f"# IMI memory for {where_text}\n\n" + (render.records(found, limit=200) or "Nothing names it any more.")
    return memory, f"records {where_text}", text


def _search_view(ls: ImiLanguageServer, options: dict, cmd: str) -> tuple[FolderMemory, str, str, list]:
    query = _text(options, "query", cmd)
    memory = _need_project(ls, options.get("uri"))
    hits = memory.project.search(query, 50)
    lines = [f"# IMI search: {query}", ""]
    lines += [f"- **{h.kind}** `{h.id}`: {h.highlighted('**', '**')}" for h in hits] or [f"Nothing matches {query!r}."]
    return memory, f"search {query}", "\n".join(lines), hits


async def _show(ls: ImiLanguageServer, memory: FolderMemory, name: str, text: str) -> dict:
    return {"uri": await views.show(ls, name, text, str(memory.root))}


@guarded(loud=True)
async def show_context(ls: ImiLanguageServer, *args):
    """imi.showContext [folderOrFileUri]: the session context `imi context` prints, as a view."""
    return await _show(ls, *_context_view(ls, _options(args, "imi.showContext", ("uri",))))


@guarded(loud=True)
async def show_file_memory(ls: ImiLanguageServer, *args):
    """imi.showFileMemory [uri]: what names this file (`imi context --file`), as a view."""
    cmd = "imi.showFileMemory"
    return await _show(ls, *_file_view(ls, _options(args, cmd, ("uri",)), cmd))


@guarded(loud=True)
async def show_records(ls: ImiLanguageServer, *args):
    """imi.showRecords uri [startLine endLine]: the records behind a lens, in full."""
    cmd = "imi.showRecords"
    return await _show(ls, *_records_view(ls, _options(args, cmd, ("uri", "start", "end")), cmd))


def _find(ls: ImiLanguageServer, record_id: str):
    """A record by id or unique prefix in any folder's memory."""
    last: ImiError | None = None
    for memory in ls.folders:
        if memory.project is None:
            continue
        try:
            kind, rid = memory.project.resolve(record_id)
        except ImiError as exc:
            last = exc
            continue
        found = memory.project.get(kind, rid)
        if found is not None:
            return memory, found
    raise last or NotFound(f"no record with id {record_id!r}")


@guarded(loud=True)
async def show_record(ls: ImiLanguageServer, *args):
    """imi.showRecord id: one record in full."""
    options = _options(args, "imi.showRecord", ("id",))
    if not options:
        raise UsageError("imi.showRecord needs a record id (hover a lens or a warning to see ids)")
    memory, found = _find(ls, _text(options, "id", "imi.showRecord"))
    memory.project.mark_used([found.id])
    return {"uri": await views.show(ls, f"{found.kind}-{found.id}", render.record(found), str(memory.root))}


@guarded(loud=True)
async def search(ls: ImiLanguageServer, *args):
    """imi.search words: full-text search over the memory, as a view (workspace symbols search too)."""
    options = _options(args, "imi.search", ("query",))
    if not options:
        raise UsageError("imi.search needs words to look for; workspace symbols (Ctrl+T) search the memory too")
    memory, name, text, hits = _search_view(ls, options, "imi.search")
    await views.show(ls, name, text, str(memory.root))
    return {"query": options["query"], "results": [h.to_json() for h in hits]}


VIEWS = ("record", "records", "file", "context", "search")


@guarded(loud=True)
async def read_view(ls: ImiLanguageServer, *args):
    """imi.readView {view, ...}: a view as a page the client renders itself ({title, markdown, actions}).

    view "record" {id}, "records" {uri, start?, end?} (a lens), "file" {uri}, "context" {uri?},
    "search" {query, uri?}, and those feature modules add ("review", "proposal" {id}: review.py).
    Opens nothing and writes no file.
    """
    cmd = "imi.readView"
    options = _options(args, cmd, ("view",))
    view = _text(options, "view", cmd)
    if view == "record":
        memory, found = _find(ls, _text(options, "id", cmd))
        memory.project.mark_used([found.id])  # a person reads it: it renews like a hover
        return pages.record_page(memory.root, found, memory.project.versions(found.id),
                                 memory.project.origin(found.kind, found.id))
    if view in ls.pages:
        return ls.pages[view](ls, options, cmd)
    if view not in VIEWS:
        raise UsageError(f"{cmd}: view must be one of {', '.join((*VIEWS, *ls.pages))}, not {view!r}")
    if view == "context":
        memory, name, text = _context_view(ls, options)
    elif view == "file":
        memory, name, text = _file_view(ls, options, cmd)
    elif view == "records":
        memory, name, text = _records_view(ls, options, cmd)
    else:
        memory, name, text, _hits = _search_view(ls, options, cmd)
    return pages.text_page(memory.root, name, text)


@guarded(loud=True)
async def archive(ls: ImiLanguageServer, *args):
    """imi.archive id | {id}: hide a record from context and lists (`imi archive ID`)."""
    cmd = "imi.archive"
    options = _options(args, cmd, ("id",))
    memory, found = _find(ls, _text(options, "id", cmd))
    kind, record_id = memory.project.archive(found.id)
    await _written(ls, memory)
    ls.tell(f"Archived {kind} {record_id}")
    return {"kind": kind, "id": record_id, "archived": True}


@guarded(loud=True)
async def acknowledge_lesson(ls: ImiLanguageServer, *args):
    """imi.acknowledgeLesson id: hide this lesson's warnings until the server restarts."""
    options = _options(args, "imi.acknowledgeLesson", ("id",))
    if not options:
        raise UsageError("imi.acknowledgeLesson needs the lesson id (use the code action on a warning)")
    lesson_id = _text(options, "id", "imi.acknowledgeLesson")
    ls.acknowledged.add(lesson_id)
    republish(ls)
    return {"acknowledged": lesson_id}


# recording --------------------------------------------------------------------------------------
def _how(kind: str, fields: str, cli: str) -> str:
    return (f"To record a {kind} here, the editor passes its text: imi.record{kind.title()} "
            f"{{{fields}, uri, range}} (the IMI VS Code and Neovim clients ask for it), or run `{cli}`.")


async def _record(ls: ImiLanguageServer, kind: str, memory: FolderMemory, record_id: str, uri: str | None) -> dict:
    anchoring.snapshot_document(ls, memory, kind, record_id, uri)  # the lines the user sees, saved or not
    await _written(ls, memory)
    found = memory.project.get(kind, record_id)
    files = ", ".join(ref.label() for ref in getattr(found, "files", []))
    said = [line for line in memory.project.notices if not line.startswith("built ")]  # e.g. "not linked: ..."
    memory.project.notices.clear()  # shown once, with the write that caused them
    ls.tell(f"Recorded {kind} {record_id}" + (f" ({files})" if files else "") + "".join(f"; {line}" for line in said))
    return {"kind": kind, "id": record_id, "files": [ref.to_json() for ref in getattr(found, "files", [])]}


@guarded(loud=True)
async def record_decision(ls: ImiLanguageServer, *args):
    """imi.recordDecision {what, why, affects?, uri?, range?, files?}."""
    cmd = "imi.recordDecision"
    options = _options(args, cmd, ("what", "why", "affects"))
    if not options:
        ls.tell(_how("decision", "what, why", 'imi decide "WHAT" "WHY" --files PATH:LINES'))
        return None
    what, why = _text(options, "what", cmd), _text(options, "why", cmd)
    affects = _text(options, "affects", cmd, required=False)
    memory, files = anchor(ls, options, cmd)
    record_id = memory.project.decide(what, why, affects, files=files, read=anchoring.document_reader(ls, memory))
    return await _record(ls, "decision", memory, record_id, options.get("uri"))


@guarded(loud=True)
async def record_lesson(ls: ImiLanguageServer, *args):
    """imi.recordLesson {text, correctBehavior, verifiedBy?, uri?, range?, files?}."""
    cmd = "imi.recordLesson"
    options = _options(args, cmd, ("text", "correctBehavior", "verifiedBy"))
    if not options:
        ls.tell(_how("lesson", "text, correctBehavior", 'imi lesson "TEXT" --correct-behavior "..." --files PATH:LINES'))
        return None
    text = _text(options, "text", cmd)
    correct = _text(options, "correctBehavior", cmd, aliases=("correctBehaviour",))
    verified = _text(options, "verifiedBy", cmd, required=False)
    memory, files = anchor(ls, options, cmd)
    record_id = memory.project.add_lesson(text, correct, verified, files=files,
                                          read=anchoring.document_reader(ls, memory))
    return await _record(ls, "lesson", memory, record_id, options.get("uri"))


@guarded(loud=True)
async def record_note(ls: ImiLanguageServer, *args):
    """imi.recordNote {text, uri?, range?, files?}: a direction note."""
    cmd = "imi.recordNote"
    options = _options(args, cmd, ("text",))
    if not options:
        ls.tell(_how("note", "text", 'imi log "NOTE" --files PATH:LINES'))
        return None
    text = _text(options, "text", cmd)
    memory, files = anchor(ls, options, cmd)
    record_id = memory.project.add_note(text, "note", files=files, read=anchoring.document_reader(ls, memory))
    return await _record(ls, "note", memory, record_id, options.get("uri"))


# tasks ------------------------------------------------------------------------------------------
async def _pick_ready(ls: ImiLanguageServer, memory: FolderMemory) -> str | None:
    """Ask which ready task to start (a message with one button per task)."""
    ready = memory.project.ready_tasks(limit=READY_CHOICES)
    if not ready:
        ls.tell("No ready tasks: everything is done, claimed or blocked.")
        return None
    choices = {f"{t.title[:60]} ({t.id})": t.id for t in ready}
    answer = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
        type=types.MessageType.Info, message="IMI: start which task?",
        actions=[types.MessageActionItem(title=title) for title in choices]))
    return choices.get(answer.title) if answer is not None else None


@guarded(loud=True)
async def start_task(ls: ImiLanguageServer, *args):
    """imi.startTask [taskId | {taskId, force?}]: claim a task; with no id, choose among the ready ones."""
    cmd = "imi.startTask"
    options = _options(args, cmd, ("taskId",))
    memory = _need_project(ls, options.get("uri"))
    task_ref = _text(options, "taskId", cmd, required=False)
    if task_ref is None:
        task_ref = await _pick_ready(ls, memory)
        if task_ref is None:
            return None
    force = options.get("force") is True
    claim = memory.project.start(task_ref, force=force)
    await _written(ls, memory)
    verb = "Took over" if claim.taken_over_from else ("Still holding" if claim.already_held else "Started")
    ls.tell(f"{verb} task {claim.task.id}: {claim.task.title}")
    return claim.task.to_json()


@guarded(loud=True)
async def complete_task(ls: ImiLanguageServer, *args):
    """imi.completeTask taskId summary | {taskId, summary, outcome?, uncertainty?, interpretation?}."""
    cmd = "imi.completeTask"
    options = _options(args, cmd, ("taskId", "summary"))
    memory = _need_project(ls, options.get("uri"))
    project = memory.project
    if not options:
        agent = project.agent()
        mine = [t for t in project.tasks(status="in_progress") if t.claimant == agent]
        listed = "; ".join(f"{t.title[:50]} ({t.id})" for t in mine[:5]) or "none"
        ls.tell(f"Completing a task needs its id and a summary of what was done: imi.completeTask "
                f"{{taskId, summary}}, or `imi complete ID \"summary\"`. Yours in progress: {listed}.")
        return None
    task_ref, summary = _text(options, "taskId", cmd), _text(options, "summary", cmd)
    extra = {key: _text(options, key, cmd, required=False) for key in ("interpretation", "uncertainty", "outcome")}
    task = project.complete(task_ref, summary, **extra)
    await _written(ls, memory)
    ls.tell(f"Completed task {task.id}: {task.title}")
    return task.to_json()


# setting up -------------------------------------------------------------------------------------
@guarded(loud=True)
async def init(ls: ImiLanguageServer, *args):
    """imi.init [folderUri]: create `.imi/state.db` in a workspace folder that has none."""
    options = _options(args, "imi.init", ("uri",))
    uri = _text(options, "uri", "imi.init", required=False)
    if uri is not None:
        memory = ls.folder_of(uri)
        if memory is None:
            raise UsageError(f"{uri} is not a workspace folder")
    else:
        without = [m for m in ls.folders if m.project is None]
        if not ls.folders:
            raise UsageError("open a folder first: project memory lives in a workspace folder")
        memory = without[0] if without else ls.folders[-1]
    if memory.project is not None:
        ls.tell(f"Project memory is already set up at {memory.db_path}")
        return {"db_path": str(memory.db_path), "created": False}
    db_path = memory.db_path
    project, _report, _hooks = Project.init(db_path)  # what `imi init` does
    project.close()
    memory.open()
    await ls.memory_changed()
    ls.tell(f"Initialised project memory at {db_path}")
    return {"db_path": str(db_path), "created": True}


COMMANDS = {
    "imi.showContext": show_context,
    "imi.showFileMemory": show_file_memory,
    "imi.showRecords": show_records,
    "imi.showRecord": show_record,
    "imi.search": search,
    "imi.readView": read_view,
    "imi.archive": archive,
    "imi.acknowledgeLesson": acknowledge_lesson,
    "imi.recordDecision": record_decision,
    "imi.recordLesson": record_lesson,
    "imi.recordNote": record_note,
    "imi.startTask": start_task,
    "imi.completeTask": complete_task,
    "imi.init": init,
}


def setup(server: ImiLanguageServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
