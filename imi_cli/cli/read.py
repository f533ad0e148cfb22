"""Commands that read memory: context, plan, status, think, check, search, show."""

from __future__ import annotations

import click

from .. import __version__
from ..memory import DEFAULT_BUDGET, UsageError, ago, field, is_stale, now_ms, render_task_line, shorten
from .app import App
from .fast import BUDGET_RANGE, show_context
from .options import pass_app


@click.command()
@click.argument("goal_id", required=False)
@click.option("--budget", default=DEFAULT_BUDGET, show_default=True, type=click.IntRange(*BUDGET_RANGE),
              help="Most characters to print.")
@click.option("--file", "file_path", metavar="PATH", help="Only the memory that names this file.")
@pass_app
def context(app: App, goal_id, budget, file_path):
    """What an agent must know at the start of a session, within a size budget."""
    show_context(app, goal_id, budget, file_path)


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
    project = app.project()
    app.warn_if_database_in_git()
    counts = project.counts()
    now, lease = now_ms(), project.lease_ms()
    wip = project.tasks(status="in_progress")
    stale = [t for t in wip if is_stale(t, now, lease)]
    stale_ids = {t.id for t in stale}
    ready_count = project.ready_count()
    if app.out.as_json:
        app.out.json({"db_path": str(project.db_path), "counts": counts, "ready": ready_count,
                      "in_progress": [t.to_json() for t in wip], "stale": [t.id for t in stale]})
        return
    lines = [f"{project.db_path}",
             f"{counts['goals']} goals · {counts['tasks']} tasks ({counts['todo']} todo, {counts['wip']} in progress, "
             f"{counts['done']} done) · {ready_count} ready · {counts['decisions']} decisions · "
             f"{counts['lessons']} lessons"]
    for t in wip:
        mark = "  STALE" if t.id in stale_ids else ""
        lines.append(f"  in progress: {t.title}  {t.id}  @{t.claimant}  heartbeat {ago(t.last_ping_at, now)}{mark}")
    app.out.text("\n".join(lines))


@click.command()
@click.option("--budget", default=6000, show_default=True, type=click.IntRange(500, 10_000_000))
@pass_app
def think(app: App, budget):
    """The state, computed signals and a short prompt to reason about what to do next."""
    from ..memory import THINK_PROMPT

    project = app.project()
    found = project.signals()
    counts = project.counts()
    if app.out.as_json:
        app.out.json({"counts": counts, "signals": [s.to_json() for s in found], "prompt": THINK_PROMPT})
        return
    lines = [f"# Think ({project.root.name})",
             f"{counts['goals']} goals · {counts['wip']} in progress · {counts['todo']} todo · {counts['done']} done",
             "", "## Signals"]
    for s in found:
        if not s.total:
            continue
        lines.append(f"- {s.title}: {s.total}")
        lines.extend(f"    {i}  {shorten(t, 160)}" for i, t in s.items)
        if s.total > len(s.items):
            lines.append(f"    … {s.total - len(s.items)} more (imi think --json)")
    if not any(s.total for s in found):
        lines.append("- nothing needs attention")
    lines += ["", "## Prompt", THINK_PROMPT]
    text = "\n".join(lines)
    app.out.text(text if len(text) <= budget else shorten(text, budget - 2))


@click.command()
@click.argument("task_id", required=False)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--stale", is_flag=True,
              help="List anchors whose code changed or is gone, and exit 1 if there are any (for CI, pre-commit).")
@pass_app
def check(app: App, task_id, limit, stale):
    """Verification state of finished work (one task, or the most recent ones); --stale: stale anchors."""
    if stale:
        _check_stale(app)
        return
    project = app.project()
    if task_id:
        task = project.find(task_id, ["task"])
        v = project.verify_task(task)
        lines = [f"{task.title}  {task.id}", f"  state: {v.state} — {v.reason}"]
        for label, value in (("acceptance", task.acceptance_criteria), ("summary", v.summary),
                             ("interpretation", v.interpretation), ("uncertainty", v.uncertainty),
                             ("outcome", v.outcome)):
            if value:
                lines.append(f"  {label}: {value}")
        app.out.result(v.to_json(), "\n".join(lines))
        return
    results = project.review_tasks(limit)
    counts: dict[str, int] = {}
    for v in results:
        counts[v.state] = counts.get(v.state, 0) + 1
    if app.out.as_json:
        app.out.json({"counts": counts, "tasks": [v.to_json() for v in results]})
        return
    lines = ["Verification of the last %d completed tasks: " % len(results) +
             (", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none completed yet")]
    for v in results:
        if v.state != "verified":
            lines.append(f"  [{v.state}] {shorten(v.task.title, 120)}  {v.task.id} — {shorten(v.reason, 160)}")
    app.out.text("\n".join(lines))


def _check_stale(app: App) -> None:
    states = app.project().anchors()  # moved and renamed anchors follow their code quietly
    stale = [s for s in states if s.now.stale]
    if app.out.as_json:
        app.out.json({"anchors": len(states), "stale": [s.to_json() for s in stale],
                      "moved": [s.to_json() for s in states if s.now.status in ("moved", "renamed")]})
    else:
        lines = [f"{len(stale)} of {len(states)} anchors are stale" if stale else f"All {len(states)} anchors hold."]
        for s in stale:
            where = f"{s.now.path}:{s.now.line_start}-{s.now.line_end}" if s.now.status == "changed" else "gone"
            lines.append(f"  [{s.now.status}] {s.kind} {s.record_id}  {s.ref.label()} -> {where}")
        if stale:
            lines.append("Check each record against the code, then `imi verify ID` (still true) or archive it.")
        app.out.text("\n".join(lines))
    if stale:
        raise click.exceptions.Exit(1)


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
    if not query.strip():
        raise UsageError("search needs words to look for")
    project = app.project()
    hits = project.search(query, limit)
    if app.out.as_json:  # each hit with the whole record, not only the snippet
        app.out.json({"query": query, "results": [{**h.to_json(), "record": project.get(h.kind, h.id).to_json()}
                                                  for h in hits]})
        return
    # matches in bold on a colour terminal; piped output is the text as stored, undecorated
    show = (lambda h: h.highlighted("\x1b[1m", "\x1b[0m")) if app.out.color else (lambda h: h.snippet)
    app.out.text("\n".join(f"{h.kind:9s} {h.id}  {show(h)}" for h in hits) or f"Nothing matches {query!r}.")


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
