"""Finding and opening `.imi/state.db`: WAL, busy timeout, foreign keys, migrations."""

from __future__ import annotations

import os
from pathlib import Path

from ..pathimport import import_apsw

import_apsw()
import apsw  # noqa: E402  (after the stand-in for collections.abc)

from ..errors import ImiError
from . import version

DB_DIR = ".imi"
DB_NAME = "state.db"
BUSY_TIMEOUT_MS = 30_000
MAX_NOTICES = 20


class CorruptDatabase(ImiError):
    """The database file is not a database, or is damaged; `imi rebuild` moves it aside."""

    def __init__(self, path: Path, cause: Exception):
        super().__init__(f"cannot open {path}: {cause}; `imi rebuild` moves it aside and rebuilds the memory "
                         "from .imi/records/")
        self.path = path


def move_aside(db_path: Path) -> Path:
    """Rename a broken database (and its WAL files) to `state.db.broken-<ms>`: kept, out of the way."""
    import time

    aside = db_path.with_name(f"{db_path.name}.broken-{time.time_ns() // 1_000_000}")
    for suffix in ("", "-wal", "-shm", "-journal"):
        source = db_path.with_name(db_path.name + suffix)
        if source.exists():
            source.replace(aside.with_name(aside.name + suffix))
    return aside


def find_database(start: Path | None = None) -> Path | None:
    """Return the database to use: `IMI_DB`, else `.imi/state.db` in `start` or a parent.

    The `.imi` folder in the home directory is skipped: IMI 0.3 keeps a global
    database there, and silently writing into it from an unrelated folder is what
    this tool must not do.
    """
    from ..settings import database_override

    override = database_override()
    if override:
        return Path(override).expanduser().absolute()
    here = (start or Path.cwd()).absolute()
    home = Path.home().absolute()
    for folder in (here, *here.parents):
        if folder == home:
            continue
        candidate = folder / DB_DIR / DB_NAME
        if candidate.is_file() or records_without_database(candidate):
            return candidate
        if _is_worktree_root(folder):  # a linked worktree is its own project, even inside another checkout
            return None
    return None


def _is_worktree_root(folder: Path) -> bool:
    """Whether `folder` is the top of a linked git worktree (`git worktree add`): its `.git` is a
    file pointing into the main repository's `worktrees/` folder."""
    marker = folder / ".git"
    try:
        if not marker.is_file():
            return False
        text = marker.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return text.startswith("gitdir:") and "/worktrees/" in text.replace("\\", "/")


def records_without_database(db_path: Path) -> bool:
    """A teammate's fresh clone: the memory is in `.imi/records/` (from git) but this machine has no
    database yet. Opening it builds the database from the records (`open_store`)."""
    return db_path.parent.name == DB_DIR and (db_path.parent / "records").is_dir() and not db_path.exists()


IGNORED = ("state.db", "state.db-wal", "state.db-shm", "state.db-journal", "*.tmp", "state.db.broken-*")


