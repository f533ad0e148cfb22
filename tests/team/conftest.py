"""Fixtures for the team-memory tests: a throw-away git environment and a team of clones (team_git.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imi_testing import IMI_VARS
from team_git import Clone


@pytest.fixture
def git_env(tmp_path) -> dict[str, str | None]:
    """No IMI variables, a throw-away HOME and git configuration, this Python's `imi` first on PATH."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**{var: None for var in IMI_VARS}, "HOME": str(home), "USER": "tester", "TERM": "dumb", "PATH": path,
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _configure(clone: Clone) -> None:
    clone.git("config", "user.name", clone.name)
    clone.git("config", "user.email", f"{clone.name}@example.com")
    clone.git("config", "pull.rebase", "false")
    clone.git("config", "commit.gpgsign", "false")


@pytest.fixture
def layout() -> str:
    """The on-disk layout the `team` and `solo` projects start with. "flat": a project an older imi
    made (the first layout: `imi init` now writes the sharded layout's marker, the fixture takes it
    away before the first commit); "sharded": what `imi init` makes today. A test module that must
    hold on both overrides this fixture with params ["flat", "sharded"]."""
    return "flat"


def start_layout(clone: Clone, layout: str, new: bool = True) -> None:
    """Give a just-initialised project the layout a test asks for (see the `layout` fixture); `new`:
    a new project (else a clone of one, which init shards only if nothing is committed in it yet)."""
    marker = clone.root / ".imi" / "records" / "LAYOUT"
    assert marker.is_file() or not new, "imi init starts a new project sharded"
    if layout == "flat":
        marker.unlink(missing_ok=True)


@pytest.fixture
def team(tmp_path, git_env, layout):
    """make(name) -> a Clone. The first is a new repository with a first commit, pushed to a bare
    `origin`; later ones are clones of origin. All have `imi init` run once. With the "sharded"
    `layout` (what `imi init` makes), the first commit carries the sharded layout's marker."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True, env=_env(git_env))
    clones: list[Clone] = []

    def make(name: str, init: bool = True) -> Clone:
        root = tmp_path / name
        if not clones:
            root.mkdir()
            clone = Clone(root, git_env, name)
            clone.git("init", "-q", "-b", "main")
            _configure(clone)
            clone.git("remote", "add", "origin", str(origin))
            clone.file("README.md", "a project\n")
            if init:
                clone.imi("init")
                start_layout(clone, layout)
            clone.commit("start")
            clone.git("push", "-q", "-u", "origin", "main")
        else:
            subprocess.run(["git", "clone", "-q", str(origin), str(root)], check=True, env=_env(git_env),
                           capture_output=True)
            clone = Clone(root, git_env, name)
            _configure(clone)
            if init:
                clone.imi("init")
                start_layout(clone, layout, new=False)
        clones.append(clone)
        return clone

    return make


def _env(changes: dict[str, str | None]) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture
def solo(tmp_path, git_env, layout) -> Clone:
    """One repository (no remote) with a first commit and `imi init` run: alice's project."""
    root = tmp_path / "p"
    root.mkdir()
    project = Clone(root, git_env, "alice")
    project.git("init", "-q", "-b", "main")
    _configure(project)
    project.file("README.md", "a project\n")
    project.imi("init")
    start_layout(project, layout)
    project.commit("start")
    return project
