"""End-to-end fixtures: the real `imi-lsp` over stdio, as VS Code and as Neovim, on a project made by the real CLI.

Each test gets a fresh workspace (`project`, from tests/conftest.py) and a server
that is started but not yet initialised: the test builds its memory with the CLI,
then calls `start(client, folder, ...)` from lsp_helpers. The client records what
a user would notice: every `publishDiagnostics`, lens refresh requests, message
requests, messages and opened documents.
"""

from __future__ import annotations

import asyncio
import shutil
import sys

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from imi_testing import IMI_VARS, Project
from lsp_helpers import make_client

SERVER = [sys.executable, "-m", "imi_lsp"]
EDITORS = ["visual-studio-code", "neovim"]


@pytest.fixture(autouse=True)
def server_env(tmp_path, monkeypatch):
    """The server inherits this environment: no IMI variables, a throw-away HOME and cache, a known user."""
    for var in IMI_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "server-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)  # each server start then skips compiling


@pytest_lsp.fixture(params=EDITORS, config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(request, lsp_client: LanguageClient):
    lsp_client.editor = request.param
    yield
    if lsp_client.capabilities is not None and lsp_client.error is None:
        await asyncio.wait_for(lsp_client.shutdown_session(), timeout=10)




APP = "".join(f"line {i}\n" for i in range(1, 11))  # ten lines


@pytest.fixture(scope="session")
def memory_template(tmp_path_factory):
    """The `memory` project, built once with the CLI; each test gets a copy (building it takes a third
    of a second, copying it a few milliseconds)."""
    base = tmp_path_factory.mktemp("memory-template")
    home = base / "home"
    home.mkdir()
    env = {**{var: None for var in IMI_VARS}, "HOME": str(home), "USER": "tester", "TERM": "dumb"}
    project = Project(base / "ws", env)
    project.root.mkdir()
    project.ok("init")
    project.file("src/app.py", APP)
    project.file("src/other.py", APP)
    project.file("docs/readme.md", "hello\n")
    ids = {
        "lesson": project.new("lesson", "the mutex was dropped before the write", "--correct-behavior",
                              "hold the lock across the write", "--verified-by", "test_writer_lock",
                              "--files", "src/app.py:3-4"),
        "decision": project.new("decide", "use WAL mode", "readers must never block writers", "--files", "src/*.py"),
        "goal": project.new("goal", "ship the server"),
    }
    ids["task"] = project.new("task", ids["goal"], "wire the lenses", "--files", "src/app.py")
    project.ok("start", ids["task"], "--agent", "claude-1")
    ids["note"] = project.new("log", "remember that src/app.py is hot")
    return project.root, ids


@pytest.fixture
def memory(memory_template, workspace, clean_env):
    """A project whose src/app.py is named by a lesson (lines 3-4), a decision (glob), a task claimed by
    claude-1 and a note (in its text); src/other.py only by the decision's glob. Returns (project, ids)."""
    template, ids = memory_template
    shutil.copytree(template, workspace, dirs_exist_ok=True)
    return Project(workspace, clean_env), dict(ids)
