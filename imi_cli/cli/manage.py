"""Commands that set up and manage: init, archive, delete."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..clock import now_ms
from ..errors import Conflict
from ..store import find_database, queries, writes
from ..store.connection import DB_DIR, DB_NAME
from .app import App, pass_app


@click.command()
@pass_app
def init(app: App):
    """Create .imi/state.db in this folder (safe to run again; migrates an IMI 0.3 database)."""
    override = os.environ.get("IMI_DB")
    db_path = Path(override).expanduser().absolute() if override else Path.cwd().absolute() / DB_DIR / DB_NAME
    existed = db_path.is_file()
    store = app.open_at(db_path, create=True)
    ignore = db_path.parent / ".gitignore"
    if db_path.parent.name == DB_DIR and not ignore.exists():
        ignore.write_text("# the local database is a cache of the memory; see docs\nstate.db-wal\nstate.db-shm\n")
    enclosing = find_database(Path.cwd().parent) if not override else None
    note = f" (a parent project also has one: {enclosing})" if enclosing and enclosing != db_path else ""
    app.out.result({"db_path": str(store.db_path), "created": not existed, "root": str(store.root)},
                   ("Already initialised: " if existed else "Initialised project memory at ") + str(store.db_path)
                   + note)


@click.command()
@click.argument("record_id")
@pass_app
def archive(app: App, record_id):
    """Hide a record from context and lists (it stays in the database)."""
    store = app.store()
    with store.write():
        kind, rid = queries.resolve(store, record_id, ["goal", "task", "decision", "lesson", "note"])
        if not writes.archive(store, kind, rid, now_ms()):
            raise Conflict(f"{kind} {rid} is already archived")
    app.out.result({"kind": kind, "id": rid, "archived": True}, f"Archived {kind} {rid}")


@click.command()
@click.argument("record_id")
@click.option("--yes", is_flag=True, help="Confirm deleting a goal together with its tasks.")
@pass_app
def delete(app: App, record_id, yes):
    """Delete a record for good (exact id or unique prefix)."""
    store = app.store()
    with store.write():
        kind, rid = queries.resolve(store, record_id)
        if kind == "goal" and not yes:
            count = store.scalar("SELECT count(*) FROM tasks WHERE goal_id = ?", (rid,))
            if count:
                raise Conflict(f"goal {rid} has {count} tasks: add --yes to delete the goal and its tasks")
        removed = writes.delete(store, kind, rid)
    app.out.result({"kind": kind, "id": rid, "deleted": removed},
                   f"Deleted {kind} {rid}" + (f" and {removed - 1} tasks" if removed > 1 else ""))


COMMANDS = [init, archive, delete]
