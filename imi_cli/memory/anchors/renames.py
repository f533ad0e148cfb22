"""Memory follows files that git renamed: the one function every read path calls first.

`follow_renames(store)` finds the files that records name but that are missing from the
work tree, asks git whether it renamed them since the commit each reference was made at
(`git mv`, staged or committed renames), and moves those references to the new path,
quietly: the memory is still true, only the file moved. `imi context --file`, the agent
hooks, MCP's file memory, `imi check --stale` and the language server all go through it,
so a rename is followed everywhere at once, whoever reads first.

Cheap on every read: git can only have seen a rename if HEAD or its index changed, so the
work is done once per state of git and of the references (remembered next to the
database); in between, a read costs reading HEAD, one `stat` of git's index and one query.
When the state changed: one `stat` per named file, and git is asked only when some are
missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..store import Store
from ..typed import RecordType
from .gitrenames import renamed_paths


class Followed(metaclass=RecordType):
    """What one call moved: {old path: new path}, and the ids of the references that now name the new path."""

    paths: dict
    ref_ids: frozenset = frozenset()
    stored: bool = True   # False when the store could not be written (read-only): callers map the paths themselves


NOTHING = Followed({})


def missing_files(store: Store) -> dict[str, set[str | None]]:
    """Named files (not globs) that are not in the work tree, with the commits their references were made at."""
    named: dict[str, set[str | None]] = {}
    for path, commit in store.execute("SELECT DISTINCT path, commit_sha FROM refs WHERE is_glob = 0"):
        named.setdefault(path, set()).add(commit)
    root = str(store.root)
    return {path: commits for path, commits in named.items() if not os.path.exists(os.path.join(root, path))}


def follow_renames(store: Store) -> Followed:
    """Move every reference to a file git renamed to the file's new path (see the module's docstring).
    Never raises for git or a busy database: reading memory must not fail because of it."""
    state = _state(store)
    if state is None:
        return NOTHING  # not a git repository (or no commit yet): git renamed nothing
    marker = _marker(store)
    if _read(marker) == state:
        return NOTHING  # nothing to follow in exactly this state of git and of the references
    missing = missing_files(store)
    moved = {old: new for old, new in renamed_paths(store.root, missing).items()
             if os.path.exists(os.path.join(str(store.root), new))} if missing else {}
    if not moved:
        _write(marker, state)
        return NOTHING
    return _store_moves(store, moved)


def follow_renames_at(db_path: Path) -> dict[str, str]:
    """`follow_renames` on a connection of its own (for a worker thread of a long-lived server):
    {old path: new path}, empty when the database cannot be opened."""
    from ..opening import open_store

    try:
        store = open_store(db_path)
    except Exception:  # noqa: BLE001 (gone, locked, newer): nothing followed now, asked again later
        return {}
    try:
        return follow_renames(store).paths
    finally:
        store.close()


def _store_moves(store: Store, moved: dict[str, str]) -> Followed:
    ids: set[int] = set()
    if store.readonly:
        return Followed(moved, frozenset(), stored=False)
    try:
        with store.write():
            for old, new in moved.items():
                for ref_id, kind, record_id in store.execute(
                        "SELECT id, kind, record_id FROM refs WHERE path = ? AND is_glob = 0", (old,)).fetchall():
                    ids.add(ref_id)
                    store.touch(kind, record_id)
                store.execute("UPDATE refs SET path = ? WHERE path = ? AND is_glob = 0", (new, old))
    except Exception as exc:  # noqa: BLE001 (busy, read-only file system): show the moves without storing them
        import logging

        logging.getLogger(__name__).debug("renames not stored: %s", exc)
        return Followed(moved, frozenset(), stored=False)
    return Followed(moved, frozenset(ids))


def _state(store: Store) -> str | None:
    """What the answer depends on: HEAD and git's index (a rename git can see changes one of them:
    `git mv`, `git add`, a commit, a checkout) and the references (new ones may name a missing file)."""
    from ..gitinfo import head_commit, index_mtime

    head = head_commit(store.root)
    if head is None:
        return None
    # two subqueries: SQLite counts a table from its pages and finds max(id) at the end of its b-tree;
    # `count(*), max(id)` in one select read every reference (5 M instructions at 12,000 of them)
    count, last = store.one("SELECT (SELECT count(*) FROM refs), (SELECT max(id) FROM refs)")
    return f"{head} {index_mtime(store.root)} {count} {last}"


def _marker(store: Store) -> Path:
    return store.db_path.with_name(store.db_path.name + ".renames.tmp")  # `*.tmp` is git-ignored in .imi/


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError:
        pass  # a read-only folder: git is asked again next time
