"""One workspace folder's memory: its `.imi/state.db`, kept open, watched, and indexed by path.

The database may be missing, locked, corrupt, deleted or replaced while the editor
runs. `FolderMemory` turns each of those into a state (`project` is None and
`problem` says why) instead of an exception, and `check()` notices when it
changes: another process committed, the file appeared, went away or was swapped.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import apsw

from imi_cli.memory import (DB_DIR, DB_NAME, ImiError, LiveIndex, Project, RefIndex, records_without_database,
                            relative_to_root)

log = logging.getLogger(__name__)

# Reads in WAL mode never wait on writers; this bounds how long a server write (on the event loop) waits
# behind another process's write lock before it reports "busy" instead of freezing the editor.
BUSY_TIMEOUT_MS = 1_000
_EMPTY = RefIndex((), {})
NO_MEMORY = "no .imi/ yet"
SQLITE_HEADER = b"SQLite format 3\x00"


def _is_database(path: Path) -> bool:
    """Whether the file still starts as an SQLite database does (an open connection does not notice a file
    overwritten in place: it keeps answering from its cache and the WAL)."""
    try:
        with open(path, "rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return True  # gone or unreadable: check() reports a deleted file; a passing lock is not damage


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _signature(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class FolderMemory:
    """The memory of one workspace folder (or of the database given with `--db`)."""

    def __init__(self, folder: Path, db_path: Path | None = None):
        self.folder = folder
        self.explicit = db_path is not None
        self.db_path = db_path or Project.locate(folder) or folder / DB_DIR / DB_NAME
        self.project: Project | None = None
        self.live: LiveIndex | None = None
        self.problem: str | None = None
        self._identity: tuple[int, int] | None = None
        self._seen: tuple | None = None  # the file's signature when it was last known to be a database
        self._failed: tuple | None = None
        self._text_problem: str | None = None

    # state -------------------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        """The folder that file references are relative to (the one holding `.imi/`)."""
        return self.project.root if self.project else self.folder

    @property
    def index(self) -> RefIndex:
        """The path index; empty when there is no usable database."""
        return self.live.index if self.live else _EMPTY

    def relative(self, fs_path: str | Path) -> str | None:
        """A file's repo-relative path in this memory, or None when it lies outside."""
        rel = relative_to_root(fs_path, self.root)
        if rel is None or rel.split("/", 1)[0] == DB_DIR:
            return None
        return rel

    def contains(self, fs_path: str | Path) -> bool:
        """Whether a file (or the folder itself) is inside this workspace folder."""
        if Path(os.path.normpath(Path(fs_path).absolute())) == Path(os.path.normpath(self.folder.absolute())):
            return True
        return relative_to_root(fs_path, self.folder) is not None

    # lifecycle ---------------------------------------------------------------------------------
    def open(self) -> bool:
        """Open the database if it exists; True when it was opened.

        Raises ImiError (once per broken file) when the file is there but unusable.
        """
        signature = _signature(self.db_path)
        if signature is None and not records_without_database(self.db_path):
            self.problem = NO_MEMORY
            return False
        # a fresh clone's records (no file yet) are built into a database by Project.open
        signature = signature or "no database yet"
        if signature == self._failed:  # the same broken file: do not retry (or report) again
            return False
        try:
            project = Project.open(self.db_path)
            project.wait_for_writers(BUSY_TIMEOUT_MS)
            self.project, self.live = project, project.live_index()
        except (ImiError, apsw.Error) as exc:
            self._failed = signature
            self.problem = str(exc)
            self.project = self.live = None
            log.warning("imi: %s", exc)
            raise ImiError(f"project memory unavailable: {exc}") from None
        self._identity = _identity(self.db_path)
        self._seen = signature
        self._failed = None
        self.problem = None
        return True

    def close(self, reason: str | None = None) -> None:
        """Drop the connection and the index (lenses and warnings go away)."""
        if self.project is not None:
            try:
                self.project.close()
            except apsw.Error:
                pass
        self.project = self.live = None
        self.problem = reason

    def preload(self) -> None:
        """Load the path index if it is not loaded yet."""
        if self.live is not None and not self.live.loaded:
            self.live.reload()

    def reload(self) -> None:
        """Re-read the index now (after the server itself wrote)."""
        if self.live is not None:
            self.live.reload()

    async def reload_in_background(self) -> None:
        """Re-read the index in a worker thread; the current one keeps answering until the new one is in."""
        live = self.live
        if live is None:
            return
        version = live.current_version()
        index = await asyncio.get_running_loop().run_in_executor(None, live.fetch)
        if self.live is live:  # not closed or replaced meanwhile
            live.install(version, index)

    def _follow_text(self) -> bool:
        """Team memory in git (`.imi/records/`): what the CLI does on every command, the server does on
        every poll: keep its writes exporting version files, and import the ones git brought in (a few
        stat calls when nothing changed). True when that wrote to the database."""
        try:
            changed = self.project.catch_up()
        except apsw.BusyError:  # another process is writing: catch up on a later poll
            return False
        except (ImiError, OSError) as exc:
            if str(exc) != self._text_problem:  # once per distinct problem, not twice a second
                self._text_problem = str(exc)
                log.warning("imi: following .imi/records/: %s", exc)
            return False
        self._text_problem = None
        return changed

    def ensure_intact(self) -> None:
        """Close the memory and raise ImiError when its file was overwritten in place with something that
        is not a database; one header read, only when the file changed since it was last checked."""
        signature = _signature(self.db_path)
        if self.live is None or signature is None or signature == self._seen:
            return
        if _is_database(self.db_path):
            self._seen = signature
            return
        self.close(f"{self.db_path} is not a database any more (it was overwritten in place)")
        self._failed = signature
        raise ImiError(f"the memory database {self.db_path} is not a database any more (it was overwritten in "
                       "place): lenses and warnings are off, and nothing is written until it is restored")

    def check(self) -> str | None:
        """Notice outside changes: "opened", "reopened", "synced" (records from git imported), "stale"
        (another process committed) or None.

        Raises ImiError (after updating the state) when the database went away or
        became unusable, so the caller can tell the user once.
        """
        if self.live is None:
            return "opened" if self.open() else None
        identity = _identity(self.db_path)
        if identity is None:
            self.close(f"{self.db_path} was deleted")
            raise ImiError(f"the memory database {self.db_path} was deleted; lenses and warnings are off "
                           "until it is back (`imi init`)")
        if identity != self._identity:  # replaced by another file (restored, re-created, moved in)
            self.close()
            self.open()
            return "reopened"
        self.ensure_intact()
        try:
            if self._follow_text():
                return "synced"
            return "stale" if self.live.changed() else None
        except apsw.Error as exc:
            self.close(str(exc))
            self._failed = _signature(self.db_path)
            raise ImiError(f"the memory database {self.db_path} became unreadable: {exc}") from None
