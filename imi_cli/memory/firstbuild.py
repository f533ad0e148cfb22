"""A fresh clone's first command: `.imi/state.db` built from `.imi/records/` in a scratch file, then
moved into place.

Nothing is in the database yet and every record comes from git, so the build needs no journal on disk
and no sync per commit: the scratch file is written with its rollback journal in memory, synced once,
switched to WAL and linked as `state.db` (a year of memory is a 120 MB file: committing it through
the WAL wrote it twice). One process builds; a second one starting meanwhile in the same clone waits for
the lock, then opens the finished database like any other. A build killed midway leaves only the scratch
folder (`.imi/build.tmp/`, kept out of git by `*.tmp`), which the next build clears.
"""

from __future__ import annotations

import os
from pathlib import Path

import apsw

from .store.connection import Store, connect_database, workspace_root_for, write_gitignore
from .textsync import attach
from .textsync.layout import sync_to_disk

FOLDER = "build.tmp"  # in .imi/: the scratch database and the lock of the process building it
LOCK = "lock"
SCRATCH = "state.db"


def open_built(db_path: Path) -> Store | None:
    """The project database of a fresh clone (`records_without_database(db_path)`), built by this process
    or by another one started meanwhile, open and caught up; None where no lock can be taken (no
    `fcntl`, an unwritable folder): the caller then builds it in place as before."""
    try:
        import fcntl
    except ImportError:
        return None
    folder = db_path.parent / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel if this process dies
        except OSError:  # a file system without locks
            return None
        built = None
        if not db_path.exists():  # else another process built it while this one waited
            try:
                built = _build(db_path, folder)
            except (OSError, apsw.Error):  # a full disk, say: built in place instead, which says what failed
                _clear(folder)
                return None
            _remove(folder)  # (one waiting meanwhile holds the lock file open: it then finds the database)
        store = connect_database(db_path)
        if built is not None:
            store.built_from_records, store.caught_up, store.notices = True, built.caught_up, built.notices
    finally:
        os.close(handle)
    try:
        attach(store)
    except BaseException:
        store.close()
        raise
    return store


def _build(db_path: Path, folder: Path) -> Store | None:
    """Load every record into the scratch database and move it to `db_path`; returns the scratch store,
    closed (its report and notices are the build's), or None if a database appeared there meanwhile."""
    scratch = folder / SCRATCH
    _clear(folder)  # what a killed build left: never reused (with no journal on disk it may be torn)
    if any(path.name != LOCK for path in folder.iterdir()):
        raise FileExistsError(f"cannot clear {folder}")
    store = connect_database(scratch, create=True)
    try:
        store.root = workspace_root_for(db_path)
        store.built_from_records = True
        write_gitignore(db_path)
        store.execute("PRAGMA journal_mode = MEMORY")  # (a savepoint must still roll back: not OFF)
        store.execute("PRAGMA synchronous = OFF")
        attach(store)
        store.execute("PRAGMA journal_mode = WAL")
    finally:
        store.close()
    sync_to_disk(scratch)
    try:  # never over a database that appeared meanwhile (an older imi, which takes no lock, building it)
        os.link(scratch, db_path)
    except FileExistsError:
        store = None
    except OSError:  # a file system without hard links
        os.replace(scratch, db_path)
    sync_to_disk(db_path.parent)
    _clear(folder)
    return store


def _clear(folder: Path) -> None:
    """Remove the scratch database and its files (not the lock, which this process holds)."""
    try:
        for path in folder.iterdir():
            if path.name != LOCK:
                path.unlink(missing_ok=True)
    except OSError:
        pass  # a file left behind is cleared by the next build


def _remove(folder: Path) -> None:
    """The scratch folder gone (if nothing else is in it)."""
    try:
        (folder / LOCK).unlink()
        folder.rmdir()
    except OSError:
        pass
