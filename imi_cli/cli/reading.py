"""What the read commands agents run do, without click: `context`, `status`, `think`, `check`,
`search`, `ready`.

The click commands and the click-free fast path (fast.py) both call these functions with the
parsed arguments, so a line does the same thing whichever path parsed it. A function returns
the exit code when it is not 0.
"""

from __future__ import annotations

from ..memory import UsageError, ago, is_stale, now_ms, render_task_line, shorten
from .app import App


def context(app: App, goal_id, budget, file_path):
    project = app.project()
    packed = project.file_memory(file_path, budget) if file_path else project.context(goal_id, budget)
    if app.out.as_json:
        app.out.json(packed.to_json())
    else:
        app.out.text(packed.render())


def status(app: App):
    project = app.project()
    app.warn_if_database_in_git()
    counts = project.counts()
    now, lease = now_ms(), project.lease_ms()
    wip = project.tasks(status="in_progress")
    stale = [t for t in wip if is_stale(t, now, lease)]
    stale_ids = {t.id for t in stale}
    ready_count = project.ready_count()
    pending = project.pending_count()
    hint = project.pack_hint()
    if app.out.as_json:
        app.out.json({"db_path": str(project.db_path), "counts": counts, "ready": ready_count,
                      "in_progress": [t.to_json() for t in wip], "stale": [t.id for t in stale],
                      "pending_review": pending, "pack_hint": hint})
        return
    lines = [f"{project.db_path}",
             f"{counts['goals']} goals · {counts['tasks']} tasks ({counts['todo']} todo, {counts['wip']} in progress, "
             f"{counts['done']} done) · {ready_count} ready · {counts['decisions']} decisions · "
             f"{counts['lessons']} lessons"]
    for t in wip:
        mark = "  STALE" if t.id in stale_ids else ""
        lines.append(f"  in progress: {t.title}  {t.id}  @{t.claimant}  heartbeat {ago(t.last_ping_at, now)}{mark}")
    if pending:
        lines.append(f"{pending} proposal{'s' if pending != 1 else ''} from agents' sessions wait{'s' if pending == 1 else ''} for review: imi review")
    if hint:
        lines.append(hint)
    app.out.text("\n".join(lines))


def think(app: App, budget):
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


def check(app: App, task_id, limit, stale):
    if stale:
        return _check_stale(app)
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


def _check_stale(app: App) -> int:
    states = app.project().anchors()  # moved and renamed anchors follow their code quietly
    stale = [s for s in states if s.now.stale]
    if app.out.as_json:
        app.out.json({"anchors": len(states), "stale": [s.to_json() for s in stale],
                      "moved": [s.to_json() for s in states if s.now.status in ("moved", "renamed")]})
    else:
        if not states:
            lines = ["No record is anchored to code (lines or a symbol): nothing to check."]
        elif stale:
            lines = [f"{len(stale)} of {len(states)} anchors are stale"]
        else:
            lines = [f"All {len(states)} anchors hold." if len(states) > 1 else "The one anchor holds."]
        for s in stale:
            where = f"{s.now.path}:{s.now.line_start}-{s.now.line_end}" if s.now.status == "changed" else "gone"
            lines.append(f"  [{s.now.status}] {s.kind} {s.record_id}  {s.ref.label()} -> {where}")
        if stale:
            lines.append("Check each record against the code, then `imi verify ID` (still true) or archive it.")
        app.out.text("\n".join(lines))
    return 1 if stale else 0


def search(app: App, query, limit):
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


def ready(app: App, goal_id, limit):
    project = app.project()
    goal = project.resolve(goal_id, ["goal"])[1] if goal_id else None
    found = project.ready_tasks(goal, limit=limit)
    lease, now = project.lease_ms(), now_ms()
    app.out.result({"tasks": [t.to_json() for t in found]},
                   "\n".join(render_task_line(t, now, lease).strip() for t in found) or "No ready tasks.")
