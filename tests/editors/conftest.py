"""Fixtures for the editor tests: a workspace whose memory the real `imi` CLI wrote, and a clean environment.

The memory (`demo`): src/cache.py lines 10-16 are named by a lesson (the area an edit must
warn about), src/db.py by a decision and by a task in progress, and a goal holds three tasks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from imi_testing import IMI_VARS

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


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory) -> Path:
    """A temporary folder shared by the tests of one module (an editor session is slow to start)."""
    return tmp_path_factory.mktemp("editor")


@pytest.fixture(scope="module")
def editor_env(module_tmp) -> dict[str, str]:
    """The environment editors and servers run in: no IMI variables, a throw-away HOME, a known user."""
    tmp_path = module_tmp
    env = {k: v for k, v in os.environ.items() if k not in IMI_VARS}
    home = tmp_path / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"), XDG_STATE_HOME=str(home / ".local" / "state"),
               USER="tester", LOGNAME="tester")
    # the editors start `imi-lsp` from PATH, as a user's would: the one installed beside this Python
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def demo(module_tmp, editor_env) -> Demo:
    """A git-less workspace with src/cache.py and src/db.py and memory about them, written by the real CLI.

    One per test module: the module's editor session changes it, and its tests read the result.
    """
    root = module_tmp / "shop"
    (root / "src").mkdir(parents=True)
    (root / "src" / "cache.py").write_text(CACHE_PY)
    (root / "src" / "db.py").write_text(DB_PY)
    (root / "README.md").write_text("# shop\n\nA small web shop.\n")
    project = Demo(root, editor_env)
    project.imi("init")
    ids = project.ids
    start, end = LESSON_LINES
    ids["lesson"] = project.imi("lesson", LESSON_TEXT, "--correct-behavior", LESSON_FIX,
                                "--verified-by", "test_cache_concurrency", "--files", f"src/cache.py:{start}-{end}")["id"]
    ids["decision"] = project.imi("decide", "Keep one SQLite connection per process",
                                  "WAL readers never block the writer", "--files", "src/db.py")["id"]
    ids["goal"] = project.imi("goal", "Ship the CSV importer", "Shop owners upload their catalogue", "high")["id"]
    ids["task_done"] = project.imi("task", ids["goal"], "Parse CSV rows", "--files", "src/importer.py")["id"]
    ids["task_wip"] = project.imi("task", ids["goal"], "Write rows in one transaction", "--files", "src/db.py")["id"]
    ids["task_todo"] = project.imi("task", ids["goal"], "Document the import format", "-p", "low")["id"]
    project.imi("start", ids["task_done"], agent="claude-1")
    project.imi("complete", ids["task_done"], "Parser with tests for quoted fields", agent="claude-1")
    project.imi("start", ids["task_wip"], agent="claude-1")
    return project
