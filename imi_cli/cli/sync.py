"""Team memory commands: sync, rebuild, export, import."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import Conflict, ImiError, UsageError
from .app import App
from .options import pass_app


def _require_text(app: App):
    store = app.store()
    from ..textsync import enabled

    if not enabled(store):
        raise ImiError("this project keeps no text records yet: run `imi init` once to turn team memory on")
    return store


def _attention(report) -> list[str]:
    """Conflicts resolved and files skipped: what a user should know after any sync."""
    from ..textsync.importer import describe_claim_race

    return ([c.describe() for c in report.conflicts] + [describe_claim_race(r) for r in report.claims]
            + [f"skipped unreadable file .imi/records/{name}" for name in report.skipped])


def _report_lines(report) -> list[str]:
    lines = [line[0].upper() + line[1:] for line in report.notices()]
    if report.imported or report.forgotten:
        lines.append(f"Read {report.imported} new versions ({report.forgotten} gone); {report.records} records updated")
    if report.exported:
        lines.append(f"Wrote {report.exported} records to .imi/records/ (commit them to share the memory)")
    return lines + _attention(report)


@click.command()
@click.option("--quiet", "-q", is_flag=True, help="Print nothing unless something needs attention (git hooks).")
@pass_app
def sync(app: App, quiet):
    """Bring the database and .imi/records/ in step (git hooks run this after pull, merge, checkout)."""
    from ..textsync import importer

    store = _require_text(app)
    report = importer.sync(store, export_untracked=True)
    if store.caught_up is not None:  # opening the store already took in what git brought: count it
        caught, races = len(store.caught_up.conflicts), len(store.caught_up.claims)
        report = store.caught_up.merged(report)
        del report.conflicts[:caught]  # kept as unreported: they come back just below
        del report.claims[:races]
        store.caught_up = None  # shown here, as this command's report
    with store.write():  # conflicts found while catching up (by this or an earlier command): shown once, here
        report.conflicts[:0] = importer.unreported(store, clear=True)
        report.claims[:0] = importer.unreported_claims(store, clear=True)
    lines = _report_lines(report)
    if quiet and not (report.conflicts or report.claims or report.skipped or report.notices()):
        return
    app.out.result(report.to_json(), "\n".join(lines) or "Up to date.")


@click.command()
@click.option("--force", is_flag=True, help="Rebuild even though some records exist only in the database.")
@pass_app
def rebuild(app: App, force):
    """Throw the database's records away and load them again from .imi/records/."""
    from ..textsync import importer
    from ..store.queries import TABLES

    store = _require_text(app)
    with store.write():
        untracked = sum(store.scalar(f"SELECT count(*) FROM {table} WHERE id NOT IN "
                                     f"(SELECT record_id FROM text_versions)") for table in TABLES.values())
        if untracked and not force:
            raise Conflict(f"{untracked} records exist only in the database: run `imi sync` first to write them "
                           "to .imi/records/ (or --force to drop them)")
        importer.forget_all(store)
        report = importer.sync(store)
    app.out.result(report.to_json(), f"Rebuilt {report.records} records from {report.imported} versions"
                   + "".join(f"\n{line}" for line in _attention(report)))


def _overwrites_memory(store, target: Path) -> bool:
    target = target.resolve()
    db = store.db_path.resolve()
    if db.parent.name == ".imi" and target.is_relative_to(db.parent):
        return True
    return target in {db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@pass_app
def export_(app: App, fmt, output):
    """Every record as JSON Lines, for moving memory to another project or tool."""
    from ..textsync.transfer import export_lines

    store = app.store()
    if output and _overwrites_memory(store, Path(output)):
        # opening it truncates it: `-o .imi/state.db` would destroy the very memory being exported
        raise UsageError(f"{output} is part of the project memory (the database or .imi/): "
                         "write the export somewhere else")
    handle = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        count = 0
        for line in export_lines(store):
            handle.write(line + "\n")
            count += 1
    finally:
        if output:
            handle.close()
    if output:
        sys.stderr.write(f"Exported {count} records to {output}\n")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_(app: App, file):
    """Import records from `imi export` JSON Lines or from another .imi/state.db (IMI 0.3 too)."""
    from ..textsync.transfer import import_file

    store = _require_text(app)
    app.prov()
    report = import_file(store, file.absolute())
    app.out.result(report.to_json(), f"Imported {report.imported} records ({report.records} updated)"
                   + "".join(f"\n{line}" for line in _attention(report)))


COMMANDS = [sync, rebuild, export_, import_]
