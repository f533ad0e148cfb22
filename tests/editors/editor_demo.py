"""The demo workspace of the editor tests: its files, the memory the real `imi` CLI writes about them.

src/cache.py lines 10-16 are named by a lesson (the area an edit must warn about), src/db.py
by a decision and by a task in progress, and a goal holds three tasks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

CACHE_PY = '''"""A small in-process cache shared by the request handlers."""

import threading
import time

cache_lock = threading.Lock()
_entries: dict[str, tuple[float, bytes]] = {}


def get(key: str, max_age: float = 60.0) -> bytes | None:
    """The cached value for key, or None when it is missing or too old."""
    with cache_lock:
        entry = _entries.get(key)
    if entry is None or time.time() - entry[0] > max_age:
        return None
    return entry[1]


def put(key: str, value: bytes) -> None:
    with cache_lock:
        _entries[key] = (time.time(), value)


def clear() -> None:
    with cache_lock:
        _entries.clear()
'''

DB_PY = '''"""One SQLite connection per process."""

import sqlite3

_connection: sqlite3.Connection | None = None


def connection(path: str) -> sqlite3.Connection:
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(path, check_same_thread=False)
        _connection.execute("PRAGMA journal_mode=WAL")
    return _connection
'''

LESSON_LINES = (10, 16)
LESSON_TEXT = "Readers saw half-written entries when get() read the cache without cache_lock"
LESSON_FIX = "Take cache_lock before reading _entries; copy the entry out, then release it"


@dataclass
class Demo:
    """The demo workspace and the ids of what the CLI recorded in it."""

    root: Path
    env: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)

    def imi(self, *args: str, agent: str | None = None) -> dict | list:
        """Run the real CLI (`python -m imi_cli ARGS --json`) in the workspace; its JSON answer."""
        env = dict(self.env)
        if agent:
            env["IMI_AGENT_ID"] = agent
        proc = subprocess.run([sys.executable, "-m", "imi_cli", *args, "--json"], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"imi {args} failed: {proc.stderr}"
        return json.loads(proc.stdout)

    def tasks(self) -> dict[str, dict]:
        """Every task by id, as `imi plan --json` shows it."""
        plan = self.imi("plan")
        return {t["id"]: t for goal in plan["goals"] for t in goal["tasks"]}
