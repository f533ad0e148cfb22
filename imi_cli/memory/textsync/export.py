"""Writing versions: every record a write transaction touched gets a new version file."""

from __future__ import annotations

import os
from pathlib import Path

from .. import hlc
from ..clock import now_ms
from ..store import Store
from . import layout, rows, state


BULK = 16  # more files than this in one transaction: flush once at the end, not per file


def current_stamp(store: Store, record_id: str) -> str | None:
    """The stamp of the version the database holds for a record (the newest one)."""
    return store.scalar("SELECT max(hlc) FROM text_versions WHERE record_id = ?", (record_id,))


def _agent() -> str | None:
    """Who is writing, for commands that do not record provenance (archive, delete)."""
    from ..identity import agent_id
    from ..errors import ImiError

    try:
        return agent_id()
    except ImiError:
        return None


def write_versions(store: Store, touched: list[tuple[str, str]], agent: str | None = None) -> list[Path]:
    """Write one version file per touched record (a tombstone for a deleted one) and note them.

    Runs inside the write transaction, before it commits; returns the files written
    so a failed commit can take them back. On an error it removes what it wrote.
    """
    written: list[Path] = []
    tombstones: list[tuple[str, str, str]] = []
    bulk = len(touched) > BULK
    try:
        node = state.node_id(store)
        last = state.last_stamp(store)
        now = now_ms()
        author = agent or store.actor or _agent()
        for kind, record_id in touched:
            record = rows.read_record(store, kind, record_id)
            base = current_stamp(store, record_id)
            if record is None and base is None:
                continue  # created and deleted before it ever reached the text
            stamp = hlc.tick(last, now, node)
            last = stamp
            payload = {"format": layout.FORMAT, "kind": kind, "id": record_id, "hlc": stamp, "base": base, "agent": author,
                       "deleted": record is None, "record": record}
            path = layout.version_path(store.root, kind, record_id, stamp)
            layout.write_atomic(path, layout.canonical(payload), durable=not bulk)
            written.append(path)
            if record is None:
                tombstones.append((kind, record_id, stamp))
            store.execute("INSERT OR REPLACE INTO text_versions(name, kind, record_id, hlc, base, deleted, agent) "
                          "VALUES (?,?,?,?,?,?,?)", (path.name, kind, record_id, stamp, base, int(record is None),
                                                     author))
        if tombstones:
            _drop_uncommitted(store, tombstones)
        if bulk:
            os.sync()  # one flush for the whole batch, before the database commits
        if last:
            state.observe(store, last)
        state.mark_current(store)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _drop_uncommitted(store: Store, tombstones: list[tuple[str, str, str]]) -> None:
    """Deleted records' text leaves the disk: their version files that no commit holds are removed
    (once the deletion has committed); the tombstones stay so the deletions travel. Versions the
    checked-out commit holds stay in git's history: `store.kept_in_git` counts them for the message."""
    from . import gitview  # here: it loads subprocess, and only deletions need it

    paths: dict[str, tuple[str, str]] = {}  # path -> (version file name, record id)
    for kind, record_id, tombstone in tombstones:
        for (name,) in store.execute("SELECT name FROM text_versions WHERE record_id = ? AND hlc != ?",
                                     (record_id, tombstone)):
            rel = layout.locate(store.root, kind, name) or layout.loose_rel(kind, name)
            if layout.is_pack(rel):
                store.kept_in_git[record_id] = store.kept_in_git.get(record_id, 0) + 1
                continue  # a pack is only ever made of committed versions: git's history keeps them
            paths[f"{layout.RECORDS}/{rel}"] = (name, record_id)
    committed = gitview.in_head(store.root, list(paths), layout.RECORDS)
    doomed = [path for path in paths if path not in committed]
    store.conn.executemany("DELETE FROM text_versions WHERE name = ?", [(paths[p][0],) for p in doomed])
    for path in committed:
        record_id = paths[path][1]
        store.kept_in_git[record_id] = store.kept_in_git.get(record_id, 0) + 1
    if doomed:
        root = store.root

        def remove() -> None:
            gitview.unstage(root, doomed)
            for path in doomed:
                (root / path).unlink(missing_ok=True)
            with store.write():  # the folders changed: note it, or the next command would look for changes
                state.mark_current(store)

        store.after_commit.append(remove)
