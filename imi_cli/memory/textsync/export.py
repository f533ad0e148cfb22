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
            store.execute("INSERT OR REPLACE INTO text_versions(name, kind, record_id, hlc, base, deleted, agent) "
                          "VALUES (?,?,?,?,?,?,?)", (path.name, kind, record_id, stamp, base, int(record is None),
                                                     author))
        if bulk:
            os.sync()  # one flush for the whole batch, before the database commits
        if last:
            state.observe(store, last)
        state.put(store, "text_signature", layout.signature(store.root))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
