"""Fixtures for the CLI and data-layer tests: a fresh project per test (helpers live in imi_testing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imi_testing import IMI_VARS, Project


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str | None]:
    """An environment without IMI variables, a throw-away HOME and a known user name."""
    home = tmp_path / "home"
    home.mkdir()
    return {**{var: None for var in IMI_VARS}, "HOME": str(home), "USER": "tester", "TERM": "dumb"}


@pytest.fixture
def workspace(tmp_path) -> Path:
    """An empty folder (not yet an IMI project)."""
    root = tmp_path / "ws"
    root.mkdir()
    return root


@pytest.fixture
def bare(workspace, clean_env) -> Project:
    """A Project helper on a folder that has not been initialised."""
    return Project(workspace, clean_env)


@pytest.fixture
def project(bare) -> Project:
    """A freshly initialised project."""
    bare.ok("init")
    assert bare.db.is_file()
    return bare
