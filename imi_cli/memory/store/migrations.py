"""The schema: IMI 0.3's tables as the base, then ordered migrations by `PRAGMA user_version`.

A fresh database and one written by IMI 0.3.x take the same path: the base tables
are created if missing, then every migration runs in order inside one immediate
transaction. A database with a newer version than this program knows is refused.
"""

from __future__ import annotations

from pathlib import Path

import apsw

from ..paths import is_glob

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# IMI 0.3.x's tables (integer-second timestamps, JSON arrays as text, text ids).
BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS goals (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
  why TEXT, for_who TEXT, success_signal TEXT, out_of_scope TEXT,
  workspace_id TEXT, status TEXT NOT NULL DEFAULT 'todo',
  priority TEXT NOT NULL DEFAULT 'medium', context TEXT, tags TEXT DEFAULT '[]',
  workspace_path TEXT, relevant_files TEXT DEFAULT '[]',
  created_at INTEGER, updated_at INTEGER, completed_at INTEGER
);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL,
  why TEXT, context TEXT, linked_files TEXT DEFAULT '[]',
  project_id TEXT, workspace_id TEXT, assignee_type TEXT NOT NULL DEFAULT 'ai',
  agent_id TEXT, team_id TEXT, tags TEXT DEFAULT '[]',
  time_frame TEXT NOT NULL DEFAULT 'this_week', due_date INTEGER,
  priority TEXT NOT NULL DEFAULT 'medium', status TEXT NOT NULL DEFAULT 'todo',
  chat_id TEXT, summary TEXT, goal_id TEXT REFERENCES goals(id) ON DELETE SET NULL,
  plan_id TEXT, execution_format TEXT DEFAULT 'json', execution_payload TEXT,
  workspace_path TEXT, relevant_files TEXT DEFAULT '[]', tools TEXT DEFAULT '[]',
  acceptance_criteria TEXT, created_at INTEGER, updated_at INTEGER,
  completed_at INTEGER, last_ping_at INTEGER, created_by TEXT NOT NULL DEFAULT 'user'
);
CREATE TABLE IF NOT EXISTS memories (
  id TEXT PRIMARY KEY, goal_id TEXT REFERENCES goals(id) ON DELETE SET NULL,
  task_id TEXT REFERENCES tasks(id) ON DELETE SET NULL,
  key TEXT NOT NULL, value TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'learning', reasoning TEXT,
  source TEXT NOT NULL DEFAULT 'agent', created_at INTEGER
);
CREATE TABLE IF NOT EXISTS lessons (
  id TEXT PRIMARY KEY, what_went_wrong TEXT NOT NULL, correct_behavior TEXT NOT NULL,
  verified_by TEXT NOT NULL DEFAULT 'human', created_at DATETIME
);
CREATE TABLE IF NOT EXISTS decisions (
  id TEXT PRIMARY KEY, what TEXT NOT NULL, why TEXT NOT NULL, affects TEXT, created_at INTEGER
);
CREATE TABLE IF NOT EXISTS direction_notes (
  id TEXT PRIMARY KEY, content TEXT NOT NULL, author TEXT, created_at INTEGER
);
CREATE TABLE IF NOT EXISTS workspaces (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL,
  git_remote TEXT, created_at INTEGER, updated_at INTEGER
);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, command TEXT NOT NULL, task_id TEXT,
  goal_id TEXT, agent_id TEXT, duration_ms INTEGER DEFAULT 0, created_at INTEGER
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Record kinds: table, the text columns that search covers, and a code that keeps
# full-text rowids of different tables apart.
FTS_SOURCES = {
    "goal": ("goals", ("name", "description", "why", "for_who", "success_signal", "context"), 1),
    "task": ("tasks", ("title", "description", "why", "context", "acceptance_criteria", "summary"), 2),
    "decision": ("decisions", ("what", "why", "affects"), 3),
    "lesson": ("lessons", ("what_went_wrong", "correct_behavior", "verified_by"), 4),
    "note": ("direction_notes", ("content",), 5),
    "memory": ("memories", ("key", "value"), 6),
}
FTS_ROWID_SHIFT = 1 << 40

# Columns added to IMI's tables: provenance, archive, kinds, claims.
ADDED_COLUMNS = {
    "goals": {"agent": "TEXT", "commit_sha": "TEXT", "archived_at": "INTEGER"},
    "tasks": {"claimed_at": "INTEGER", "commit_sha": "TEXT", "archived_at": "INTEGER"},
    "decisions": {"kind": "TEXT NOT NULL DEFAULT 'decision'", "agent": "TEXT", "commit_sha": "TEXT",
                  "archived_at": "INTEGER"},
    "lessons": {"agent": "TEXT", "commit_sha": "TEXT", "archived_at": "INTEGER"},
    "direction_notes": {"kind": "TEXT NOT NULL DEFAULT 'note'", "commit_sha": "TEXT", "archived_at": "INTEGER"},
    "memories": {"commit_sha": "TEXT"},
}

