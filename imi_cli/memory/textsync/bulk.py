"""Loading many records into a database that holds none yet (`imi rebuild`, a fresh clone's first
command): every record still goes through the gate, but its rows are gathered in memory and written
with one statement per table, and the full-text index is filled once at the end instead of by a
trigger per row (a year of memory: 100,000 records)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import apsw

from ..redaction import forget_texts
from ..store import Store
from ..store.migrations import rebuild_search_index
from ..store.queries import TABLES
from . import rows


@contextmanager
def search_triggers_off(store: Store, rebuild: bool = True) -> Iterator[None]:
    """The full-text triggers dropped for the block (inside its transaction), the index rebuilt from the
    tables (unless the block fills it) and the triggers restored after it: one pass instead of one
    trigger per row."""
    triggers = store.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_fts\\_%' "
                             "ESCAPE '\\'").fetchall()
    for name, _sql in triggers:
        store.execute(f"DROP TRIGGER {name}")
    yield
    if rebuild:
        rebuild_search_index(store.conn)
    for _name, sql in triggers:
        store.execute(sql)


@contextmanager
def indexes_built_after(store: Store, tables: list[str]) -> Iterator[None]:
    """The secondary indexes of these (empty) tables dropped for the block, inside its transaction, and
    made again after it: SQLite builds an index from the sorted keys of the rows faster than it adds
    each row's keys one by one in random order (a fifth of the time of writing the rows). Unique indexes
    stay: they refuse rows."""
    found = store.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                          f"sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({', '.join('?' * len(tables))})",
                          tuple(tables)).fetchall()
    for name, _sql in found:
        store.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in found:
        store.execute(sql)


def empty_search_index(store: Store) -> None:
    """The full-text index emptied by dropping and creating it again: deleting its rows takes each
    record's words out of the index one by one (a second for a year of memory). Call it with the
    search triggers off."""
    (sql,) = store.one("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'search_index'")
    store.execute("DROP TABLE search_index")
    store.execute(sql)


@contextmanager
def collector_paused(loading: bool = True) -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk load (`loading`): the load allocates millions
    of objects that stay alive (every version's JSON) and almost no cyclic garbage, and each collection
    walks them all to find nothing (0.7 s of 8 s of CPU for a year of memory in one process). After it,
    the texts the gate remembered during the load are let go."""
    import gc

    paused = loading and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
        if loading:
            forget_texts()


@contextmanager
def large_cache(store: Store) -> Iterator[None]:
    """A page cache that holds the whole load for the block: with SQLite's default 2 MB, inserting a
    year of records (100 MB of tables and indexes, keys in random order) spills pages to the WAL and
    reads them back again and again, and the load grows faster than the records."""
    size = store.scalar("PRAGMA cache_size")
    store.execute(f"PRAGMA cache_size = {-_CACHE_KIB}")
    try:
        yield
    finally:
        store.execute(f"PRAGMA cache_size = {int(size)}")


@contextmanager
def foreign_keys_checked_at_end(store: Store) -> Iterator[None]:
    """Foreign keys not enforced row by row for the block (`imi rebuild`: deleting every row of a table
    that other tables reference costs a lookup per row instead of one truncation, and every insert
    looks its parent up; a fresh clone's first load). `importer.sync` calls `check_foreign_keys` before
    it commits. SQLite takes this setting only outside a transaction."""
    store.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        store.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(store: Store) -> None:
    """When foreign keys are not enforced row by row (`foreign_keys_checked_at_end`): raise
    (apsw.ConstraintError, the transaction is then rolled back) if a row names a parent row that does
    not exist, what the row-by-row checks would have refused."""
    if store.scalar("PRAGMA foreign_keys"):
        return
    broken = store.one("PRAGMA foreign_key_check")
    if broken:
        raise apsw.ConstraintError(f"FOREIGN KEY constraint failed: {broken[0]} row {broken[1]} names a missing "
                                   f"{broken[2]} row")


_CACHE_KIB = 512 * 1024  # an upper bound: SQLite takes the memory only as pages are used


