"""Setting up a project's memory: what `imi init` and the editor's "initialise" command both do."""

from __future__ import annotations

from pathlib import Path

from .opening import open_store
from .store import Store
from .store.connection import write_gitignore


def init_project(db_path: Path):
    """Create (or open and migrate) the database, keep it out of git, and turn team memory on:
    write every record the text lacks, load what the text has, install the git hooks.

    Returns (store, sync report, git hooks changed); the caller closes the store.
    """
    from .textsync import enable

    store: Store = open_store(db_path, create=True)
    try:
        write_gitignore(db_path)
        report, hooks = enable(store)
    except BaseException:
        store.close()
        raise
    return store, report, hooks
