"""The helper process of a large bulk load (see share.py): started by `share.start`, it reads its job
from stdin, loads the versions of `share.KINDS` into a scratch SQLite file with the same code the
loading process runs, and answers on stdout (JSON)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import apsw

from ..secrets import Policy, Scope
from ..store import Store
from . import layout, rows
from .bulk import BulkLoad
from .importer import INSERT_VERSIONS, Links, SyncReport, apply_kinds, marked_files, read_new
from .share import LINKS, KINDS, digest


class _Keeping(Policy):
    """A secrets policy that also keeps each secret it counts, for the process that started the helper
    to count them again (once across both processes, as in one)."""

    __slots__ = ("kept",)

    def __init__(self, allow: bool):
        super().__init__(allow)
        self.kept: list[tuple[str, str, str]] = []

    def record(self, kind: str, what: str, secret: str) -> None:
        if hash((kind, secret)) not in self._seen:
            self.kept.append((kind, what, secret))
        super().record(kind, what, secret)


def main() -> None:
    """Run one helper job (read as JSON from stdin); its answer goes to stdout as JSON."""
    import gc

    gc.disable()  # a short-lived process whose objects all stay alive (bulk.collector_paused)
    job = json.loads(sys.stdin.read())
    conn = apsw.Connection(job["db"])
    conn.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF")
    for sql in job["schema"]:
        conn.execute(sql)
    conn.execute("CREATE TABLE share_checks (record_id TEXT, kind TEXT, col TEXT, tbl TEXT, value TEXT, missing TEXT);"
                 "CREATE TABLE share_affected (kind TEXT, record_id TEXT)")
    store = Store(conn, Path(job["db"]), Path(job["root"]), False)
    conn.execute("BEGIN")
    answer = _load(store, job)
    conn.execute("COMMIT")
    conn.close()
    sys.stdout.write(json.dumps(answer))


def _load(store: Store, job: dict) -> dict:
    root = store.root
    on_disk = layout.list_versions(root)
    names = [name for name, (kind, _id, _stamp) in on_disk.items() if kind in KINDS]
    everything = {v.name: v.payload for v in layout.iter_versions(root, KINDS)}
    marked = {rel.rpartition("/")[2] for rel in marked_files(root)}  # as the loading process skips them
    found = read_new(root, names, on_disk, marked, everything)
    store.conn.executemany(INSERT_VERSIONS, found.inserts)
    if job["affected"]:
        store.conn.executemany("INSERT INTO share_affected VALUES (?, ?)",
                               [(kind, record_id) for record_id, kind in found.affected.items()])
    report = SyncReport()
    policy = _Keeping(job["allow"])
    loader = _ShareLoad(store, found.inserts)
    with Scope(policy):
        apply_kinds(store, found.affected, loader.versions(), Links(store, loader), report, set(found.payloads),
                    found.payloads)
    try:
        loader.write_records()
        store.conn.executemany(rows._INSERT_REFS, loader.refs)
    except apsw.Error as exc:
        return {"failed": f"the bulk write failed: {exc}"}
    store.conn.executemany("INSERT INTO share_checks VALUES (?, ?, ?, ?, ?, ?)", loader.checked)
    targets: dict[str, set] = {}  # what its records link to, for the other process to look up at once
    for _record_id, _kind, _column, table, value, _missing in loader.checked:
        if value is not None:
            targets.setdefault(table, set()).add(value)
    return {"names": digest(names), "targets": {table: sorted(values) for table, values in targets.items()},
            "not_ids": any(check[5] is not None for check in loader.checked), "imported": len(found.inserts),
            "newest": found.newest, "unreadable": found.skipped, "skipped": report.skipped, "conflicts": [c.to_json() for c in report.conflicts], "records": report.records,
            "found": policy.kept if job["record"] else []}


class _ShareLoad(BulkLoad):
    """BulkLoad in the helper: links to goals and tasks (loaded by the other process) are taken as
    present and noted, for `Helper.join` to check."""

    def __init__(self, store: Store, versions: list[tuple]):
        super().__init__(store, versions)
        self.checked: list[tuple] = []  # (record id, kind, column, table, id taken as present, or None and
        # the value that is not an id, as JSON)
        self._pending: list[tuple] = []

    def exists(self, table: str, record_id) -> bool:
        if table not in LINKS:
            return super().exists(table, record_id)
        assumed = isinstance(record_id, str) and bool(record_id)  # anything else is never an id: missing
        self._pending.append((table, record_id, assumed))
        return assumed

    def apply_record(self, kind: str, record_id: str, record: dict | None) -> list[str]:
        self._pending = []
        missing = super().apply_record(kind, record_id, record)  # a refusal raises: its checks are dropped
        self.checked += [(record_id, kind, LINKS[table], table, value, None) if assumed else
                         (record_id, kind, LINKS[table], table, None, json.dumps(value))
                         for table, value, assumed in self._pending]
        return missing
