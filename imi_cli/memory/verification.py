"""What `imi check` reports: whether finished work was verified against its acceptance criteria."""

from __future__ import annotations


from .store import Store, queries
from .store.records import Task


class Verification:
    """How far finished work is verified (a plain class: `dataclasses` costs more to import than `check` runs)."""

    __slots__ = ("task", "state", "reason", "summary", "interpretation", "uncertainty", "outcome")

    def __init__(self, task: Task, state: str, reason: str, summary: str | None, interpretation: str | None,
                 uncertainty: str | None, outcome: str | None):
        self.task = task
        self.state = state  # verified | needs-review | unverified | no-criteria | open
        self.reason, self.summary = reason, summary
        self.interpretation, self.uncertainty, self.outcome = interpretation, uncertainty, outcome

    def to_json(self) -> dict:
        return {"task": self.task.to_json(), "state": self.state, "reason": self.reason,
                "interpretation": self.interpretation, "uncertainty": self.uncertainty, "outcome": self.outcome}


def verify(store: Store, task: Task) -> Verification:
    """Classify one task's verification state from its completion records."""
    notes = {m.key: m.value for m in reversed(queries.memories(store, task_id=task.id, types=("completion",)))}
    outcome, uncertainty = notes.get("outcome"), notes.get("uncertainty")
    if task.status != "done":
        state, reason = "open", f"not done yet ({task.status.replace('_', ' ')})"
    elif uncertainty:
        state, reason = "needs-review", f"completed with uncertainty: {uncertainty}"
    elif outcome:
        state, reason = "verified", f"outcome: {outcome}"
    elif task.acceptance_criteria:
        state, reason = "unverified", "acceptance criteria set but no --outcome recorded"
    else:
        state, reason = "no-criteria", "done without acceptance criteria or outcome"
    return Verification(task, state, reason, task.summary, notes.get("interpretation"), uncertainty, outcome)


def review(store: Store, limit: int = 200) -> list[Verification]:
    """The most recently completed tasks, classified."""
    return [verify(store, t) for t in queries.tasks(store, status="done", order="completed_at DESC", limit=limit)]
