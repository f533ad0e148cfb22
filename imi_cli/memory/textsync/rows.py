"""A record's full state as a plain dict (every column, its file references, its blockers),
and the way back into the database. Machine-local columns stay out of the text."""

from __future__ import annotations

from ..store import Store
from ..gate import admit, admit_ref
from ..store.queries import TABLES

LOCAL_COLUMNS = {"workspace_path", "workspace_id"}
REF_FIELDS = ("path", "is_glob", "line_start", "line_end", "symbol", "origin", "fingerprint", "commit_sha",
              "created_at", "anchor_text")
_columns_cache: dict[tuple[int, str], list[str]] = {}


def columns(store: Store, table: str) -> list[str]:
    """The table's columns (cached per connection)."""
    key = (id(store.conn), table)
    if key not in _columns_cache:
        _columns_cache[key] = [row[1] for row in store.execute(f"PRAGMA table_info({table})")]
    return _columns_cache[key]


_types_cache: dict[tuple[int, str], dict[str, str]] = {}
# Times are milliseconds a clock can show (years 1 to 9999); other integers fit a double exactly.
_TIME_RANGE = (-62_135_596_800_000, 253_402_300_799_999)
_INT_RANGE = (-(2**53), 2**53)


def _column_types(store: Store, table: str) -> dict[str, str]:
    key = (id(store.conn), table)
    if key not in _types_cache:
        _types_cache[key] = {row[1]: row[2].upper() for row in store.execute(f"PRAGMA table_info({table})")}
    return _types_cache[key]


def _checks(store: Store, table: str) -> dict[str, tuple[int, int] | type]:
    """column -> the range its whole numbers must be in, or `str` for a text column (cached)."""
    key = (id(store.conn), table)
    if key not in _checks_cache:
        checks: dict[str, tuple[int, int] | type] = {}
        for column, declared in _column_types(store, table).items():
            if "INT" in declared or declared == "DATETIME":
                checks[column] = _TIME_RANGE if column.endswith("_at") or column == "due_date" else _INT_RANGE
            elif "TEXT" in declared:
                checks[column] = str
        _checks_cache[key] = checks
    return _checks_cache[key]


_checks_cache: dict[tuple[int, str], dict] = {}


def check_types(store: Store, table: str, values: dict) -> None:
    """Refuse (ValueError) a value its column cannot hold: text from a hand edit, a bad merge or a
    foreign tool must not put a string where the code reads a time, or a time no clock can show."""
    checks = _checks(store, table)
    for column, value in values.items():
        if value is None:
            continue
        check = checks.get(column)
        if check is str:
            if not isinstance(value, str):
                raise ValueError(f"{column} must be text, not {type(value).__name__}")
        elif check is not None and (not isinstance(value, int) or not check[0] <= value <= check[1]):
            low, high = check
            raise ValueError(f"{column} must be a whole number from {low} to {high}, not {value!r:.40}")


def read_record(store: Store, kind: str, record_id: str) -> dict | None:
    """Everything the text keeps of one record, or None when it is not in the database."""
    table = TABLES[kind]
    names = [c for c in columns(store, table) if c not in LOCAL_COLUMNS]
    row = store.one(f"SELECT {', '.join(names)} FROM {table} WHERE id = ?", (record_id,))
    if row is None:
        return None
    record = dict(zip(names, row))
    record["files"] = [dict(zip(REF_FIELDS, ref)) for ref in store.execute(
        f"SELECT {', '.join(REF_FIELDS)} FROM refs WHERE record_id = ? ORDER BY id", (record_id,))]
    if kind == "task":
        record["blocked_by"] = sorted(row[0] for row in store.execute(
            "SELECT blocked_by FROM task_deps WHERE task_id = ?", (record_id,)))
    return record


def _exists(store: Store, table: str, record_id) -> bool:
    return bool(record_id) and store.one(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)) is not None


