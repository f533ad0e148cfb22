"""Fixtures for the editor tests: a clean environment, and the demo workspace (editor_demo.py) made by the real CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from editor_demo import CACHE_PY, DB_PY, LESSON_FIX, LESSON_LINES, LESSON_TEXT, Demo
from imi_testing import IMI_VARS


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory) -> Path:
    """A temporary folder shared by the tests of one module (an editor session is slow to start)."""
    return tmp_path_factory.mktemp("editor")


@pytest.fixture(scope="module")
def editor_env(module_tmp) -> dict[str, str]:
    """The environment editors and servers run in: no IMI variables, a throw-away HOME, a known user."""
    env = {k: v for k, v in os.environ.items() if k not in IMI_VARS}
    home = module_tmp / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_CACHE_HOME=str(module_tmp / "cache"), XDG_CONFIG_HOME=str(home / ".config"),
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
