"""What the write commands agents run do, without click: `log`, `decide`, `lesson`, `task`,
`start`, `next`, `ping`, `checkpoint`, `complete`.

The click commands and the click-free fast path (fast.py) both call these functions with the
parsed arguments, so a line does the same thing whichever path parsed it.
"""

from __future__ import annotations

from .app import App


def split_files(values) -> list[str]:
    """Flatten repeated comma-separated `--files` values."""
    from ..memory import split_specs

    return [spec for value in values for spec in split_specs(value)]


def created(app: App, kind: str, record_id: str) -> None:
    """Print the record just written (JSON, or one line naming it and its files)."""
    record = app.project().get(kind, record_id)
    files = ", ".join(ref.label() for ref in record.files)
    label = "killed feature" if getattr(record, "decision_kind", "") == "killed" else kind
    if getattr(record, "note_kind", "") == "vision":
        label = "product vision"
    payload = record.to_json()
    if kind in ("decision", "lesson"):  # the notices say it in words; JSON readers get the ids
        payload["related"] = app.project().related(kind, record_id)
    app.out.result(payload, f"Recorded {label} {record_id}" + (f" (files: {files})" if files else ""))


def log(app: App, note, files):
    record_id = app.project().add_note(note, "note", split_files(files))
    created(app, "note", record_id)


def decide(app: App, what, why, affects, killed, files, supersedes=None):
    record_id = app.project().decide(what, why, affects, killed=killed, files=split_files(files),
                                     supersedes=supersedes)
    created(app, "decision", record_id)


def lesson(app: App, text, correct, verified_by, files, supersedes=None):
    record_id = app.project().add_lesson(text, correct, verified_by, split_files(files), supersedes=supersedes)
    created(app, "lesson", record_id)


def task(app: App, goal_id, title, description, priority, why, description_opt, priority_opt, why_opt, context,
         acceptance_criteria, tools, blocked_by, files):
    blockers = [b for value in blocked_by for b in value.split(",") if b.strip()]
    record_id = app.project().add_task(
        goal_id, title, description_opt or description, priority_opt or priority,
        why_opt or why, context, acceptance_criteria, [t for t in (tools or "").split(",") if t.strip()],
        [b.strip() for b in blockers], split_files(files))
    created(app, "task", record_id)


def _claimed(app: App, claim) -> None:
    task = claim.task
    details = claim.describe()
    if task.files:
        details.append("  files: " + ", ".join(ref.label() for ref in task.files))
    details.append(f"  heartbeat with `imi ping {task.id}`; finish with `imi complete {task.id} \"summary\"`")
    payload = task.to_json() | {"taken_over_from": claim.taken_over_from, "already_held": claim.already_held}
    app.out.result(payload, "\n".join(details))


def start(app: App, task_id, force):
    _claimed(app, app.project().start(task_id, force=force))


def next_(app: App, goal_id):
    project = app.project()
    claim = project.next_task(goal_id)
    if claim is None:
        goal = project.resolve(goal_id, ["goal"])[1] if goal_id else None
        app.out.result({"task": None}, "No ready tasks" + (f" in goal {goal}" if goal else "") +
                       ": everything is done, claimed or blocked (`imi status` shows which).")
        return
    _claimed(app, claim)


def ping(app: App, task_id):
    task = app.project().ping(task_id)
    app.out.result(task.to_json(), f"Heartbeat recorded for task {task.id}")


def checkpoint(app: App, task_id, note, files):
    project = app.project()
    memory_id = project.checkpoint(task_id, note, split_files(files))
    app.out.result(project.get("memory", memory_id).to_json(), f"Checkpoint {memory_id} saved")


def complete(app: App, task_id, summary, interpretation, uncertainty, outcome, force, files):
    from ..memory import shorten

    project = app.project()
    task = project.complete(task_id, summary, interpretation=interpretation, uncertainty=uncertainty,
                            outcome=outcome, force=force, files=split_files(files))
    closed = project.goal_closed_by(task)
    lines = [f"Completed task {task.id}: {task.title}"]
    if closed is not None:
        lines.append(f"Goal {closed.id} is done: all its tasks are ({shorten(closed.name, 200)})")
    app.out.result(task.to_json() | {"goal_done": closed.id if closed else None}, "\n".join(lines))
