"""Moving memory between projects and tools: JSON Lines export, and import from JSON Lines or
from an IMI 0.3 database. Importing the same file twice changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .. import hlc
from ..errors import UsageError
from ..gate import Refused, admit
from ..opening import open_store
from ..store import Store
from ..store.queries import TABLES
from . import layout, rows
from .export import current_stamp
from .importer import APPLY_ORDER, SyncReport, sync

IMPORT_NODE = "import"  # the node part of stamps given to imported versions that had none
SQLITE_MAGIC = b"SQLite format 3\x00"


def export_lines(store: Store) -> Iterator[str]:
    """One JSON object per record, in a stable order: {"kind", "id", "hlc", "record"}."""
    for kind in APPLY_ORDER:
        for (record_id,) in store.execute(f"SELECT id FROM {TABLES[kind]} ORDER BY id").fetchall():
            record = rows.read_record(store, kind, record_id)
            yield json.dumps({"kind": kind, "id": record_id, "hlc": current_stamp(store, record_id),
                              "record": record}, sort_keys=True, ensure_ascii=False)


def _entries_from_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                raise UsageError(f"{path}:{number}: not a JSON object: nothing was imported") from None
            if (not isinstance(entry, dict) or entry.get("kind") not in TABLES
                    or not isinstance(entry.get("id"), str) or not layout.parse_name(f"{entry['id']}.{'0' * hlc.STAMP_WIDTH}.json")
                    or not isinstance(entry.get("record"), dict) or not layout.plain_record(entry["record"])):
                raise UsageError(f"{path}:{number}: expected {{\"kind\", \"id\", \"record\"}}: nothing was imported")
            yield entry


def _entries_from_imi_db(path: Path) -> Iterator[dict]:
    """Records of an IMI 0.3 (or any imi) database, read from a migrated copy: the original is untouched."""
    with tempfile.TemporaryDirectory(prefix="imi-import-") as scratch:
        copy = Path(scratch) / "state.db"
        shutil.copyfile(path, copy)
        source = open_store(copy)
        try:
            for kind in APPLY_ORDER:
                for (record_id,) in source.execute(f"SELECT id FROM {TABLES[kind]} ORDER BY id").fetchall():
                    yield {"kind": kind, "id": record_id, "hlc": None,
                           "record": rows.read_record(source, kind, record_id)}
        finally:
            source.close()


def _stamp_for(entry: dict) -> str:
    """The imported version's stamp: the one it had, or one derived from its times (so that a
    second import of the same file names the same files and is skipped)."""
    stamp = entry.get("hlc")
    if isinstance(stamp, str) and hlc.is_stamp(stamp):
        return stamp
    record = entry["record"]
    times = [record.get(k) for k in ("updated_at", "completed_at", "created_at")]
    ms = max([t for t in times if isinstance(t, int) and t > 0] or [0])
    return hlc.format_stamp(ms, 0, IMPORT_NODE)


def import_file(store: Store, path: Path) -> SyncReport:
    """Import records from a JSON Lines export or a `.db` file; records already equal are skipped."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    with open(path, "rb") as handle:
        is_db = handle.read(16) == SQLITE_MAGIC
    entries = list(_entries_from_imi_db(path) if is_db else _entries_from_jsonl(path))
    for entry in entries:  # through the gate before anything is written as text for git
        try:
            entry["record"] = admit(entry["kind"], entry["record"], f"{entry['kind']} {entry['id']}")
        except Refused as exc:
            raise UsageError(f"{path}: {exc}: nothing was imported") from None
    root = store.root
    with store.write():
        written = 0
        for entry in entries:
            kind, record_id, record = entry["kind"], entry["id"], entry["record"]
            if rows.read_record(store, kind, record_id) == record:
                continue
            stamp = _stamp_for(entry)
            target = layout.version_path(root, kind, record_id, stamp)
            if target.exists():  # written by an import that was interrupted: the sync below reads it
                continue
            payload = {"format": layout.FORMAT, "kind": kind, "id": record_id, "hlc": stamp, "base": None,
                       "agent": store.actor, "deleted": False, "record": record}
            layout.write_atomic(target, layout.canonical(payload), durable=False)
            written += 1
        if written:
            os.sync()  # one flush for the batch (an fsync per file is minutes for 10,000 records)
        return sync(store)
