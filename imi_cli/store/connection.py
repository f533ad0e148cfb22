"""Finding and opening `.imi/state.db`: WAL, busy timeout, foreign keys, migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import apsw

from ..errors import ImiError
from . import migrations

DB_DIR = ".imi"
DB_NAME = "state.db"
BUSY_TIMEOUT_MS = 30_000


def find_database(start: Path | None = None) -> Path | None:
    """Return the database to use: `IMI_DB`, else `.imi/state.db` in `start` or a parent.

    The `.imi` folder in the home directory is skipped: IMI 0.3 keeps a global
    database there, and silently writing into it from an unrelated folder is what
    this tool must not do.
    """
    override = os.environ.get("IMI_DB")
    if override:
        return Path(override).expanduser().absolute()
    here = (start or Path.cwd()).absolute()
    home = Path.home().absolute()
    for folder in (here, *here.parents):
        if folder == home:
            continue
        candidate = folder / DB_DIR / DB_NAME
        if candidate.is_file():
            return candidate
    return None


GITIGNORE = "# the local database is a cache of the memory; see docs\nstate.db-wal\nstate.db-shm\n"


def write_gitignore(db_path: Path) -> None:
    """Keep SQLite's side files out of git: `.imi/.gitignore`, written once, never overwritten."""
    ignore = db_path.parent / ".gitignore"
    if db_path.parent.name == DB_DIR and not ignore.exists():
        ignore.write_text(GITIGNORE)


def workspace_root_for(db_path: Path) -> Path:
    """The folder that holds `.imi/`: file references are relative to it."""
    parent = db_path.parent
    return parent.parent if parent.name == DB_DIR else parent


class Store:
    """An open project database and the workspace it belongs to."""

    def __init__(self, conn: apsw.Connection, db_path: Path, root: Path, readonly: bool):
        self.conn = conn
        self.db_path = db_path
        self.root = root
        self.readonly = readonly

    def execute(self, sql: str, bindings: tuple | dict = ()) -> apsw.Cursor:
        """Run one statement and return its cursor."""
        return self.conn.execute(sql, bindings)

    def one(self, sql: str, bindings: tuple | dict = ()):
        """The first row of a query, or None."""
        for row in self.conn.execute(sql, bindings):
            return row
        return None

    def scalar(self, sql: str, bindings: tuple | dict = ()):
        """The first column of the first row, or None."""
        row = self.one(sql, bindings)
        return row[0] if row else None

    @contextmanager
    def write(self) -> Iterator[Store]:
        """An immediate write transaction: taken at once, so readers never have to upgrade.

        `BEGIN IMMEDIATE` waits on the busy timeout instead of failing with
        "database is locked" when another agent is writing.
        """
        if self.readonly:
            raise ImiError(f"{self.db_path} is read-only: nothing was written")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def data_version(self) -> int:
        """Changes when another connection commits: cheap change detection for long-lived readers."""
        return self.scalar("PRAGMA data_version")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def _connect(db_path: Path, readonly: bool) -> apsw.Connection:
    flags = apsw.SQLITE_OPEN_READONLY if readonly else apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE
    try:
        conn = apsw.Connection(str(db_path), flags=flags)
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten, not left in free pages
    except apsw.Error as exc:
        raise ImiError(f"cannot open {db_path}: {exc}") from None
    return conn


def open_store(db_path: Path | None = None, *, create: bool = False, readonly: bool = False) -> Store:
    """Open (or with `create`, make) the project database and bring its schema up to date.

    Raises ImiError with one clear line when there is no project, the file is not
    a database, or it was written by a newer version.
    """
    path = db_path or find_database()
    if path is None:
        raise ImiError("no IMI project here: run `imi init` in the repository root (or set IMI_DB)")
    if not create and not path.is_file():
        raise ImiError(f"no IMI database at {path}: run `imi init` first")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = _connect(path, readonly)
    try:
        if readonly:
            migrations.check_readable(conn, path)
        else:
            migrations.upgrade(conn, path)
    except apsw.Error as exc:
        conn.close()
        raise ImiError(f"{path} is not a usable IMI database: {exc}") from None
    except ImiError:
        conn.close()
        raise
    return Store(conn, path, workspace_root_for(path), readonly)
