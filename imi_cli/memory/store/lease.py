"""Claim leases: how long a claim lives without a heartbeat, and whether one has gone stale."""

from __future__ import annotations

from ..settings import lease_minutes
from .connection import Store
from .records import Task



def lease_ms(store: Store) -> int:
    """How long a claim lives without a heartbeat (settings.lease_minutes), in milliseconds."""
    stored = store.scalar("SELECT value FROM settings WHERE key = 'lease_minutes'")
    return int(lease_minutes(stored) * 60_000)


def is_stale(task: Task, now: int, lease: int) -> bool:
    """An in-progress claim whose last heartbeat is older than the lease."""
    last = task.last_ping_at or task.claimed_at or task.updated_at or 0
    return task.status == "in_progress" and now - last > lease
