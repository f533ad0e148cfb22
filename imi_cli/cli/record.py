"""Commands that record memory: goal, task, decide, kill, vision, log, lesson, memory add."""

from __future__ import annotations

import click

from . import writing
from .app import App
from .options import files_option, pass_app
from .writing import created as _created, split_files


@click.command()
@click.argument("name")
@click.argument("description", required=False)
@click.argument("priority", required=False)
@click.argument("why", required=False)
@click.argument("for_who", required=False)
@click.argument("success_signal", required=False)
@click.option("--description", "-d", "description_opt", help="What the goal is about.")
@click.option("--priority", "-p", "priority_opt", help="critical, high, medium, low, backlog or 0-4.")
@click.option("--why", "why_opt", help="Why it matters.")
@click.option("--for-who", "for_who_opt", help="Who it is for.")
@click.option("--success-signal", "signal_opt", help="How we will know it worked.")
@files_option
@pass_app
def goal(app: App, name, description, priority, why, for_who, success_signal, description_opt, priority_opt,
         why_opt, for_who_opt, signal_opt, files):
    """Add a goal: NAME [DESC] [PRIORITY] [WHY] [FOR_WHO] [SUCCESS_SIGNAL]."""
    record_id = app.project().add_goal(
        name, description_opt or description, priority_opt or priority, why_opt or why,
        for_who_opt or for_who, signal_opt or success_signal, split_files(files))
    _created(app, "goal", record_id)


@click.command()
@click.argument("goal_id")
@click.argument("title")
@click.argument("description", required=False)
@click.argument("priority", required=False)
@click.argument("why", required=False)
@click.option("--description", "-d", "description_opt", help="What to do.")
@click.option("--priority", "-p", "priority_opt", help="critical, high, medium, low, backlog or 0-4.")
@click.option("--why", "why_opt", help="Why it matters.")
@click.option("--context", help="What the agent needs to know to do it.")
@click.option("--acceptance-criteria", help="How to tell it is done.")
@click.option("--tools", help="Comma-separated tools the task needs.")
@click.option("--blocked-by", multiple=True, metavar="TASK_ID", help="A task that must be done first (repeatable).")
@files_option
@pass_app
def task(app: App, goal_id, title, description, priority, why, description_opt, priority_opt, why_opt, context,
         acceptance_criteria, tools, blocked_by, files):
    """Add a task to a goal: GOAL_ID TITLE [DESC] [PRIORITY] [WHY]."""
    writing.task(app, goal_id, title, description, priority, why, description_opt, priority_opt, why_opt, context,
                 acceptance_criteria, tools, blocked_by, files)


def _say_why(why: str | None, done: str) -> None:
    """A missing WHY and an empty one are different mistakes: say which."""
    if why is None or not why.strip():
        problem = "Missing argument 'WHY'" if why is None else "WHY is empty"
        raise click.UsageError(f"{problem}: say why it was {done}.")


@click.command()
@click.argument("what")
@click.argument("why", required=False)
@click.argument("affects", required=False)
@click.option("--killed", is_flag=True, help="Record a killed feature (same as `imi kill`).")
@click.option("--supersedes", metavar="ID", help="The decision, lesson or note this one replaces (archived and "
                                                 "linked: context shows only the newest).")
@files_option
@pass_app
def decide(app: App, what, why, affects, killed, supersedes, files):
    """Record a decision: WHAT WHY [AFFECTS]."""
    _say_why(why, "decided")
    writing.decide(app, what, why, affects, killed, files, supersedes)


@click.command()
@click.argument("what")
@click.argument("why")
@files_option
@pass_app
def kill(app: App, what, why, files):
    """Record a killed feature and why: WHAT WHY."""
    _say_why(why, "killed")
    record_id = app.project().decide(what, why, killed=True, files=split_files(files))
    _created(app, "decision", record_id)


@click.command()
@click.argument("text")
@files_option
@pass_app
def vision(app: App, text, files):
    """Set the product vision (the newest one is shown; earlier ones stay searchable)."""
    record_id = app.project().add_note(text, "vision", split_files(files))
    _created(app, "note", record_id)


@click.command()
@click.argument("note")
@files_option
@pass_app
def log(app: App, note, files):
    """Log a direction note (shown for seven days in context)."""
    writing.log(app, note, files)


@click.command()
@click.argument("text")
@click.option("--correct-behavior", "--correct-behaviour", "correct", required=True,
              help="What to do instead.")
@click.option("--verified-by", help="The person or named check that verified it (without it the lesson is unverified).")
@click.option("--supersedes", metavar="ID", help="The decision, lesson or note this one replaces (archived and "
                                                 "linked: context shows only the newest).")
@files_option
@pass_app
def lesson(app: App, text, correct, verified_by, supersedes, files):
    """Record a lesson: what went wrong, and (--correct-behavior) what to do instead."""
    writing.lesson(app, text, correct, verified_by, files, supersedes)


@click.group()
def memory():
    """Key-value learnings attached to a goal."""


@memory.command("add")
@click.argument("goal_id")
@click.argument("key")
@click.argument("value")
@files_option
@pass_app
def memory_add(app: App, goal_id, key, value, files):
    """Add a learning to a goal: GOAL_ID KEY VALUE."""
    record_id = app.project().add_memory(goal_id, key, value, split_files(files))
    _created(app, "memory", record_id)


@memory.command("list")
@click.argument("goal_id", required=False)
@click.option("--limit", default=50, type=click.IntRange(1, 10_000), show_default=True)
@pass_app
def memory_list(app: App, goal_id, limit):
    """List learnings (of one goal, or all)."""
    project = app.project()
    goal = project.resolve(goal_id, ["goal"])[1] if goal_id else None
    found = project.memories(goal_id=goal, types=("learning",), limit=limit)
    app.out.result({"memories": [m.to_json() for m in found]},
                   "\n".join(f"{m.key}: {m.value}  ({m.id})" for m in found) or "No memories.")


COMMANDS = [goal, task, decide, kill, vision, log, lesson, memory]
