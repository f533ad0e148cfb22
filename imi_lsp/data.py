"""Commands that answer editor clients with data and open nothing: the memory as a tree, context as text.

`imi.memoryTree` feeds the VS Code "Project Memory" view (pending proposals included), its status
bar items and the task pickers of both clients; `imi.readContext` and `imi.readFileMemory` feed the agents' tools
(VS Code Language Model Tools). Records are the CLI's `--json` shapes.
"""

from __future__ import annotations

from pygls import uris

from imi_cli.memory import ImiError, UsageError, agent_id, ago, iso, now_ms, one_line

from . import anchoring
from .commands import _need_project, _options, _text
from .lenses import unique, visible
from .symbols import first_file
from .folders import FolderMemory
from .base import ImiLanguageServer, guarded

LIST_LIMIT = 200  # decisions and lessons sent per folder at first; the view asks for more ("Show more")
MAX_LIMIT = 5000
STALE = ("changed", "orphaned")  # an anchor whose code changed or is gone
FILE_LIMIT = 100
STALE_CHECK_LIMIT = 5000  # file references (1,000 anchors are checked in about 25 ms)


def _json(record, stale: set[str]) -> dict:
    return {**record.to_json(), "stale": record.id in stale}


def folder_tree(memory: FolderMemory, limits: dict | None = None) -> dict:
    """One folder: goals with their tasks, tasks without a goal, decisions and lessons (newest first),
    with the true number of each (`counts`) when only the newest are sent, and stale records marked."""
    entry: dict = {"name": memory.folder.name, "folder": str(memory.root), "memory": memory.project is not None,
                   "problem": memory.problem}
    project = memory.project
    if project is None:
        return entry
    limits = limits or {}
    tasks = project.tasks()
    decisions = project.decisions(kind=None, limit=limits.get("decisions", LIST_LIMIT))
    lessons = project.lessons(limit=limits.get("lessons", LIST_LIMIT))
    goals = project.goals()
    project.attach_files([*tasks, *decisions, *lessons, *goals])
    # checking every anchor reads every anchored file: done here up to a size where that stays
    # well under the time a refresh may take; past it the view marks nothing (`staleChecked` false)
    checked = len(memory.index) <= STALE_CHECK_LIMIT
    stale = {s.record_id for s in project.anchors() if s.now.status in STALE} if checked else set()
    ready = {t.id for t in project.ready_tasks()}
    by_goal: dict[str | None, list[dict]] = {}
    for task in tasks:
        by_goal.setdefault(task.goal_id, []).append({**_json(task, stale), "ready": task.id in ready})
    goal_ids = {g.id for g in goals}
    entry["goals"] = [{**_json(g, stale), "tasks": by_goal.get(g.id, [])} for g in goals]
    entry["tasks"] = [t for goal_id, listed in by_goal.items() if goal_id not in goal_ids for t in listed]
    entry["decisions"] = [_json(d, stale) for d in decisions]
    entry["lessons"] = [_json(lesson, stale) for lesson in lessons]
    counts = project.counts()
    pending = project.proposals("pending")
    entry["proposals"] = [{**p.to_json(), "title": one_line(p.title(), 200)} for p in pending[:LIST_LIMIT]]
    entry["staleChecked"] = checked
    entry["counts"] = {"goals": len(goals), "tasks": len(entry["tasks"]),
                       "decisions": counts["decisions"], "lessons": counts["lessons"], "proposals": len(pending)}
    return entry


def _limits(options: dict) -> dict:
    """`{limits: {decisions: N, lessons: N}}`: how many of each the view wants (it pages with "Show more")."""
    given = options.get("limits") or {}
    if not isinstance(given, dict):
        raise UsageError("imi.memoryTree: limits must be an object {decisions, lessons}")
    out = {}
    for key in ("decisions", "lessons"):
        value = given.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"imi.memoryTree: limits.{key} must be a positive whole number")
            out[key] = min(value, MAX_LIMIT)
    return out


@guarded(default={"folders": []})
async def memory_tree(ls: ImiLanguageServer, *args):
    """imi.memoryTree [{limits}]: every workspace folder's memory as JSON, and the agent id this server records as."""
    limits = _limits(_options(args, "imi.memoryTree", ()))
    folders = sorted(ls.folders, key=lambda f: str(f.folder))
    return {"agent": agent_id(), "folders": [folder_tree(memory, limits) for memory in folders]}


