"""Commands that set up and manage: init, archive, delete."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..memory import DB_DIR, DB_NAME, ImiError, Project, workspace_root_for
from .app import App
from .options import pass_app


@click.command()
@click.option("--agents", metavar="LIST",
              help="Also set up agent hosts: claude, codex, cursor, gemini, copilot (comma-separated) or all. "
                   "Each gets an IMI section in its instruction file, IMI's hooks and the `imi mcp` server in its "
                   "own config files, merged with what is there.")
@click.option("--remove", is_flag=True, help="With --agents: take out exactly what --agents added (nothing else "
                                             "changes).")
@click.option("--ci", "ci_gates", metavar="LIST",
              help="Also add a gate that runs `imi doctor --check` and `imi check --stale`: github "
                   "(.github/workflows/imi.yml), pre-commit (.pre-commit-config.yaml), or both comma-separated.")
@pass_app
def init(app: App, agents, remove, ci_gates):
    """Create .imi/state.db in this folder (safe to run again; migrates an IMI 0.3 database)."""
    from ..agents import host_config
    from ..agents import instructions as agent_files

    from . import ci

    chosen = agent_files.parse_agents(agents) if agents is not None else []
    gates = ci.parse(ci_gates) if ci_gates is not None else []
    if remove:
        if not chosen:
            raise click.UsageError("--remove needs --agents: which files to take the IMI section out of")
        found = Project.locate()
        root = workspace_root_for(found) if found else Path.cwd().absolute()
        for agent in chosen:  # a broken file: refuse before changing anything
            host_config.plan(root, agent, add=False)
        changes = agent_files.remove(root, chosen) + host_config.apply(root, chosen, add=False)
        app.out.result({"agent_files": [c.to_json() for c in changes]}, _agent_lines(changes, root))
        return
    override = os.environ.get("IMI_DB")
    if not override and Path.cwd().absolute() == Path.home().absolute():
        # commands never read ~/.imi (IMI 0.3's global database lives there), so a project here would be lost
        raise ImiError("the home folder is not a project: run `imi init` in a repository (or set IMI_DB)")
    db_path = Path(override).expanduser().absolute() if override else Path.cwd().absolute() / DB_DIR / DB_NAME
    existed = db_path.is_file()
    agent_files.check(workspace_root_for(db_path), chosen)  # a broken section: refuse before creating anything
    for agent in chosen:
        host_config.plan(workspace_root_for(db_path), agent, add=True)
    project, synced, hooks = Project.init(db_path, app.agent_flag)
    app.adopt(project)
    app.warn_if_database_in_git()
    enclosing = Project.locate(Path.cwd().parent) if not override else None
    note = f" (a parent project also has one: {enclosing})" if enclosing and enclosing != db_path else ""
    changes = (agent_files.install(project.root, chosen) + host_config.apply(project.root, chosen, add=True)
               if chosen else [])
    gated = ci.install(project.root, gates)
    lines = [("Already initialised: " if existed else "Initialised project memory at ") + str(project.db_path) + note]
    if synced.exported:
        lines.append(f"Wrote {synced.exported} records to .imi/records/ (commit them to share the memory)")
    if synced.imported:
        lines.append(f"Loaded {synced.records} records from .imi/records/")
    if hooks:
        lines.append(f"Installed git hooks: {', '.join(hooks)}")
    if changes:
        lines.append(_agent_lines(changes, project.root))
    if gated:
        lines.append(ci.lines(gated))
    app.out.result({"db_path": str(project.db_path), "created": not existed, "root": str(project.root),
                    "sync": synced.to_json(), "git_hooks": hooks}
                   | ({"agent_files": [c.to_json() for c in changes]} if chosen else {})
                   | ({"ci": [{"file": rel, "action": action} for rel, action in gated]} if gates else {}),
                   "\n".join(lines))


def _agent_lines(changes, root: Path) -> str:
    verbs = {"added": "added", "updated": "updated", "unchanged": "up to date", "removed": "removed",
             "absent": "nothing of IMI's"}
    lines = []
    for change in changes:
        try:
            rel = change.path.relative_to(root).as_posix()
        except ValueError:
            rel = str(change.path)
        lines.append(f"{rel} ({change.agent}): {verbs[change.action]}")
    return "\n".join(lines)


@click.command()
@click.argument("record_id")
@click.option("--by", "replaced_by", metavar="ID", help="The record that replaces it (linked: its history shows this one).")
@pass_app
def archive(app: App, record_id, replaced_by):
    """Hide a record from context and lists (it stays in the database)."""
    if replaced_by:
        kind, rid = app.project().archive_by(record_id, replaced_by)
    else:
        kind, rid = app.project().archive(record_id)
    app.out.result({"kind": kind, "id": rid, "archived": True}, f"Archived {kind} {rid}")


@click.command()
@click.argument("record_id")
@click.option("--yes", is_flag=True, help="Confirm deleting a goal together with its tasks.")
@pass_app
def delete(app: App, record_id, yes):
    """Delete a record for good (exact id or unique prefix)."""
    project = app.project()
    kind, rid, removed = project.delete(record_id, with_tasks=yes)
    in_git = project.versions_in_git()
    note = (f"\n{in_git} committed versions of its text stay in git's history: see \"Purging\" in docs/team.md "
            "to remove them" if in_git else "")
    app.out.result({"kind": kind, "id": rid, "deleted": removed, "versions_in_git_history": in_git},
                   f"Deleted {kind} {rid}" + (f" and {removed - 1} tasks" if removed > 1 else "") + note)


COMMANDS = [init, archive, delete]
