"""Commands that claim and finish work: start, next, ping, checkpoint, complete, fail, ready."""

from __future__ import annotations

import click

from ..memory import now_ms, render_task_line, shorten
from .app import App
from .options import files_option, pass_app, split_files


def _claimed(app: App, claim) -> None:
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
    _claimed(app, app.project().start(task_id, force=force))


@click.command("next")
@click.argument("goal_id", required=False)
@pass_app
def next_(app: App, goal_id):
    """Claim the most urgent ready task (optionally within a goal)."""
    project = app.project()
    claim = project.next_task(goal_id)
    if claim is None:
        goal = project.resolve(goal_id, ["goal"])[1] if goal_id else None
        app.out.result({"task": None}, "No ready tasks" + (f" in goal {goal}" if goal else "") +
                       ": everything is done, claimed or blocked (`imi status` shows which).")
        return
    _claimed(app, claim)


@click.command()
@click.argument("task_id")
@pass_app
def ping(app: App, task_id):
    """Heartbeat: keep your claim on a task alive."""
    task = app.project().ping(task_id)
    app.out.result(task.to_json(), f"Heartbeat recorded for task {task.id}")


@click.command()
@click.argument("task_id")
@click.argument("note")
@files_option
@pass_app
def checkpoint(app: App, task_id, note, files):
    """Save progress on a task so another session can pick it up."""
    project = app.project()
    memory_id = project.checkpoint(task_id, note, split_files(files))
    app.out.result(project.get("memory", memory_id).to_json(), f"Checkpoint {memory_id} saved")


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
    task = app.project().complete(task_id, summary, interpretation=interpretation, uncertainty=uncertainty,
                                  outcome=outcome, force=force, files=split_files(files))
    closed = app.project().goal_closed_by(task)
    lines = [f"Completed task {task.id}: {task.title}"]
    if closed is not None:
        lines.append(f"Goal {closed.id} is done: all its tasks are ({shorten(closed.name, 200)})")
    app.out.result(task.to_json() | {"goal_done": closed.id if closed else None}, "\n".join(lines))


@click.command()
@click.argument("task_id")
@click.argument("reason")
@click.option("--force", is_flag=True, help="Fail a task someone else holds.")
@pass_app
def fail(app: App, task_id, reason, force):
    """Give a task back (it returns to todo) with the reason for the next agent."""
    task = app.project().fail(task_id, reason, force=force)
    app.out.result(task.to_json(), f"Released task {task.id} back to todo; the reason is in its history")


@click.command()
@click.argument("goal_id", required=False)
@click.option("--limit", default=20, type=click.IntRange(1, 100_000), show_default=True)
@pass_app
def ready(app: App, goal_id, limit):
    """List todo tasks whose blockers are done, most urgent first."""
    project = app.project()
    goal = project.resolve(goal_id, ["goal"])[1] if goal_id else None
    found = project.ready_tasks(goal, limit=limit)
    lease, now = project.lease_ms(), now_ms()
    app.out.result({"tasks": [t.to_json() for t in found]},
                   "\n".join(render_task_line(t, now, lease).strip() for t in found) or "No ready tasks.")


COMMANDS = [start, next_, ping, checkpoint, complete, fail, ready]