def write_gitignore(db_path: Path) -> None:
    """Keep the database out of git (`.imi/.gitignore`): the memory travels as the text in
    `.imi/records/`, and the database is a cache rebuilt from it. Lines a user added stay."""
    if db_path.parent.name != DB_DIR:
        return
    ignore = db_path.parent / ".gitignore"
    text = ignore.read_text() if ignore.exists() else "# the database is a local cache of records/ (see docs/team.md)\n"
    missing = [line for line in IGNORED if line not in text.splitlines()]
    if missing:
        ignore.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(missing) + "\n")


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
        self.readonly_reason: str | None = None  # why it is read-only unasked (a read-only folder, a full disk)
        # Records changed in the open write transaction, and what to run before it commits
        # (team memory: write their version files); it returns the files it wrote.
        self.touched: dict[tuple[str, str], None] = {}
        self.before_commit = None
        # What to run first in every write transaction, once it holds the lock (team memory: take in
        # version files that appeared since the store was opened, e.g. left by a killed writer).
        self.on_begin = None
        self.actor: str | None = None  # the agent writing in this session, for the text's history
        self.caught_up = None  # team memory: what catching up with git's changes did since opening (a SyncReport)
        # Run once the open write transaction has committed (team memory: remove the text of a deleted
        # record, which must not go before the deletion is safely recorded).
        self.after_commit: list = []
        self.kept_in_git: dict[str, int] = {}  # deleted record id -> versions of it that commits still hold
        self.built_from_records = False  # this opening created the database from `.imi/records/` (a fresh clone)
        self.notices: list[str] = []  # lines for the user about what a command did besides its result
        self._depth = 0

    def notice(self, line: str) -> None:
        """Tell the user something a command did besides its result (the CLI prints these on stderr).
        Only the last few are kept: a long-lived server's store must not grow with every write."""
        self.notices = [*self.notices[-(MAX_NOTICES - 1):], line]

    def touch(self, kind: str, record_id: str) -> None:
        """Note that a record changed in the current write transaction."""
        self.touched[(kind, record_id)] = None

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

    def write(self) -> Transaction:
        """An immediate write transaction: taken at once, so readers never have to upgrade.

        `BEGIN IMMEDIATE` waits on the busy timeout instead of failing with
        "database is locked" when another agent is writing.
        """
        if self.readonly:
            raise ImiError(f"cannot write: {self.readonly_reason}; nothing was written" if self.readonly_reason
                           else f"{self.db_path} is open read-only: nothing was written")
        return Transaction(self)

    def data_version(self) -> int:
        """Changes when another connection commits: cheap change detection for long-lived readers."""
        return self.scalar("PRAGMA data_version")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class Transaction:
    """`with store.write():` (a plain class, not contextlib's decorator: importing contextlib costs every
    command 3 M instructions). Nested, it joins the transaction already open. The outermost one
    begins, lets `on_begin` catch up, and at the end lets `before_commit` write version files and
    commits; on any failure it rolls back and removes those files. `after_commit` actions run last."""

    __slots__ = ("store", "nested", "written")

    def __init__(self, store: Store):
        self.store, self.nested, self.written = store, False, []

    def __enter__(self) -> Store:
        store = self.store
        if store._depth:  # nested: part of the transaction already open
            store._depth += 1
            self.nested = True
            return store
        store.conn.execute("BEGIN IMMEDIATE")
        store._depth, store.touched = 1, {}
        try:
            if store.on_begin:
                store.on_begin(store)
        except BaseException as exc:
            self._undo(exc)
            raise
        return store

    def __exit__(self, kind, exc, traceback) -> bool:
        store = self.store
        if self.nested:
            store._depth -= 1
            return False
        if exc is not None:
            self._undo(exc)
            return False
        try:
            if store.before_commit and store.touched:
                self.written = store.before_commit(store, list(store.touched))
            store.conn.execute("COMMIT")
        except BaseException as failure:
            self._undo(failure)
            raise
        store._depth, store.touched = 0, {}
        actions, store.after_commit = store.after_commit, []
        for action in actions:
            action()
        return False

    def _undo(self, exc: BaseException) -> None:
        """Roll back and take back the version files written; a file error becomes one line."""
        store = self.store
        try:
            store.after_commit = []
            if not store.conn.getautocommit():
                store.conn.execute("ROLLBACK")
            for path in self.written:  # the command failed: leave no trace of it in the text either
                path.unlink(missing_ok=True)
        finally:
            store._depth, store.touched = 0, {}
        if isinstance(exc, OSError):  # writing a version file: a full disk, a read-only folder
            raise ImiError(_os_error_line(exc)) from exc


def _os_error_line(exc: OSError) -> str:
    import errno

    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"the disk is full{where}: nothing was written"
    return f"{exc.strerror or exc}{where}: nothing was written"


