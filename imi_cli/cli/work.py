"""Commands that claim and finish work: start, next, ping, checkpoint, complete, fail, ready."""

from __future__ import annotations

import click

from . import reading, writing
from .app import App
from .options import files_option, pass_app


@click.command()
@click.argument("task_id")
@click.option("--force", is_flag=True, help="Take the task even if someone holds a live claim or it is blocked.")
@pass_app
def start(app: App, task_id, force):
    """Claim a task (atomic: of many agents starting it at once, one wins)."""
    writing.start(app, task_id, force)


@click.command("next")
@click.argument("goal_id", required=False)
@pass_app
def next_(app: App, goal_id):
    """Claim the most urgent ready task (optionally within a goal)."""
    writing.next_(app, goal_id)


@click.command()
@click.argument("task_id")
@pass_app
def ping(app: App, task_id):
    """Heartbeat: keep your claim on a task alive."""
    writing.ping(app, task_id)


@click.command()
@click.argument("task_id")
@click.argument("note")
@files_option
@pass_app
def checkpoint(app: App, task_id, note, files):
    """Save progress on a task so another session can pick it up."""
    writing.checkpoint(app, task_id, note, files)


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
    writing.complete(app, task_id, summary, interpretation, uncertainty, outcome, force, files)


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
    reading.ready(app, goal_id, limit)


COMMANDS = [start, next_, ping, checkpoint, complete, fail, ready]