TIMESTAMP_COLUMNS = {
    "goals": ("created_at", "updated_at", "completed_at"),
    "tasks": ("created_at", "updated_at", "completed_at", "last_ping_at", "due_date"),
    "memories": ("created_at",),
    "lessons": ("created_at",),
    "decisions": ("created_at",),
    "direction_notes": ("created_at",),
    "workspaces": ("created_at", "updated_at"),
    "events": ("created_at",),
}
# Below this a timestamp is in seconds (1e11 ms is March 1973).
MS_THRESHOLD = 100_000_000_000


def _columns(conn: apsw.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _ensure_columns(conn: apsw.Connection, table: str, columns: dict[str, str]) -> None:
    present = _columns(conn, table)
    for name, decl in columns.items():
        if name not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")


def _fts_triggers(kind: str, table: str, fields: tuple[str, ...], code: int) -> str:
    body_new = "concat_ws(' ', " + ", ".join(f"new.{f}" for f in fields) + ")"
    rowid_new = f"{code} * {FTS_ROWID_SHIFT} + new.rowid"
    rowid_old = f"{code} * {FTS_ROWID_SHIFT} + old.rowid"
    return f"""
CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN
  INSERT INTO search_index(rowid, kind, record_id, body) VALUES ({rowid_new}, '{kind}', new.id, {body_new});
END;
CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE ON {table} BEGIN
  DELETE FROM search_index WHERE rowid = {rowid_old};
  INSERT INTO search_index(rowid, kind, record_id, body) VALUES ({rowid_new}, '{kind}', new.id, {body_new});
END;
CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN
  DELETE FROM search_index WHERE rowid = {rowid_old};
  DELETE FROM refs WHERE record_id = old.id;
END;
"""


def rebuild_search_index(conn: apsw.Connection, kinds=None) -> None:
    """Fill the full-text index from the tables (after a migration or a VACUUM). With `kinds`: add the
    rows of these kinds only, to an index that holds none of them (a bulk load, in parts)."""
    if kinds is None:
        conn.execute("DELETE FROM search_index")
    for kind, (table, fields, code) in FTS_SOURCES.items():
        if kinds is not None and kind not in kinds:
            continue
        body = "concat_ws(' ', " + ", ".join(fields) + ")"
        conn.execute(
            f"INSERT INTO search_index(rowid, kind, record_id, body) "
            f"SELECT {code} * {FTS_ROWID_SHIFT} + rowid, '{kind}', id, {body} FROM {table}"
        )


def _v1_memory_layer(conn: apsw.Connection) -> None:
    """IMI 0.3 -> 1: provenance columns, file references, dependencies, search, milliseconds."""
    conn.execute(BASE_SCHEMA)
    for table, columns in ADDED_COLUMNS.items():
        _ensure_columns(conn, table, columns)
    for table, cols in TIMESTAMP_COLUMNS.items():
        for col in cols:
            if col in _columns(conn, table):
                conn.execute(
                    f"UPDATE {table} SET {col} = {col} * 1000 "
                    f"WHERE typeof({col}) = 'integer' AND {col} > 0 AND {col} < {MS_THRESHOLD}"
                )
    conn.execute("""
CREATE TABLE IF NOT EXISTS refs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  record_id TEXT NOT NULL,
  path TEXT NOT NULL,
  is_glob INTEGER NOT NULL DEFAULT 0,
  line_start INTEGER,
  line_end INTEGER,
  symbol TEXT,
  origin TEXT NOT NULL DEFAULT 'explicit',
  fingerprint TEXT,
  commit_sha TEXT,
  created_at INTEGER
);
CREATE INDEX IF NOT EXISTS refs_path_idx ON refs(path);
CREATE INDEX IF NOT EXISTS refs_record_idx ON refs(record_id);
CREATE TABLE IF NOT EXISTS task_deps (
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  blocked_by TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  PRIMARY KEY (task_id, blocked_by)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS task_deps_blocker_idx ON task_deps(blocked_by);
CREATE INDEX IF NOT EXISTS tasks_status_idx ON tasks(status);
CREATE INDEX IF NOT EXISTS tasks_goal_id_idx ON tasks(goal_id);
CREATE INDEX IF NOT EXISTS goals_status_idx ON goals(status);
CREATE INDEX IF NOT EXISTS memories_goal_id_idx ON memories(goal_id);
CREATE INDEX IF NOT EXISTS memories_task_id_idx ON memories(task_id);
CREATE INDEX IF NOT EXISTS memories_created_at_idx ON memories(created_at);
CREATE INDEX IF NOT EXISTS memories_type_idx ON memories(type, created_at);
CREATE INDEX IF NOT EXISTS lessons_created_at_idx ON lessons(created_at);
CREATE INDEX IF NOT EXISTS decisions_created_at_idx ON decisions(created_at);
CREATE INDEX IF NOT EXISTS notes_created_at_idx ON direction_notes(created_at);
CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
  kind UNINDEXED, record_id UNINDEXED, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
""")
    for kind, (table, fields, code) in FTS_SOURCES.items():
        conn.execute(_fts_triggers(kind, table, fields, code))
    rebuild_search_index(conn)
    _import_imi_files(conn)
    # IMI 0.3 recorded kills as decisions whose text says "killed".
    conn.execute(
        "UPDATE decisions SET kind = 'killed' WHERE kind = 'decision' AND "
        "(lower(' ' || what || ' ' || why || ' ') GLOB '*[^a-z]killed[^a-z]*')"
    )


def _imi_path(raw, workspace: str | None) -> str | None:
    """One entry of IMI 0.3's `relevant_files`/`linked_files` as a repo-relative path, or None."""
    if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
        return None
    text = raw.strip().replace("\\", "/")
    base = (workspace or "").rstrip("/")
    if base and text.startswith(base + "/"):
        text = text[len(base) + 1:]
    while text.startswith("./"):
        text = text[2:]
    if not text or text.startswith("/") or ".." in text.split("/") or text.split("/")[0] == ".imi":
        return None
    return text


def _import_imi_files(conn: apsw.Connection) -> None:
    """IMI 0.3 kept the files a goal or task is about as JSON arrays; they become file references."""
    import json

    for kind, table, columns in (("goal", "goals", ("relevant_files",)),
                                 ("task", "tasks", ("relevant_files", "linked_files"))):
        rows = conn.execute(f"SELECT id, workspace_path, created_at, {', '.join(columns)} FROM {table} "
                            f"WHERE id NOT IN (SELECT record_id FROM refs WHERE kind = '{kind}')").fetchall()
        for record_id, workspace, created_at, *lists in rows:
            seen: set[str] = set()
            for text in lists:
                try:
                    entries = json.loads(text) if text else []
                except (TypeError, ValueError):
                    continue
                for raw in entries if isinstance(entries, list) else []:
                    path = _imi_path(raw, workspace)
                    if path and path not in seen:
                        seen.add(path)
                        conn.execute(
                            "INSERT INTO refs(kind, record_id, path, is_glob, origin, created_at) "
                            "VALUES (?, ?, ?, ?, 'explicit', ?)",
                            (kind, record_id, path, int(is_glob(path)), created_at))


def _v2_text_versions(conn: apsw.Connection) -> None:
    """1 -> 2: the version files under .imi/records that the database was built from (team memory in git)."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS text_versions (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  record_id TEXT NOT NULL,
  hlc TEXT NOT NULL,
  base TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  agent TEXT
);
CREATE INDEX IF NOT EXISTS text_versions_record_idx ON text_versions(record_id, hlc);
CREATE INDEX IF NOT EXISTS tasks_goal_status_idx ON tasks(goal_id, status);
""")


