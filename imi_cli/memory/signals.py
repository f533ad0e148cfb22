"""What `imi think` computes: signals that the plan needs attention."""

from __future__ import annotations

from .clock import ago, now_ms
from .store import Store, queries
from .store.lease import is_stale, lease_ms

BLOCKED_LONG_MS = 3 * 86_400_000
LIST_LIMIT = 10


class Signal:
    """One computed signal for `think` (a plain class: `dataclasses` costs more to import than `think` runs)."""

    __slots__ = ("key", "title", "items", "total")

    def __init__(self, key: str, title: str, items: list[tuple[str, str]] | None = None, total: int = 0):
        self.key, self.title, self.total = key, title, total
        self.items = items if items is not None else []  # (id, description)

    def to_json(self) -> dict:
        return {"key": self.key, "title": self.title, "total": self.total,
                "items": [{"id": i, "text": t} for i, t in self.items]}


def _signal(key: str, title: str, rows: list[tuple[str, str]]) -> Signal:
    return Signal(key, title, rows[:LIST_LIMIT], len(rows))


def compute(store: Store, now: int | None = None) -> list[Signal]:
    """Aging memory, stale claims, goals without a success signal, long-blocked tasks, decisions never linked to work,
    and active goals with nothing left to do."""
    now = now or now_ms()
    lease = lease_ms(store)
    in_progress = queries.tasks(store, status="in_progress")
    stale = [(t.id, f"{t.title} — @{t.claimant}, last heartbeat {ago(t.last_ping_at, now)}")
             for t in in_progress if is_stale(t, now, lease)]
    goals = queries.goals(store, active_only=True)
    no_signal = [(g.id, g.name) for g in goals if not (g.success_signal or "").strip()]
    blocked = [(row[0], f"{row[1]} — blocked by {row[2]} for {ago(row[3], now).replace(' ago', '')}")
               for row in store.execute(
                   "SELECT t.id, t.title, group_concat(b.id, ', '), t.created_at FROM tasks t "
                   "JOIN task_deps d ON d.task_id = t.id JOIN tasks b ON b.id = d.blocked_by "
                   "WHERE +t.status = 'todo' AND t.archived_at IS NULL AND b.status != 'done' AND t.created_at < ? "
                   "GROUP BY t.id ORDER BY t.created_at", (now - BLOCKED_LONG_MS,))]
    unlinked = [(row[0], row[1]) for row in store.execute(
        "SELECT d.id, d.what FROM decisions d WHERE d.archived_at IS NULL AND d.kind = 'decision' "
        "AND NOT EXISTS (SELECT 1 FROM refs r JOIN refs w ON w.path = r.path AND w.kind IN ('task', 'goal') "
        "                WHERE r.record_id = d.id) "
        "AND NOT EXISTS (SELECT 1 FROM goals g WHERE g.id = d.affects) "  # two lookups, each on an index
        "AND NOT EXISTS (SELECT 1 FROM goals g WHERE g.name = d.affects) "
        "ORDER BY d.created_at DESC")]
    idle = [(row[0], row[1]) for row in store.execute(
        "SELECT g.id, g.name FROM goals g WHERE g.archived_at IS NULL AND g.status NOT IN ('done', 'archived') "
        "AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.goal_id = g.id AND t.status != 'done' "
        "AND t.archived_at IS NULL) ORDER BY g.created_at")]
    from .usage import aging, aging_days

    days = aging_days(store)
    old = [(rid, f"{kind}: {text} — not used or verified for {idle} days") for kind, rid, idle, text in aging(store, now)]
    return [
        _signal("aging", f"Aging memory (neither used nor verified for {days} days: `imi verify ID` or "
                         "`imi archive ID`)", old),
        _signal("stale_claims", "Stale claims (no heartbeat within the lease)", stale),
        _signal("goals_without_success_signal", "Goals without a success signal", no_signal),
        _signal("blocked_long", "Tasks blocked for more than 3 days", blocked),
        _signal("unlinked_decisions", "Decisions never linked to work (no shared file, no goal)", unlinked),
        _signal("goals_without_open_tasks", "Active goals with no open task", idle),
    ]


PROMPT = """Before you act, think:
1. Is the work in progress still the most valuable thing? Stale claims are abandoned work: take one over or fail it.
2. Does every active goal say how success is measured? If not, ask or propose a success signal.
3. What blocks the blocked tasks, and can it be split or reordered?
4. Are decisions still connected to the work? Link them (--files) or archive them.
Then pick one task (`imi next`), and write back what you learn (`imi decide`, `imi lesson`, `imi complete`)."""