def empty(store: Store) -> bool:
    """Whether the database holds no record and no version (a bulk load may start)."""
    return store.one("SELECT 1 FROM text_versions LIMIT 1") is None and not any(
        store.one(f"SELECT 1 FROM {table} LIMIT 1") for table in TABLES.values())


def _by_record(row: tuple) -> tuple[str, str]:
    return row[2], row[3]


def _first(row) -> str:
    return row[0]


def _by_record_id(ref: tuple) -> str:
    return ref[1]


class BulkLoad:
    """Records for an empty database, written at once by `write`: what `rows.apply_record` and
    `rows.apply_blockers` do one record at a time."""

    def __init__(self, store: Store, versions: list[tuple], helper=None):
        self.store = store
        self.helper = helper  # a share.Helper doing the records of its kinds in another process, or None
        self.version_rows = versions  # (name, kind, record_id, stamp, base, deleted, agent) of every version
        self.present: dict[str, set[str]] = {}  # table -> ids loaded so far
        self.statements: dict[str, list[list]] = {}  # insert statement -> rows for it (a plain insert: the
        # tables are empty, and a record id met twice is refused, sending the load the per-record way)
        self.refs: list[tuple] = []
        self.deps: list[tuple[str, str]] = []

    def versions(self) -> dict[str, list[tuple]]:
        """Every version of every record, oldest first, as importer._versions reads them."""
        found: dict[str, list[tuple]] = {}
        for _name, _kind, record_id, stamp, base, deleted, agent in sorted(self.version_rows, key=_by_record):
            found.setdefault(record_id, []).append((stamp, base, deleted, agent))
        return found

    def exists(self, table: str, record_id) -> bool:
        return bool(record_id) and record_id in self.present.get(table, ())

    def apply_record(self, kind: str, record_id: str, record: dict | None) -> list[str]:
        """As rows.apply_record (a deleted record: nothing to remove, the database held none)."""
        if record is None:
            return []
        cols, params, refs, missing = rows._prepare(self.store, kind, record_id, record, self.exists)
        self.statements.setdefault(rows.insert_sql(TABLES[kind], cols), []).append(params)
        self.refs += refs
        self.present.setdefault(TABLES[kind], set()).add(record_id)
        return missing

    def apply_blockers(self, task_id: str, record: dict | None) -> list[str]:
        """As rows.apply_blockers."""
        present, missing = rows.split_blockers(task_id, record, self.exists)
        self.deps += [(task_id, blocker) for blocker in present]
        return missing

    def write(self, join=None) -> None:
        """Every gathered row, in one pass per table (raises apsw.Error when one cannot be stored); `join`
        runs once this load's records are written, before the helper's rows are copied (meanwhile the
        helper works on)."""
        conn = self.store.conn
        helper = self.helper
        theirs = [TABLES[kind] for kind in helper.kinds] if helper else []
        with search_triggers_off(self.store, rebuild=helper is None), \
                indexes_built_after(self.store, ["refs", *theirs]):
            with indexes_built_after(self.store, [table for table in TABLES.values() if table not in theirs]):
                self.write_records()
            # this process's file references and search index written while the helper may still be working
            conn.executemany(rows._INSERT_REFS, sorted(self.refs, key=_by_record_id))
            if helper:
                conn.execute("DELETE FROM search_index")
                rebuild_search_index(conn, [kind for kind in TABLES if kind not in helper.kinds])
            if join is not None:
                join()
            if helper:
                helper.copy_rows(self.store)
                rebuild_search_index(conn, helper.kinds)
            conn.executemany("INSERT OR IGNORE INTO task_deps(task_id, blocked_by) VALUES (?, ?)", self.deps)
        self.statements, self.refs, self.deps = {}, [], []

    def write_records(self) -> None:
        """The gathered records' rows, each table in key order (each page of its index is filled once)."""
        for sql, params in self.statements.items():
            self.store.conn.executemany(sql, sorted(params, key=_first))