def _v3_anchor_text(conn: apsw.Connection) -> None:
    """2 -> 3: the anchored lines as they were, so an anchor's status can be computed later."""
    _ensure_columns(conn, "refs", {"anchor_text": "TEXT"})
    conn.execute("""
CREATE INDEX IF NOT EXISTS tasks_done_idx ON tasks(status, completed_at);
CREATE INDEX IF NOT EXISTS decisions_kind_idx ON decisions(kind, created_at);
CREATE INDEX IF NOT EXISTS notes_kind_idx ON direction_notes(kind, created_at);
CREATE INDEX IF NOT EXISTS goals_name_idx ON goals(name);
""")


def _v4_hot_query_indexes(conn: apsw.Connection) -> None:
    """3 -> 4: a task's newest memories of one type (its last checkpoint, its completion notes) and the
    references that name a file (its own path, or any glob) read from indexes: `imi context` and the
    pre-edit hook stay flat when a year of records piles up."""
    conn.execute("""
CREATE INDEX IF NOT EXISTS memories_task_type_idx ON memories(task_id, type, created_at);
CREATE INDEX IF NOT EXISTS refs_glob_idx ON refs(is_glob) WHERE is_glob = 1;
""")


def _v5_curation(conn: apsw.Connection) -> None:
    """4 -> 5: proposals behind review, provenance of approval, supersession, and when a record was last used.

    The provenance columns travel in the version files (they are record columns); proposals and
    usage times are this clone's own (a pending proposal is not memory yet, and reading must not
    write version files)."""
    provenance = {"approved_by": "TEXT", "proposal_id": "TEXT", "session_id": "TEXT", "supersedes": "TEXT"}
    for table in ("decisions", "lessons", "direction_notes"):
        _ensure_columns(conn, table, provenance)
    conn.execute("""
CREATE TABLE IF NOT EXISTS proposals (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  fields TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  session_id TEXT,
  source TEXT NOT NULL,
  proposed_by TEXT,
  created_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  record_id TEXT
);
CREATE INDEX IF NOT EXISTS proposals_status_idx ON proposals(status, created_at);
CREATE INDEX IF NOT EXISTS proposals_fingerprint_idx ON proposals(fingerprint);
CREATE TABLE IF NOT EXISTS record_usage (
  record_id TEXT PRIMARY KEY,
  used_at INTEGER NOT NULL
) WITHOUT ROWID;
""")


