"""Commands that answer editor clients with data and open nothing: the memory as a tree, context as text.

`imi.memoryTree` feeds the VS Code "Project Memory" view, its status bar item and the task
pickers of both clients; `imi.readContext` and `imi.readFileMemory` feed the agents' tools
(VS Code Language Model Tools). Records are the CLI's `--json` shapes.
"""

from __future__ import annotations

from imi_cli.memory import ImiError, UsageError, agent_id

from .commands import _need_project, _options, _text
from .folders import FolderMemory
from .base import ImiLanguageServer, guarded

LIST_LIMIT = 500  # decisions and lessons per folder: a view of thousands helps nobody, search finds the rest


def folder_tree(memory: FolderMemory) -> dict:
    """One folder: goals with their tasks, tasks without a goal, decisions and lessons (newest first)."""
    entry: dict = {"name": memory.folder.name, "folder": str(memory.root), "memory": memory.project is not None,
                   "problem": memory.problem}
    project = memory.project
    if project is None:
        return entry
    tasks = project.tasks()
    decisions = project.decisions(kind=None, limit=LIST_LIMIT)
    lessons = project.lessons(limit=LIST_LIMIT)
    goals = project.goals()
    project.attach_files([*tasks, *decisions, *lessons, *goals])
    ready = {t.id for t in project.ready_tasks()}
    by_goal: dict[str | None, list[dict]] = {}
    for task in tasks:
        by_goal.setdefault(task.goal_id, []).append({**task.to_json(), "ready": task.id in ready})
    goal_ids = {g.id for g in goals}
    entry["goals"] = [{**g.to_json(), "tasks": by_goal.get(g.id, [])} for g in goals]
    entry["tasks"] = [t for goal_id, listed in by_goal.items() if goal_id not in goal_ids for t in listed]
    entry["decisions"] = [d.to_json() for d in decisions]
    entry["lessons"] = [lesson.to_json() for lesson in lessons]
    return entry


@guarded(default={"folders": []})
async def memory_tree(ls: ImiLanguageServer, *args):
    """imi.memoryTree: every workspace folder's memory as JSON, and the agent id this server records as."""
    folders = sorted(ls.folders, key=lambda f: str(f.folder))
    return {"agent": agent_id(), "folders": [folder_tree(memory) for memory in folders]}


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
    "imi.readContext": read_context,
    "imi.readFileMemory": read_file_memory,
}


def setup(server: ImiLanguageServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
