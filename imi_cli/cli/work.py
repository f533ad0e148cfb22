"""Commands that claim and finish work: start, next, ping, checkpoint, complete, fail, ready."""

from __future__ import annotations

import click

from ..clock import now_ms
from ..context import render_task_line, shorten
from ..recording import collect_refs
from ..store import claims, queries
from ..store.lease import lease_ms
from .app import App
from .options import files_option, pass_app, split_files


def _task_id(app: App, ref: str) -> str:
    return queries.resolve(app.store(), ref, ["task"])[1]


def _claimed(app: App, claim: claims.Claim) -> None:
    task = claim.task
    details = claim.describe()
    if task.files:
        details.append("  files: " + ", ".join(ref.label() for ref in task.files))
    details.append(f"  heartbeat with `imi ping {task.id}`; finish with `imi complete {task.id} \"summary\"`")
    payload = task.to_json() | {"taken_over_from": claim.taken_over_from, "already_held": claim.already_held}
    app.out.result(payload, "\n".join(details))


@click.command()
@click.argument("task_id")
@click.option("--force", is_flag=True, help="Take the task even if someone holds a live claim or it is blocked.")
@pass_app
def start(app: App, task_id, force):
    """Claim a task (atomic: of many agents starting it at once, one wins)."""
    _claimed(app, claims.start(app.store(), _task_id(app, task_id), app.prov(), force=force))


@click.command("next")
@click.argument("goal_id", required=False)
@pass_app
def next_(app: App, goal_id):
    """Claim the most urgent ready task (optionally within a goal)."""
    store = app.store()
    goal = queries.resolve(store, goal_id, ["goal"])[1] if goal_id else None
    claim = claims.next_task(store, app.prov(), goal)
    if claim is None:
        app.out.result({"task": None}, "No ready tasks" + (f" in goal {goal}" if goal else "") +
                       ": everything is done, claimed or blocked (`imi status` shows which).")
        return
    _claimed(app, claim)


@click.command()
@click.argument("task_id")
@pass_app
def ping(app: App, task_id):
    """Heartbeat: keep your claim on a task alive."""
    task = claims.ping(app.store(), _task_id(app, task_id), app.prov())
    app.out.result(task.to_json(), f"Heartbeat recorded for task {task.id}")


@click.command()
@click.argument("task_id")
@click.argument("note")
@files_option
@pass_app
def checkpoint(app: App, task_id, note, files):
    """Save progress on a task so another session can pick it up."""
    store = app.store()
    refs = collect_refs(store, split_files(files), [note])
    memory_id = claims.checkpoint(store, _task_id(app, task_id), note, app.prov(), refs)
    app.out.result(queries.get(store, "memory", memory_id).to_json(), f"Checkpoint {memory_id} saved")


@click.command()
@click.argument("task_id")
@click.argument("summary")
@click.option("--interpretation", help="How you read the task.")
@click.option("--uncertainty", help="What you are not sure of.")
@click.option("--outcome", help="What was verified, and how.")
@click.option("--force", is_flag=True, help="Complete a task someone else holds.")
@files_option
@pass_app
def complete(app: App, task_id, summary, interpretation, uncertainty, outcome, force, files):
    """Mark a task done with a summary of what was done (only the claimant, once)."""
    store = app.store()
    refs = collect_refs(store, split_files(files), [summary, interpretation, uncertainty, outcome])
    task = claims.complete(store, _task_id(app, task_id), summary, app.prov(), force=force, refs=refs,
                           interpretation=interpretation, uncertainty=uncertainty, outcome=outcome)
    done = _goal_closed_by(store, task)
    lines = [f"Completed task {task.id}: {task.title}"]
    if done is not None:
        lines.append(f"Goal {done.id} is done: all its tasks are ({shorten(done.name, 200)})")
    app.out.result(task.to_json() | {"goal_done": done.id if done else None}, "\n".join(lines))


def _goal_closed_by(store, task):
    """The task's goal when completing this task closed it (its last open task), else None."""
    goal = queries.get(store, "goal", task.goal_id) if task.goal_id else None
    if goal is not None and goal.status == "done" and goal.completed_at == task.completed_at:
        return goal
    return None


@click.command()
@click.argument("task_id")
@click.argument("reason")
@click.option("--force", is_flag=True, help="Fail a task someone else holds.")
@pass_app
def fail(app: App, task_id, reason, force):
    """Give a task back (it returns to todo) with the reason for the next agent."""
    task = claims.fail(app.store(), _task_id(app, task_id), reason, app.prov(), force=force)
    app.out.result(task.to_json(), f"Released task {task.id} back to todo; the reason is in its history")


@click.command()
@click.argument("goal_id", required=False)
@click.option("--limit", default=20, type=click.IntRange(1, 100_000), show_default=True)
@pass_app
def ready(app: App, goal_id, limit):
    """List todo tasks whose blockers are done, most urgent first."""
    store = app.store()
    goal = queries.resolve(store, goal_id, ["goal"])[1] if goal_id else None
    found = queries.ready_tasks(store, goal, limit=limit)
    lease, now = lease_ms(store), now_ms()
    app.out.result({"tasks": [t.to_json() for t in found]},
                   "\n".join(render_task_line(t, now, lease).strip() for t in found) or "No ready tasks.")


COMMANDS = [start, next_, ping, checkpoint, complete, fail, ready]
