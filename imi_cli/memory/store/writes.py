"""Inserts and updates. Callers hold a write transaction (`with store.write():`).

Every new row passes `gate.admit` first: the one place records are cleaned and checked."""

from __future__ import annotations

from ..clock import now_ms
from ..ids import new_id
from ..anchors.text import fingerprint
from ..gate import admit, admit_ref
from ..paths import FileSpec
from .connection import Store
from .queries import TABLES

TYPE_CHECKING = False  # `typing` costs more than a whole write
if TYPE_CHECKING:
    from typing import Iterable


class Provenance:
    """Who wrote a record, when, and at which commit."""

    __slots__ = ("agent", "at", "commit")

    def __init__(self, agent: str, commit: str | None, at: int | None = None):
        self.agent = agent
        self.commit = commit
        self.at = at or now_ms()


def _insert(store: Store, kind: str, values: dict) -> None:
    """One row of a record, through the gate (cleaned, redacted, enums checked)."""
    values = admit(kind, values)
    store.execute(f"INSERT INTO {TABLES[kind]} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                  tuple(values.values()))


def update(store: Store, kind: str, record_id: str, values: dict) -> None:
    """Change some fields of a record, through the gate (as for a new row)."""
    values = admit(kind, values)
    store.execute(f"UPDATE {TABLES[kind]} SET {', '.join(f'{name} = ?' for name in values)} WHERE id = ?",
                  (*values.values(), record_id))


def add_refs(store: Store, kind: str, record_id: str, refs: Iterable[tuple[FileSpec, str]], prov: Provenance) -> None:
    """Store a record's file references: (spec, origin) pairs, origin "explicit" or "text"."""
    for spec, origin in refs:
        fingerprint_of = fingerprint(spec.text.splitlines()) if spec.text else None
        ref = admit_ref({"path": spec.path, "symbol": spec.symbol, "anchor_text": spec.text})
        store.execute(
            "INSERT INTO refs(kind, record_id, path, is_glob, line_start, line_end, symbol, origin, commit_sha, "
            "created_at, anchor_text, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (kind, record_id, ref["path"], int(spec.is_glob), spec.line_start, spec.line_end, ref["symbol"], origin,
             prov.commit, prov.at, ref["anchor_text"], fingerprint_of))


def _files_json(refs: Iterable[tuple[FileSpec, str]]) -> str:
    return _json_list([spec.path for spec, origin in refs if origin == "explicit"])


def _json_list(values: list[str]) -> str:
    from ..jsontext import dumps  # only tasks keep JSON columns: notes, decisions and lessons do not load it

    return dumps(values)


def add_goal(store: Store, prov: Provenance, *, name: str, description: str, priority: str, why: str | None,
             for_who: str | None, success_signal: str | None, refs: list) -> str:
    record_id = new_id()
    _insert(store, "goal", {
        "id": record_id, "name": name, "description": description, "why": why, "for_who": for_who,
        "success_signal": success_signal, "status": "todo", "priority": priority, "workspace_path": str(store.root),
        "relevant_files": _files_json(refs), "created_at": prov.at, "updated_at": prov.at, "agent": prov.agent,
        "commit_sha": prov.commit})
    add_refs(store, "goal", record_id, refs, prov)
    store.touch("goal", record_id)
    return record_id


def add_task(store: Store, prov: Provenance, *, goal_id: str | None, title: str, description: str, priority: str,
             why: str | None, context: str | None, acceptance_criteria: str | None, tools: list[str],
             blocked_by: list[str], refs: list) -> str:
    record_id = new_id()
    _insert(store, "task", {
        "id": record_id, "title": title, "description": description, "why": why, "context": context,
        "priority": priority, "status": "todo", "goal_id": goal_id, "workspace_path": str(store.root),
        "relevant_files": _files_json(refs), "tools": _json_list(tools), "acceptance_criteria": acceptance_criteria,
        "created_at": prov.at, "updated_at": prov.at, "created_by": prov.agent, "commit_sha": prov.commit})
    for blocker in blocked_by:
        store.execute("INSERT OR IGNORE INTO task_deps(task_id, blocked_by) VALUES (?, ?)", (record_id, blocker))
    add_refs(store, "task", record_id, refs, prov)
    store.touch("task", record_id)
    if goal_id:  # new work reopens a finished goal, or its task would never show among the active goals
        store.execute("UPDATE goals SET status = 'ongoing', completed_at = NULL, updated_at = ? "
                      "WHERE id = ? AND status = 'done'", (prov.at, goal_id))
        if store.conn.changes():
            store.touch("goal", goal_id)
    return record_id


