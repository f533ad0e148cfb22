"""Claiming work: atomic, exclusive claims with a heartbeat lease, and writing results back.

Every operation here runs in one `BEGIN IMMEDIATE` transaction, so of many agents
starting the same task at once exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import ago
from ..errors import Conflict, NotFound
from ..text import clean
from . import queries, writes
from .connection import Store
from .lease import is_stale, lease_ms
from .records import Task
from .writes import Provenance

@dataclass(slots=True)
class Claim:
    """The result of `start` or `next`."""

    task: Task
    taken_over_from: str | None = None
    already_held: bool = False

    def describe(self) -> list[str]:
        """What happened and what the claimant needs to know, as lines (for the CLI and MCP)."""
        task = self.task
        if self.already_held:
            lines = [f"You already hold task {task.id}: {task.title} (heartbeat refreshed)"]
        elif self.taken_over_from:
            lines = [f"Took over task {task.id} from {self.taken_over_from} (stale claim): {task.title}"]
        else:
            lines = [f"Started task {task.id}: {task.title}"]
        for label, value in (("why", task.why), ("context", task.context), ("acceptance", task.acceptance_criteria)):
            if value:
                lines.append(f"  {label}: {value}")
        return lines


def _load(store: Store, task_id: str) -> Task:
    task = queries.get(store, "task", task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    return task  # type: ignore[return-value]


def _unfinished_blockers(store: Store, task_id: str) -> list[str]:
    return [row[0] for row in store.execute(
        "SELECT b.id FROM task_deps d JOIN tasks b ON b.id = d.blocked_by WHERE d.task_id = ? AND b.status != 'done' "
        "AND b.archived_at IS NULL",
        (task_id,))]


def _claim(store: Store, task: Task, prov: Provenance, lease: int, force: bool) -> Claim:
    if task.archived_at:
        raise Conflict(f"task {task.id} is archived")
    if task.status == "done":
        raise Conflict(f"task {task.id} is already done")
    taken_from = None
    if task.status == "in_progress":
        if task.claimant == prov.agent:
            store.execute("UPDATE tasks SET last_ping_at = ?, updated_at = ? WHERE id = ?", (prov.at, prov.at, task.id))
            return Claim(task, already_held=True)
        if not is_stale(task, prov.at, lease) and not force:
            last = task.last_ping_at or task.claimed_at
            raise Conflict(
                f"task {task.id} is claimed by {task.claimant} (last heartbeat {ago(last, prov.at)}); "
                f"it can be taken over after {lease // 60_000} min without a heartbeat, or now with --force")
        taken_from = task.claimant
    blockers = _unfinished_blockers(store, task.id)
    if blockers and not force:
        raise Conflict(f"task {task.id} is blocked by unfinished tasks: {', '.join(blockers)} (use --force to start anyway)")
    writes.update(store, "task", task.id, {"status": "in_progress", "agent_id": prov.agent, "claimed_at": prov.at,
                                           "last_ping_at": prov.at, "updated_at": prov.at})
    if taken_from:
        writes.add_memory(store, prov, key="task_takeover", type="lifecycle", goal_id=task.goal_id, task_id=task.id,
                          value=f"Task taken over by {prov.agent} from {taken_from} "
                                f"(last heartbeat {ago(task.last_ping_at or task.claimed_at, prov.at)})")
    writes.add_memory(store, prov, key="task_started", value=f"Task started by {prov.agent}", type="lifecycle",
                      goal_id=task.goal_id, task_id=task.id)
    store.touch("task", task.id)
    if task.goal_id:
        store.execute("UPDATE goals SET status = 'ongoing', updated_at = ? WHERE id = ? AND status = 'todo'",
                      (prov.at, task.goal_id))
        if store.conn.changes():
            store.touch("goal", task.goal_id)
    task.status, task.claimant, task.claimed_at, task.last_ping_at = "in_progress", prov.agent, prov.at, prov.at
    return Claim(task, taken_over_from=taken_from)


def start(store: Store, task_id: str, prov: Provenance, *, force: bool = False) -> Claim:
    """Claim a task for `prov.agent`; refuses a live claim by someone else, takes over a stale one."""
    with store.write():
        return _claim(store, _load(store, task_id), prov, lease_ms(store), force)


def next_task(store: Store, prov: Provenance, goal_id: str | None = None) -> Claim | None:
    """Claim the most urgent ready task (optionally within a goal); None when nothing is ready."""
    with store.write():
        ready = queries.ready_tasks(store, goal_id, limit=1)
        if not ready:
            return None
        return _claim(store, ready[0], prov, lease_ms(store), force=False)


def _require_claimant(task: Task, agent: str, force: bool, verb: str) -> None:
    if force:
        return
    if task.status == "in_progress" and task.claimant and task.claimant != agent:
        raise Conflict(f"task {task.id} is claimed by {task.claimant}, not {agent}: only the claimant can {verb} it "
                       f"(or use --force)")


def ping(store: Store, task_id: str, prov: Provenance) -> Task:
    """Heartbeat: keep the claim alive."""
    with store.write():
        task = _load(store, task_id)
        if task.status != "in_progress":
            raise Conflict(f"task {task.id} is not in progress ({task.status}): start it first")
        if task.claimant != prov.agent:
            raise Conflict(f"task {task.id} is claimed by {task.claimant}, not {prov.agent}")
        store.execute("UPDATE tasks SET last_ping_at = ? WHERE id = ?", (prov.at, task.id))
        task.last_ping_at = prov.at
        return task


def checkpoint(store: Store, task_id: str, note: str, prov: Provenance, refs: list = ()) -> str:
    """Save progress on a task; also a heartbeat when the writer holds the claim."""
    note = clean(note, "checkpoint note")
    with store.write():
        task = _load(store, task_id)
        if task.status == "in_progress" and task.claimant and task.claimant != prov.agent:
            # a displaced claimant (a takeover) must not keep writing progress into someone else's task
            raise Conflict(f"task {task.id} is claimed by {task.claimant}, not {prov.agent}: only the claimant can "
                           f"checkpoint it (`imi start {task.id}` takes over a stale claim)")
        if task.claimant == prov.agent and task.status == "in_progress":
            store.execute("UPDATE tasks SET last_ping_at = ? WHERE id = ?", (prov.at, task.id))
        return writes.add_memory(store, prov, key="checkpoint", value=note, type="checkpoint", goal_id=task.goal_id,
                                 task_id=task.id, refs=refs)


def complete(store: Store, task_id: str, summary: str, prov: Provenance, *, interpretation: str | None = None,
             uncertainty: str | None = None, outcome: str | None = None, force: bool = False,
             refs: list = ()) -> Task:
    """Mark a task done with its completion summary; only the claimant (or --force), and only once."""
    summary = clean(summary, "summary")
    interpretation = clean(interpretation, "interpretation", required=False)
    uncertainty = clean(uncertainty, "uncertainty", required=False)
    outcome = clean(outcome, "outcome", required=False)
    with store.write():
        task = _load(store, task_id)
        if task.status == "done":
            raise Conflict(f"task {task.id} was already completed by {task.claimant or 'someone'} "
                           f"{ago(task.completed_at, prov.at)}")
        _require_claimant(task, prov.agent, force, "complete")
        writes.update(store, "task", task.id, {
            "status": "done", "summary": summary, "completed_at": prov.at, "updated_at": prov.at,
            "agent_id": task.claimant if force and task.claimant else prov.agent})
        writes.add_memory(store, prov, key="completion_summary", value=summary, type="completion",
                          goal_id=task.goal_id, task_id=task.id, refs=refs)
        for key, value in (("interpretation", interpretation), ("uncertainty", uncertainty), ("outcome", outcome)):
            if value:
                writes.add_memory(store, prov, key=key, value=value, type="completion", goal_id=task.goal_id,
                                  task_id=task.id)
        writes.add_memory(store, prov, key="task_completed", value=f"Task completed by {prov.agent}", type="lifecycle",
                          goal_id=task.goal_id, task_id=task.id)
        if task.goal_id:
            open_tasks = store.scalar("SELECT count(*) FROM tasks WHERE goal_id = ? AND status != 'done' "
                                      "AND archived_at IS NULL", (task.goal_id,))
            if open_tasks == 0:
                store.execute("UPDATE goals SET status = 'done', completed_at = ?, updated_at = ? WHERE id = ?",
                              (prov.at, prov.at, task.goal_id))
                store.touch("goal", task.goal_id)
        store.touch("task", task.id)
        return _load(store, task.id)


def fail(store: Store, task_id: str, reason: str, prov: Provenance, *, force: bool = False) -> Task:
    """Give a task back: it returns to todo with the reason recorded for the next agent."""
    reason = clean(reason, "reason")
    with store.write():
        task = _load(store, task_id)
        if task.status == "done":
            raise Conflict(f"task {task.id} is already done")
        if task.status != "in_progress" and not force:
            raise Conflict(f"task {task.id} is not in progress ({task.status}): nothing to give back")
        _require_claimant(task, prov.agent, force, "fail")
        store.execute("UPDATE tasks SET status = 'todo', agent_id = NULL, claimed_at = NULL, updated_at = ? "
                      "WHERE id = ?", (prov.at, task.id))
        store.touch("task", task.id)
        writes.add_memory(store, prov, key="task_failed", value=reason, type="failure", goal_id=task.goal_id,
                          task_id=task.id)
        return _load(store, task.id)