def _v6_live_row_indexes(conn: apsw.Connection) -> None:
    """5 -> 6: partial indexes over live (not archived) rows, in the order context shows them. The
    sections of `imi context` and the session hook, and the "N left out" counts under them, read
    these alone instead of looking up every row's archived_at: flat from 1k records to 100k. And
    the records naming a file (the pre-edit hook) are found from the references' index alone, with
    the distinct globs matched rather than every reference that uses one (this index of globs by
    path replaces version 4's)."""
    from ..priorities import rank_sql

    conn.execute(f"""
CREATE INDEX IF NOT EXISTS decisions_live_idx ON decisions(kind, created_at) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS notes_live_idx ON direction_notes(kind, created_at) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS lessons_live_verified_idx ON lessons(created_at)
  WHERE archived_at IS NULL AND NOT (coalesce(verified_by, '') = '');
CREATE INDEX IF NOT EXISTS lessons_live_unverified_idx ON lessons(created_at)
  WHERE archived_at IS NULL AND coalesce(verified_by, '') = '';
CREATE INDEX IF NOT EXISTS tasks_live_status_idx ON tasks(status, ({rank_sql('priority')}), created_at)
  WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS tasks_live_goal_idx ON tasks(goal_id, status) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS refs_naming_idx ON refs(path, kind, record_id, is_glob);
DROP INDEX IF EXISTS refs_glob_idx;
CREATE INDEX IF NOT EXISTS refs_globs_idx ON refs(path) WHERE is_glob = 1;
CREATE INDEX IF NOT EXISTS goals_live_done_idx ON goals(completed_at, id) WHERE archived_at IS NULL AND status = 'done';
CREATE INDEX IF NOT EXISTS goals_live_active_idx ON goals(({rank_sql('priority')}), created_at)
  WHERE archived_at IS NULL AND status NOT IN ('done', 'archived');
""")


def _v7_duplicate_text_indexes(conn: apsw.Connection) -> None:
    """6 -> 7: live decisions and lessons by their text, lower-cased: a new decision or lesson is
    checked for a word-for-word duplicate (overlap.py) by an index lookup instead of reading every
    live row of its table, so a write costs the same with 100k records as with 1k."""
    conn.execute("""
CREATE INDEX IF NOT EXISTS decisions_live_text_idx ON decisions(lower(what), kind) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS lessons_live_text_idx ON lessons(lower(what_went_wrong)) WHERE archived_at IS NULL;
""")


def _v8_open_task_order_index(conn: apsw.Connection) -> None:
    """7 -> 8: live tasks by goal, status, priority rank and age: a goal's first open tasks (what the
    context shows under it) are read from the index in their order, and only their rows are fetched,
    however many open tasks the goal has. (The index by goal and status stays: counting a goal's
    tasks by status reads that smaller one.)"""
    from ..priorities import rank_sql

    conn.execute(f"""
CREATE INDEX IF NOT EXISTS tasks_open_order_idx ON tasks(goal_id, status, ({rank_sql('priority')}), created_at)
  WHERE archived_at IS NULL;
""")


MIGRATIONS: list[Callable[[apsw.Connection], None]] = [_v1_memory_layer, _v2_text_versions, _v3_anchor_text,
                                                       _v4_hot_query_indexes, _v5_curation, _v6_live_row_indexes,
                                                       _v7_duplicate_text_indexes, _v8_open_task_order_index]
SCHEMA_VERSION = len(MIGRATIONS)  # version.SCHEMA_VERSION, which every opening checks, says the same


def migrate(conn: apsw.Connection, path: Path, current) -> None:
    """Run the migrations a database lacks, in one immediate transaction (version.upgrade calls this
    only when the version is behind; `current(conn, path)` is version.current, read again here)."""
    if conn.execute("PRAGMA journal_mode").fetchall()[0][0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = current(conn, path)  # another process may have migrated meanwhile
        for number in range(version, SCHEMA_VERSION):
            MIGRATIONS[number](conn)
        if version == 0:  # an IMI 0.3 database: its records pass the gate like every other road in
            from ..gate import cleanse_rows
            from .records import TABLES

            cleanse_rows(conn, TABLES)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
