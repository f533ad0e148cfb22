"""A project that is also a git repository, for anchor tests."""

from __future__ import annotations

import pytest

from anchor_git import git
from imi_testing import Project


@pytest.fixture
def repo(workspace, clean_env) -> Project:
    git(workspace, "init", "-q")
    git(workspace, "config", "user.email", "dev@example.com")
    git(workspace, "config", "user.name", "dev")
    return Project(workspace, clean_env)