def add_decision(store: Store, prov: Provenance, *, what: str, why: str, affects: str | None, kind: str,
                 refs: list) -> str:
    record_id = new_id()
    _insert(store, "decision", {
        "id": record_id, "what": what, "why": why, "affects": affects, "created_at": prov.at, "kind": kind,
        "agent": prov.agent, "commit_sha": prov.commit})
    add_refs(store, "decision", record_id, refs, prov)
    store.touch("decision", record_id)
    return record_id


def add_lesson(store: Store, prov: Provenance, *, text: str, correct_behavior: str, verified_by: str,
               refs: list) -> str:
    record_id = new_id()
    _insert(store, "lesson", {
        "id": record_id, "what_went_wrong": text, "correct_behavior": correct_behavior, "verified_by": verified_by,
        "created_at": prov.at, "agent": prov.agent, "commit_sha": prov.commit})
    add_refs(store, "lesson", record_id, refs, prov)
    store.touch("lesson", record_id)
    return record_id


def add_note(store: Store, prov: Provenance, *, content: str, kind: str, refs: list) -> str:
    record_id = new_id()
    _insert(store, "note", {
        "id": record_id, "content": content, "author": prov.agent, "created_at": prov.at, "kind": kind,
        "commit_sha": prov.commit})
    add_refs(store, "note", record_id, refs, prov)
    store.touch("note", record_id)
    return record_id


def add_memory(store: Store, prov: Provenance, *, key: str, value: str, type: str, goal_id: str | None = None,
               task_id: str | None = None, refs: list = ()) -> str:
    record_id = new_id()
    _insert(store, "memory", {
        "id": record_id, "goal_id": goal_id, "task_id": task_id, "key": key, "value": value, "type": type,
        "reasoning": value, "source": prov.agent, "created_at": prov.at, "commit_sha": prov.commit})
    add_refs(store, "memory", record_id, refs, prov)
    store.touch("memory", record_id)
    return record_id


def log_event(store: Store, command: str, agent: str, duration_ms: int, task_id: str | None = None,
              goal_id: str | None = None) -> None:
    """Record that a command ran (IMI 0.3 keeps the same log)."""
    store.execute(
        "INSERT INTO events(id, command, task_id, goal_id, agent_id, duration_ms, created_at) VALUES (?,?,?,?,?,?,?)",
        (new_id(), command, task_id, goal_id, agent, duration_ms, now_ms()))


def archive(store: Store, kind: str, record_id: str, at: int) -> bool:
    """Hide a record from context and lists; it stays searchable by id. False if already archived."""
    table = TABLES[kind]
    if kind == "memory":
        raise ValueError("memories are not archived")
    store.execute(f"UPDATE {table} SET archived_at = ? WHERE id = ? AND archived_at IS NULL", (at, record_id))
    changed = store.conn.changes() > 0
    if changed:
        store.touch(kind, record_id)
    return changed


def delete(store: Store, kind: str, record_id: str) -> int:
    """Delete a record (a goal with its tasks); returns how many rows went. References go by trigger."""
    removed = 0
    if kind == "goal":
        task_ids = [row[0] for row in store.execute("SELECT id FROM tasks WHERE goal_id = ?", (record_id,))]
        for task_id in task_ids:
            store.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            store.touch("task", task_id)
            removed += 1
    store.execute(f"DELETE FROM {TABLES[kind]} WHERE id = ?", (record_id,))
    store.touch(kind, record_id)
    return removed + store.conn.changes()
