"""The schema version this imi writes, checked on every opening without loading the migrations
(migrations.py, with the SQL of every version, loads only when a database needs one)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    import apsw

SCHEMA_VERSION = 8  # the number of migrations in migrations.MIGRATIONS (a test holds them equal)


def current(conn: apsw.Connection, path: Path) -> int:
    """The database's schema version (`PRAGMA user_version`); ImiError when a newer imi wrote it."""
    version = conn.execute("PRAGMA user_version").fetchall()[0][0]
    if version > SCHEMA_VERSION:
        from ..errors import ImiError

        raise ImiError(
            f"{path} has schema version {version}, newer than this imi knows ({SCHEMA_VERSION}): "
            "upgrade imi; nothing was changed"
        )
    return version


def check_readable(conn: apsw.Connection, path: Path) -> None:
    """For read-only use: the schema must be current (a reader cannot migrate)."""
    if current(conn, path) < SCHEMA_VERSION:
        from ..errors import ImiError

        raise ImiError(f"{path} needs an upgrade: run any `imi` command once with write access")


def upgrade(conn: apsw.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION; a no-op (one pragma read) when it already is."""
    if current(conn, path) != SCHEMA_VERSION:
        from .migrations import migrate

        migrate(conn, path, current)
