"""Syncing after git moved HEAD by reading only the version files the move changed.

A full sync lists every version file and every version the database knows: with a year of history
that is 100k+ names on each `git pull`. After a pull, merge, checkout or rebase, git itself knows
what changed: the record files that differ between the commit the database was last in step with
and the new HEAD. The git hooks ask for that (IMI_SYNC_FROM_GIT=1); the importer then reads just
those paths, and the cost follows what the merge brought, not the history behind it.

Why it is exact: the database follows the working tree, and between two syncs the working tree's
record files change either through commits git moves HEAD across (all in the diff) or through
`imi` writes (already in the database). Anything else (files copied in by hand, a stash popped
without hooks) moves the folders' modification times, which the next command without the hook
variable notices with a full sync; and the hook's own sync checks that the files on disk are as many
as the database's versions after the diff (a count per folder) and syncs fully when they are not.
Without a remembered commit, or when git cannot answer, the sync is full.
"""

from __future__ import annotations

import os
import subprocess

from ..store import Store
from . import layout, state

HEAD = "text_head"  # settings: the commit HEAD was at when the database was last in step with the text
HOOK_VARIABLE = "IMI_SYNC_FROM_GIT"


def requested() -> bool:
    """Whether this process was started by one of the git hooks `imi init` installs."""
    return os.environ.get(HOOK_VARIABLE) == "1"


def _git(store: Store, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=store.root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def head(store: Store) -> str | None:
    out = _git(store, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    return out.strip() if out else None


def scope(store: Store, now: str | None) -> list[str] | None:
    """`folder/name` of every record file that differs between the remembered commit and HEAD (`now`),
    or None when that cannot be known (no remembered commit, HEAD unchanged, git failing): sync fully."""
    last = state.get(store, HEAD)
    if last and last == now and state.is_current(store):
        return []  # in step already (this hook's process caught up when it opened the database)
    if not last or not now or last == now:  # same commit, files changed: an amend, a file checkout
        return None
    out = _git(store, "diff", "--name-only", "--relative", "--no-renames", "-z", last, now, "--", layout.RECORDS)
    if out is None:
        return None
    prefix = layout.RECORDS + "/"
    paths = [path[len(prefix):] for path in out.split("\0") if path.startswith(prefix)]
    base = layout.records_dir(store.root)
    if any(layout.is_pack(path) and not (base / path).is_file() for path in paths):
        return None  # a pack left (a checkout of a commit before it): what it held is not in the diff's names
    return paths if _accounts_for_every_file(store, paths) else None


def _accounts_for_every_file(store: Store, paths: list[str]) -> bool:
    """Whether the versions the database knows, plus what the diff adds and minus what it removes,
    are as many as the versions on disk: a count of names (no file is read or parsed but packs' first lines) that
    catches what moved without a commit (a stash, a file copied in by hand) and asks for a full sync."""
    on_disk = layout.versions_at(store.root, paths)
    names = list(dict.fromkeys([*layout.names_in(paths), *on_disk]))
    known = set()
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        known.update(row[0] for row in store.execute(
            f"SELECT name FROM text_versions WHERE name IN ({','.join('?' * len(chunk))})", tuple(chunk)))
    expected = (store.scalar("SELECT count(*) FROM text_versions") + len(set(on_disk) - known)
                - len(known - set(on_disk)))
    return expected == layout.count_versions(store.root)


def remember(store: Store, now: str | None) -> None:
    """Note the commit (HEAD, `now`) the database is now in step with (inside the sync's transaction)."""
    if now and now != state.get(store, HEAD):
        state.put(store, HEAD, now)