def _prepare(store: Store, kind: str, record_id: str, record: dict, exists) -> tuple[tuple, list, list, list[str]]:
    """The record through the gate, as rows: (its columns, their values, its file references' rows,
    ids of linked records that are missing). `exists(table, id)` says whether a linked record is
    here. Raises Refused or ValueError for a value the database cannot hold."""
    table = TABLES[kind]
    table_columns = columns(store, table)
    key = (id(store.conn), table, *record)
    names = _names_cache.get(key)
    if names is None:  # (records of one kind mostly have the same fields: a bulk load asks 100,000 times)
        if len(_names_cache) >= 256:
            _names_cache.clear()
        names = _names_cache[key] = [c for c in table_columns if c in record and c not in LOCAL_COLUMNS and c != "id"]
    names = list(names)
    values = {c: record[c] for c in names}
    missing = []
    for column, target in (("goal_id", "goals"), ("task_id", "tasks")):
        if values.get(column) and not exists(target, values[column]):
            missing.append(values[column])
            values[column] = None
    values = admit(kind, values, f"{kind} {record_id}")
    if "workspace_path" in table_columns:
        names.append("workspace_path")
        values["workspace_path"] = str(store.root)
    check_types(store, table, values)
    refs = [(kind, record_id, *[ref.get(f, 0 if f == "is_glob" else ("explicit" if f == "origin" else None))
                                for f in REF_FIELDS])
            for ref in map(admit_ref, [r for r in record.get("files") or [] if isinstance(r, dict)])
            if isinstance(ref.get("path"), str)]
    for ref in refs:
        check_types(store, "refs", dict(zip(REF_FIELDS, ref[2:])))
    cols = ("id", *[n for n in names if n in values])
    params = [record_id, *[values[n] for n in cols[1:]]]
    return cols, params, refs, missing


_names_cache: dict[tuple, list[str]] = {}  # (connection, table, the record's fields) -> the columns it fills


def insert_sql(table: str, cols: tuple) -> str:
    key = (table, cols)
    sql = _insert_cache.get(key)
    if sql is None:
        if len(_insert_cache) >= 256:
            _insert_cache.clear()
        sql = _insert_cache[key] = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    return sql


_insert_cache: dict[tuple, str] = {}


_INSERT_REFS = f"INSERT INTO refs(kind, record_id, {', '.join(REF_FIELDS)}) VALUES (?, ?, {', '.join('?' * len(REF_FIELDS))})"


def apply_record(store: Store, kind: str, record_id: str, record: dict | None) -> list[str]:
    """Make the database hold exactly this state of the record (None: the record is gone).

    Links to records that do not exist here (a goal deleted on another branch, or one
    that has not arrived yet) are cleared in the database; the text keeps them. Returns
    the ids of those missing records.
    """
    table = TABLES[kind]
    if record is None:
        store.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))
        return []
    cols, params, refs, missing = _prepare(store, kind, record_id, record, lambda t, i: _exists(store, t, i))
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:]) or "id = id"
    store.execute(f"{insert_sql(table, cols)} ON CONFLICT(id) DO UPDATE SET {updates}", tuple(params))
    store.execute("DELETE FROM refs WHERE record_id = ?", (record_id,))
    if refs:
        store.conn.executemany(_INSERT_REFS, refs)
    return missing


def apply_blockers(store: Store, task_id: str, record: dict | None) -> list[str]:
    """A task's dependencies, once every task is in place; returns the blockers that do not exist
    here (they are skipped)."""
    store.execute("DELETE FROM task_deps WHERE task_id = ?", (task_id,))
    present, missing = split_blockers(task_id, record, lambda table, record_id: _exists(store, table, record_id))
    for blocker in present:
        store.execute("INSERT OR IGNORE INTO task_deps(task_id, blocked_by) VALUES (?, ?)", (task_id, blocker))
    return missing


def split_blockers(task_id: str, record: dict | None, exists) -> tuple[list[str], list[str]]:
    """(blockers that `exists(table, id)` finds, those it does not) named by a task's record; a
    blocker that is not an id, or the task itself, is skipped."""
    present, missing = [], []
    for blocker in (record or {}).get("blocked_by") or []:
        if not isinstance(blocker, str) or blocker == task_id:
            continue
        (present if exists("tasks", blocker) else missing).append(blocker)
    return present, missing


def dependents(store: Store, kind: str, record_id: str) -> list[str]:
    """"kind:id" of the records whose links to this goal or task the database clears when it goes."""
    if kind == "goal":
        queries = [("task", "SELECT id FROM tasks WHERE goal_id = ?"), ("memory", "SELECT id FROM memories WHERE goal_id = ?")]
    elif kind == "task":
        queries = [("memory", "SELECT id FROM memories WHERE task_id = ?"),
                   ("task", "SELECT task_id FROM task_deps WHERE blocked_by = ?")]
    else:
        return []
    return [f"{dep_kind}:{row[0]}" for dep_kind, sql in queries for row in store.execute(sql, (record_id,))]
