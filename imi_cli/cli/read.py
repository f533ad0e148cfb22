"""Commands that read memory: context, plan, status, think, check, search, show."""

from __future__ import annotations

import click

from .. import __version__
from ..memory import DEFAULT_BUDGET, ago, field, now_ms, render_task_line, shorten
from . import reading
from .app import App
from .fast import BUDGET_RANGE
from .options import pass_app


@click.command()
@click.argument("goal_id", required=False)
@click.option("--budget", default=DEFAULT_BUDGET, show_default=True, type=click.IntRange(*BUDGET_RANGE),
              help="Most characters to print.")
@click.option("--file", "file_path", metavar="PATH", help="Only the memory that names this file.")
@pass_app
def context(app: App, goal_id, budget, file_path):
    """What an agent must know at the start of a session, within a size budget."""
    reading.context(app, goal_id, budget, file_path)


@click.command()
@click.argument("goal_id", required=False)
@pass_app
def plan(app: App, goal_id):
    """All goals and their tasks."""
    project = app.project()
    goal_filter = project.resolve(goal_id, ["goal"])[1] if goal_id else None
    goals = [g for g in project.goals() if not goal_filter or g.id == goal_filter]
    tasks = project.task_summaries(goal_filter)
    by_goal: dict = {}
    for task in tasks:
        by_goal.setdefault(task.goal_id, []).append(task)
    now, lease = now_ms(), project.lease_ms()
    if app.out.as_json:
        app.out.json({
            "version": __version__, "db_path": str(project.db_path), "counts": project.counts(),
            "goals": [{
                "id": g.id, "name": g.name, "priority": g.priority, "status": g.status,
                "total_tasks": len(by_goal.get(g.id, [])),
                "done_tasks": sum(t.status == "done" for t in by_goal.get(g.id, [])),
                "tasks": [{"id": t.id, "title": t.title, "priority": t.priority, "status": t.status,
                           "agent_id": t.claimant, "blocked_by": t.blocked_by} for t in by_goal.get(g.id, [])],
            } for g in goals],
        })
        return
    lines = []
    for g in goals:
        mine = by_goal.get(g.id, [])
        done = sum(t.status == "done" for t in mine)
        lines.append(f"[{g.priority}] {g.name}  {g.id}  ({g.status}, {done}/{len(mine)} done)")
        lines.extend(render_task_line(t, now, lease) for t in mine)
    app.out.text("\n".join(lines) or "No goals yet: `imi goal NAME` adds one.")


@click.command()
@pass_app
def status(app: App):
    """Counts, work in progress, stale claims and what is ready."""
    reading.status(app)


@click.command()
@click.option("--budget", default=6000, show_default=True, type=click.IntRange(500, 10_000_000))
@pass_app
def think(app: App, budget):
    """The state, computed signals and a short prompt to reason about what to do next."""
    reading.think(app, budget)


@click.command()
@click.argument("task_id", required=False)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--stale", is_flag=True,
              help="List anchors whose code changed or is gone, and exit 1 if there are any (for CI, pre-commit).")
@pass_app
def check(app: App, task_id, limit, stale):
    """Verification state of finished work (one task, or the most recent ones); --stale: stale anchors."""
    return reading.check(app, task_id, limit, stale)


@click.command()
@click.argument("record_id")
@pass_app
def verify(app: App, record_id):
    """Accept a record as still true: re-anchor its code references to where the code is now."""
    kind, rid, done = app.project().verify(record_id)
    if app.out.as_json:
        app.out.json({"kind": kind, "id": rid, "anchors": [
            {"was": ref.label(), "status": now.status, "now": now.to_json(), "action": action} for ref, now, action in done]})
        return
    lines = [f"Verified {kind} {rid}" + ("" if done else " (it has no code anchors)")]
    lines.extend(f"  {ref.label()} [{now.status}]: {action}" for ref, now, action in done)
    app.out.text("\n".join(lines))


@click.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@pass_app
def search(app: App, query, limit):
    """Full-text search over every record."""
    reading.search(app, query, limit)


def _describe(record) -> list[str]:
    data = record.to_json()
    lines = [f"{record.kind} {record.id}"]
    for key, value in data.items():
        if key in ("kind", "id", "files") or value in (None, "", []):
            continue
        shown = field(value, 100_000) if isinstance(value, str) else value  # later lines indented, inert
        lines.append(f"  {key}: {shown}")
    if record.files:
        lines.append("  files: " + ", ".join(ref.label() for ref in record.files))
    return lines


@click.command()
@click.argument("record_id")
@pass_app
def show(app: App, record_id):
    """One record in full (id or unique prefix), with its history."""
    project = app.project()
    kind, rid = project.resolve(record_id)
    record = project.get(kind, rid)
    payload = record.to_json()
    lines = _describe(record)
    if kind == "task":
        history = project.memories(task_id=rid, limit=50)
        payload["history"] = [m.to_json() for m in history]
        lines.append("  history:")
        lines.extend(f"    {ago(m.created_at)}  {m.key}: {shorten(m.value, 200)}  @{m.agent}" for m in history)
    if kind == "goal":
        tasks = project.tasks(goal_id=rid, include_archived=True)
        payload["tasks"] = [t.to_json() for t in tasks]
        now, lease = now_ms(), project.lease_ms()
        lines.append("  tasks:")
        lines.extend(render_task_line(t, now, lease) for t in tasks)
    history = project.history(kind, rid)
    if history:
        payload["replaces"] = [{"kind": k, "id": i} for k, i in history]
        lines.append("  replaces: " + " <- ".join(f"{k} {i}" for k, i in history))
    project.mark_used([rid])  # a person read it in full: it stops aging, as after a hover
    origin = project.origin(kind, rid)
    if origin:
        payload["provenance"] = origin
        lines.append("  provenance: " + "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in origin.items()))
    versions = project.versions(rid)
    if versions:
        payload["versions"] = versions
        lines.append("  versions (.imi/records):")
        lines.extend(f"    {v['hlc']}  @{v['agent'] or '?'}" + ("  (deletion)" if v["deleted"] else "") for v in versions)
    app.out.result(payload, "\n".join(lines))


COMMANDS = [context, plan, status, think, check, search, show, verify]
