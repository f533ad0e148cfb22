"""Team memory commands: sync, rebuild, doctor, export, import, pack."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..memory import CorruptDatabase, Project, UsageError
from .app import App
from .options import pass_app


def _attention(report) -> list[str]:
    """Conflicts resolved and files skipped: what a user should know after any sync."""
    return ([c.describe() for c in report.conflicts] + report.claim_lines()
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
    report = app.project().sync()
    app.warn_if_database_in_git()
    claims = app.project().team_claim_report()
    if quiet and not (report.conflicts or report.claims or report.unresolved or report.skipped or report.notices()
                      or claims):
        return
    hint = None if quiet else app.project().pack_hint()  # quiet is the git hooks: they stay silent about it
    lines = _report_lines(report) + claims + ([hint] if hint else [])
    app.out.result(report.to_json() | ({"team_claims": claims} if claims else {}) | {"pack_hint": hint},
                   "\n".join(lines) or "Up to date.")


@click.command()
@click.option("--force", is_flag=True, help="Rebuild even though some records exist only in the database.")
@pass_app
def rebuild(app: App, force):
    """Throw the database's records away and load them again from .imi/records/ (a database that
    cannot be opened is moved aside first)."""
    try:
        report, aside = app.project().rebuild(force=force), None
    except CorruptDatabase as exc:
        project, aside, report = Project.recover(exc.path, app.agent_flag)
        app.adopt(project)
    moved = f"Moved the broken database aside to {aside}\n" if aside else ""
    app.out.result(report.to_json() | ({"moved_aside": str(aside)} if aside else {}),
                   f"{moved}Rebuilt {report.records} records from {report.imported} versions"
                   + "".join(f"\n{line}" for line in _attention(report)))


@click.command()
@click.option("--fix", is_flag=True, help="Repair what needs no person: stray temporary files, orphan rows, "
                                          "a database git tracks.")
@click.option("--check", "gate", is_flag=True, help="For CI and pre-commit: repair nothing, also refuse duplicate ids, "
                                                  "dangling links and secrets in .imi/records; exit 1 on any problem.")
@pass_app
def doctor(app: App, fix, gate):
    """Check memory on disk: a tracked or damaged database, stray files, conflict markers, bad packs, orphan rows."""
    if fix and gate:
        raise click.UsageError("--check repairs nothing: use --fix or --check, not both")
    found, left = app.project().doctor(fix=fix, gate=gate)
    fixed = [f for f in found if f not in left]
    lines = [f"fixed: {f.line}" for f in fixed] + [
        f"{'note: ' if f.note else '' if f.fixable else 'needs you: '}{f.line}" for f in left]
    if left and not fix and any(f.fixable for f in left):
        lines.append("`imi doctor --fix` repairs what needs no person")
    app.out.result({"fixed": [f.to_json() for f in fixed], "problems": [f.to_json() for f in left]},
                   "\n".join(lines) or "Nothing wrong found.")
    return 1 if any(not f.note for f in left) else 0


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@pass_app
def export_(app: App, fmt, output):
    """Every record as JSON Lines, for moving memory to another project or tool."""
    project = app.project()
    if output and project.is_memory_file(Path(output)):
        # opening it truncates it: `-o .imi/state.db` would destroy the very memory being exported
        raise UsageError(f"{output} is part of the project memory (the database or .imi/): "
                         "write the export somewhere else")
    handle = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        count = 0
        for line in project.export_lines():
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
    report = app.project().import_file(file.absolute())
    app.out.result(report.to_json(), f"Imported {report.imported} records ({report.records} updated)"
                   + "".join(f"\n{line}" for line in _attention(report)))


@click.command()
@pass_app
def pack(app: App):
    """Fold committed version files into packs (first time: move .imi/records/ to shard folders)."""
    report = app.project().pack()
    app.out.result(report.to_json(), report.describe())


COMMANDS = [sync, rebuild, doctor, export_, import_, pack]
