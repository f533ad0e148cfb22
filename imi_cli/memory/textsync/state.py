"""Local bookkeeping of team memory, kept in the database's settings: this clone's node id,
the newest clock stamp seen, and the signature of the record folders at the last sync."""

from __future__ import annotations

import os

from ..store import Store
from . import layout

SIGNATURE = "text_signature"
WATCH = "text_watch"  # version files that could not be read (conflict markers): read again once they change
DANGLING = "text_dangling"  # "kind:id" -> ids it links to that are not here (yet): importer.Links


def get(store: Store, key: str) -> str | None:
    return store.scalar("SELECT value FROM settings WHERE key = ?", (key,))


def put(store: Store, key: str, value: str) -> None:
    store.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  (key, value))


def node_id(store: Store) -> str:
    """This clone's node id, made on first use (inside a write transaction)."""
    node = get(store, "node_id")
    if not node:
        from ..hlc import new_node_id  # here: a command that only reads needs no clock

        node = new_node_id()
        put(store, "node_id", node)
    return node


def last_stamp(store: Store) -> str | None:
    return get(store, "hlc")


def observe(store: Store, stamp: str) -> None:
    """Remember a stamp seen (local or imported) so later local writes sort after it."""
    from ..hlc import later

    newest = later(last_stamp(store), stamp)
    if newest != get(store, "hlc"):
        put(store, "hlc", newest)


def watched(store: Store) -> list[str]:
    """Version files (`folder/name`) last found unreadable, whose changes the signature follows."""
    raw = get(store, WATCH)
    from ..jsontext import loads  # here, not at the top: most commands never read the watch list

    try:
        found = loads(raw) if raw else []
    except ValueError:
        return []
    return [name for name in found if isinstance(name, str)]


def watch(store: Store, names: list[str]) -> None:
    if names:
        from ..jsontext import dumps

        put(store, WATCH, dumps(sorted(set(names))))
    else:
        store.execute("DELETE FROM settings WHERE key = ?", (WATCH,))


def signature(store: Store) -> str:
    """The record folders' signature (layout.signature), plus the size and time of every watched
    file: fixing a file by hand changes no folder, yet must be noticed."""
    sig = layout.signature(store.root)
    names = watched(store)
    if not names:
        return sig
    base = layout.records_dir(store.root)
    parts = []
    for name in names:
        try:
            info = os.stat(base / name)
            parts.append(f"{info.st_mtime_ns}.{info.st_size}")
        except OSError:
            parts.append("-")
    return sig + "|" + ":".join(parts)


def is_current(store: Store) -> bool:
    """Whether nothing changed in the record files since the database last looked."""
    return get(store, SIGNATURE) == signature(store)


def mark_current(store: Store) -> None:
    put(store, SIGNATURE, signature(store))
