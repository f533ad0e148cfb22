"""Claim leases: how long a claim lives without a heartbeat, and whether one has gone stale."""

from __future__ import annotations

import math
import os

from .connection import Store
from .records import Task

DEFAULT_LEASE_MINUTES = 30
MAX_LEASE_MINUTES = 10 * 365 * 24 * 60  # ten years: "never stale" without overflowing a 64-bit integer


def lease_ms(store: Store) -> int:
    """How long a claim lives without a heartbeat: `IMI_LEASE_MINUTES`, the `lease_minutes` setting, or 30."""
    raw = os.environ.get("IMI_LEASE_MINUTES") or store.scalar("SELECT value FROM settings WHERE key = 'lease_minutes'")
    try:
        minutes = float(raw) if raw is not None else DEFAULT_LEASE_MINUTES
    except (TypeError, ValueError):
        minutes = DEFAULT_LEASE_MINUTES
    if not math.isfinite(minutes):  # "nan" and "inf" parse as floats but are no lease
        minutes = DEFAULT_LEASE_MINUTES
    return int(min(max(minutes, 0.001), MAX_LEASE_MINUTES) * 60_000)


def is_stale(task: Task, now: int, lease: int) -> bool:
    """An in-progress claim whose last heartbeat is older than the lease."""
    last = task.last_ping_at or task.claimed_at or task.updated_at or 0
    return task.status == "in_progress" and now - last > lease