def _hit_json(memory: FolderMemory, record, snippet: str, now: int) -> dict:
    ref = first_file(getattr(record, "files", []), memory.root)
    where = None
    if ref is not None:
        where = {**ref.to_json(), "uri": uris.from_fs_path(str(memory.root / ref.path))}
    return {"kind": record.kind, "id": record.id, "title": " ".join(record.title.split()), "snippet": snippet,
            "file": where, "created_at": iso(record.created_at), "age": ago(record.created_at, now),
            "status": getattr(record, "status", None), "folder": str(memory.root)}


@guarded(default={"results": []})
async def find(ls: ImiLanguageServer, *args):
    """imi.find {query, limit?}: search as you type (VS Code's QuickPick, Neovim's picker): each hit with its
    kind, title, first file and age. Archived records are left out; opens nothing."""
    options = _options(args, "imi.find", ("query",))
    query = _text(options, "query", "imi.find", required=False) or ""
    limit = options.get("limit", 30)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise UsageError("imi.find: limit must be a positive whole number")
    results: list[dict] = []
    searched: set = set()
    now = now_ms()
    for memory in ls.folders:
        if memory.project is None or memory.db_path in searched:
            continue
        searched.add(memory.db_path)
        for hit in memory.project.search(query, min(limit, 200)):
            record = memory.project.get(hit.kind, hit.id)
            if record is not None and not getattr(record, "archived_at", None):
                results.append(_hit_json(memory, record, hit.snippet, now))
    return {"query": query, "results": results[:limit]}


@guarded(default={"records": []})
async def file_records(ls: ImiLanguageServer, *args):
    """imi.fileRecords {uri}: the records that name one file (the view's "Memory for this file"), as JSON."""
    options = _options(args, "imi.fileRecords", ("uri",))
    uri = _text(options, "uri", "imi.fileRecords")
    where = ls.locate(uri)
    if where is None:
        return {"records": [], "path": None}
    memory, rel = where
    summaries = unique(h.record for h in visible(anchoring.hits(ls, memory, rel, uri), ls.settings.kinds))
    found = [r for s in summaries[:FILE_LIMIT] if (r := memory.project.get(s.kind, s.id)) is not None]
    doc = ls.documents.get(uri)  # an open document's anchors, as edited so far
    stale = {live.record_id for live in doc.anchors.stale()} if doc is not None else set()
    return {"records": [_json(r, stale) for r in found], "path": rel, "folder": str(memory.root),
            "count": len(summaries)}


@guarded()
async def read_context(ls: ImiLanguageServer, *args):
    """imi.readContext [{uri, budget}]: the session context as text (what `imi context` prints).

    A problem the user can fix comes back as `{"error": ...}` (an agent's tool shows it), not as a message.
    """
    try:
        return _read_context(ls, args)
    except ImiError as exc:
        return {"error": str(exc)}


def _read_context(ls: ImiLanguageServer, args: tuple) -> dict:
    options = _options(args, "imi.readContext", ("uri",))
    memory = _need_project(ls, options.get("uri"))
    budget = options.get("budget")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 500):
        raise UsageError("imi.readContext: budget must be a whole number of characters, at least 500")
    built = memory.project.context(budget=budget)
    return {"text": built.render(), "folder": str(memory.root)}


@guarded()
async def read_file_memory(ls: ImiLanguageServer, *args):
    """imi.readFileMemory {uri}: what names one file, as text (what `imi context --file` prints); errors as for readContext."""
    try:
        return _read_file_memory(ls, args)
    except ImiError as exc:
        return {"error": str(exc)}


def _read_file_memory(ls: ImiLanguageServer, args: tuple) -> dict:
    options = _options(args, "imi.readFileMemory", ("uri",))
    uri = _text(options, "uri", "imi.readFileMemory")
    where = ls.locate(uri)
    if where is None:
        raise UsageError(f"{uri} is not in a workspace folder with project memory")
    memory, rel = where
    return {"text": memory.project.file_memory(rel).render(), "path": rel}


COMMANDS = {
    "imi.memoryTree": memory_tree,
    "imi.find": find,
    "imi.fileRecords": file_records,
    "imi.readContext": read_context,
    "imi.readFileMemory": read_file_memory,
}


def setup(server: ImiLanguageServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
