"""Whether git tracks the database (IMI 0.3 told teams to commit it; git cannot merge it).

`imi status` asks on every run, so the answer comes from the bytes of git's index when it can: a
path that appears nowhere in the index is not tracked, and no git process is started. Only when the
index might hold it (or is in a form whose paths are not spelled out: version 4, split, sparse) does
`git ls-files` decide.
"""

from __future__ import annotations

import os
from pathlib import Path

from .store import Store


def _index_file(root: Path) -> Path | None:
    """The index of the repository `root` is in, or None when there is no repository or no index yet."""
    folder = root
    while True:
        dot_git = folder / ".git"
        if dot_git.is_dir():
            index = dot_git / "index"
            return index if index.is_file() else None
        if dot_git.is_file():  # a worktree or submodule: "gitdir: PATH"
            try:
                text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return root  # unreadable: let git answer
            if not text.startswith("gitdir:"):
                return root
            index = (folder / text[7:].strip()) / "index"
            return index if index.is_file() else None
        if folder.parent == folder:
            return None
        folder = folder.parent


def _maybe_in_index(root: Path, rel: str) -> bool:
    """False when the index of root's repository certainly does not list `rel`; True when git must say."""
    index = _index_file(root)
    if index is None:
        return False
    if not index.is_file():
        return True
    try:
        data = index.read_bytes()
    except OSError:
        return True
    if data[:4] != b"DIRC" or data[4:8] not in (b"\0\0\0\2", b"\0\0\0\3"):
        return True  # version 4 shortens paths: ask git
    from .textsync.layout import folder_names

    git_dir = index.parent
    if (git_dir / "info" / "sparse-checkout").exists() or any(
            name.startswith("sharedindex.") for name in folder_names(git_dir)):
        return True  # a sparse index folds folders, a split index keeps entries elsewhere: ask git
    return (rel.encode("utf-8", "surrogateescape") + b"\0") in data


def database_path_in_git(store: Store) -> str | None:
    """The database's path relative to the root when git tracks it."""
    try:
        rel = os.path.relpath(os.path.realpath(store.db_path), os.path.realpath(store.root)).replace(os.sep, "/")
    except ValueError:
        return None
    if rel.startswith("../") or not _maybe_in_index(store.root, rel):
        return None
    from .textsync import gitview

    return rel if gitview.tracked(store.root, rel) else None


def tracked_warning(rel: str) -> str:
    return (f"{rel} is tracked by git (IMI 0.3 committed it; git cannot merge it): `git rm --cached {rel}` "
            "(or `imi doctor --fix`) untracks it and keeps the data; the memory travels as .imi/records/")
