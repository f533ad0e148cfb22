"""Inserts and updates. Callers hold a write transaction (`with store.write():`)."""

from __future__ import annotations

import json
from typing import Iterable

from ..clock import now_ms
from ..ids import new_id
from ..anchors.text import fingerprint
from ..paths import FileSpec
from .connection import Store
from .queries import TABLES


class Provenance:
    """Who wrote a record, when, and at which commit."""

    __slots__ = ("agent", "at", "commit")

    def __init__(self, agent: str, commit: str | None, at: int | None = None):
        self.agent = agent
        self.commit = commit
        self.at = at or now_ms()


def add_refs(store: Store, kind: str, record_id: str, refs: Iterable[tuple[FileSpec, str]], prov: Provenance) -> None:
    """Store a record's file references: (spec, origin) pairs, origin "explicit" or "text"."""
    for spec, origin in refs:
        store.execute(
            "INSERT INTO refs(kind, record_id, path, is_glob, line_start, line_end, symbol, origin, commit_sha, "
            "created_at, anchor_text, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (kind, record_id, spec.path, int(spec.is_glob), spec.line_start, spec.line_end, spec.symbol, origin,
             prov.commit, prov.at, spec.text, fingerprint(spec.text.splitlines()) if spec.text else None))


def _files_json(refs: Iterable[tuple[FileSpec, str]]) -> str:
    return json.dumps([spec.path for spec, origin in refs if origin == "explicit"])


def add_goal(store: Store, prov: Provenance, *, name: str, description: str, priority: str, why: str | None,
             for_who: str | None, success_signal: str | None, refs: list) -> str:
    record_id = new_id()
    store.execute(
        "INSERT INTO goals(id, name, description, why, for_who, success_signal, status, priority, workspace_path, "
        "relevant_files, created_at, updated_at, agent, commit_sha) VALUES (?,?,?,?,?,?,'todo',?,?,?,?,?,?,?)",
        (record_id, name, description, why, for_who, success_signal, priority, str(store.root), _files_json(refs),
         prov.at, prov.at, prov.agent, prov.commit))
    add_refs(store, "goal", record_id, refs, prov)
    store.touch("goal", record_id)
    return record_id


def add_task(store: Store, prov: Provenance, *, goal_id: str | None, title: str, description: str, priority: str,
             why: str | None, context: str | None, acceptance_criteria: str | None, tools: list[str],
             blocked_by: list[str], refs: list) -> str:
    record_id = new_id()
    store.execute(
        "INSERT INTO tasks(id, title, description, why, context, priority, status, goal_id, workspace_path, "
        "relevant_files, tools, acceptance_criteria, created_at, updated_at, created_by, commit_sha) "
        "VALUES (?,?,?,?,?,?,'todo',?,?,?,?,?,?,?,?,?)",
        (record_id, title, description, why, context, priority, goal_id, str(store.root), _files_json(refs),
         json.dumps(tools), acceptance_criteria, prov.at, prov.at, prov.agent, prov.commit))
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
    store.execute(
        "INSERT INTO decisions(id, what, why, affects, created_at, kind, agent, commit_sha) VALUES (?,?,?,?,?,?,?,?)",
        (record_id, what, why, affects, prov.at, kind, prov.agent, prov.commit))
    add_refs(store, "decision", record_id, refs, prov)
    store.touch("decision", record_id)
    return record_id


def add_lesson(store: Store, prov: Provenance, *, text: str, correct_behavior: str, verified_by: str,
               refs: list) -> str:
    record_id = new_id()
    store.execute(
        "INSERT INTO lessons(id, what_went_wrong, correct_behavior, verified_by, created_at, agent, commit_sha) "
        "VALUES (?,?,?,?,?,?,?)",
        (record_id, text, correct_behavior, verified_by, prov.at, prov.agent, prov.commit))
    add_refs(store, "lesson", record_id, refs, prov)
    store.touch("lesson", record_id)
    return record_id


def add_note(store: Store, prov: Provenance, *, content: str, kind: str, refs: list) -> str:
    record_id = new_id()
    store.execute(
        "INSERT INTO direction_notes(id, content, author, created_at, kind, commit_sha) VALUES (?,?,?,?,?,?)",
        (record_id, content, prov.agent, prov.at, kind, prov.commit))
    add_refs(store, "note", record_id, refs, prov)
    store.touch("note", record_id)
    return record_id


def add_memory(store: Store, prov: Provenance, *, key: str, value: str, type: str, goal_id: str | None = None,
               task_id: str | None = None, refs: list = ()) -> str:
    record_id = new_id()
    store.execute(
        "INSERT INTO memories(id, goal_id, task_id, key, value, type, reasoning, source, created_at, commit_sha) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        (record_id, goal_id, task_id, key, value, type, value, prov.agent, prov.at, prov.commit))
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
