"""Local bookkeeping of team memory, kept in the database's settings: this clone's node id,
the newest clock stamp seen, and the signature of the record folders at the last sync."""

from __future__ import annotations

from .. import hlc
from ..store import Store


def get(store: Store, key: str) -> str | None:
    return store.scalar("SELECT value FROM settings WHERE key = ?", (key,))


def put(store: Store, key: str, value: str) -> None:
    store.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  (key, value))


def node_id(store: Store) -> str:
    """This clone's node id, made on first use (inside a write transaction)."""
    node = get(store, "node_id")
    if not node:
        node = hlc.new_node_id()
        put(store, "node_id", node)
    return node


def last_stamp(store: Store) -> str | None:
    return get(store, "hlc")


def observe(store: Store, stamp: str) -> None:
    """Remember a stamp seen (local or imported) so later local writes sort after it."""
    newest = hlc.later(last_stamp(store), stamp)
    if newest != get(store, "hlc"):
        put(store, "hlc", newest)
