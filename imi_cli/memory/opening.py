"""Opening a project's store: the database, kept in step with the team memory under `.imi/records/`."""

from __future__ import annotations

from pathlib import Path

from .store.connection import Store, connect_database, find_database, records_without_database
from .textsync import attach

__all__ = ["open_store", "find_database"]


def open_store(db_path: Path | None = None, *, create: bool = False, readonly: bool = False) -> Store:
    """Open (or with `create`, make) the project database found by walking up (or `IMI_DB`), and
    catch it up with version files git brought in. Raises ImiError with one clear line."""
    path = db_path or find_database()
    store = None
    if path is not None and not readonly and records_without_database(path):
        from .firstbuild import open_built  # a fresh clone: built in a scratch file by one process

        store = open_built(path)
    if store is None:
        store = connect_database(path, create=create, readonly=readonly)
        try:
            attach(store)
        except BaseException:
            store.close()
            raise
    loaded = store.caught_up.records if store.caught_up else 0
    if store.built_from_records and loaded and not create:  # a fresh clone: say what happened, and what init adds
        store.notice(f"built .imi/state.db from the {loaded} records in .imi/records/ (a fresh clone); "
                     "`imi init` adds git hooks that keep it current after `git pull`")
    return store