def _connect(db_path: Path, readonly: bool) -> apsw.Connection:
    flags = apsw.SQLITE_OPEN_READONLY if readonly else apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE
    conn = apsw.Connection(str(db_path), flags=flags)
    try:
        _configure(conn)
        if readonly:
            conn.execute("PRAGMA schema_version").fetchall()  # reading a WAL database needs its index (-shm)
    except (apsw.ReadOnlyError, apsw.CantOpenError, apsw.IOError) as exc:
        conn.close()
        if not readonly:
            raise
        return _connect_immutable(db_path, exc)
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: apsw.Connection) -> None:
    conn.set_busy_handler(_waiting(BUSY_TIMEOUT_MS))
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten, not left in free pages


def _waiting(limit_ms: int):
    """A busy handler: wait for another writer's lock by polling every millisecond, up to `limit_ms`.

    SQLite's own busy timeout sleeps 1, 2, 5, 10 ... then 100 ms between tries; a write holds the
    lock for a few milliseconds, so with many agents writing at once most of that sleep was spent
    while the lock was already free."""
    import time

    deadline = [0.0]

    def busy(prior_calls: int) -> bool:
        now = time.monotonic()
        if prior_calls == 0:
            deadline[0] = now + limit_ms / 1000
        if now >= deadline[0]:
            return False
        time.sleep(0.001)
        return True

    return busy


def _connect_immutable(db_path: Path, cause: apsw.Error) -> apsw.Connection:
    """Read a database whose WAL index cannot be created (a read-only folder, a full disk): as the
    file is, with no locks. Only when no write-ahead log holds pages the file lacks."""
    from urllib.parse import quote

    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise cause
    conn = apsw.Connection(f"file:{quote(str(db_path))}?immutable=1",
                           flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    try:
        _configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


# Errors that mean "this database cannot be written here" rather than "this is not a database".
_CANNOT_WRITE = (apsw.ReadOnlyError, apsw.CantOpenError, apsw.IOError, apsw.FullError)


def _open(path: Path, readonly: bool) -> apsw.Connection:
    conn = _connect(path, readonly)
    try:
        if readonly:
            version.check_readable(conn, path)
        else:
            version.upgrade(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _unwritable(path: Path) -> str | None:
    """Why the database cannot be written (checked before opening), or None."""
    for where in (path, path.parent):
        if not os.access(where, os.W_OK):
            return f"{where} is read-only"
    return None


def _no_room(path: Path) -> bool:
    try:
        stat = os.statvfs(path.parent)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < 1 << 20


def connect_database(db_path: Path | None = None, *, create: bool = False, readonly: bool = False) -> Store:
    """Open (or with `create`, make) the project database and bring its schema up to date.

    This is the bare database; `opening.open_store` also keeps it in step with team memory.

    A database that cannot be written (a read-only folder or file system, a full disk) is opened
    read-only: reads work, writes fail with the reason. Raises ImiError with one clear line when
    there is no project, the file is not a database, or it was written by a newer version.
    """
    path = db_path or find_database()
    if path is None:
        raise ImiError("no IMI project here: run `imi init` in the repository root (or set IMI_DB)")
    built = not create and not readonly and records_without_database(path)
    if built:
        create = True
    if not create and not path.is_file():
        raise ImiError(f"no IMI database at {path}: run `imi init` first")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    reason = None
    if not readonly and not create:
        reason = _unwritable(path)
        readonly = reason is not None
    try:
        try:
            conn = _open(path, readonly)
        except _CANNOT_WRITE as exc:
            if readonly or create:
                raise
            reason = f"the disk is full ({path.parent})" if _no_room(path) else f"{path} cannot be written ({exc})"
            readonly = True
            conn = _open(path, readonly)
    except (apsw.NotADBError, apsw.CorruptError) as exc:
        raise CorruptDatabase(path, exc) from None
    except apsw.Error as exc:
        raise ImiError(f"cannot open {path}: {exc}") from None
    store = Store(conn, path, workspace_root_for(path), readonly)
    store.readonly_reason = reason
    if built:  # opening.open_store loads the records; the database stays out of git as `imi init` keeps it
        store.built_from_records = True
        write_gitignore(path)
    return store
