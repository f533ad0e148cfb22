"""Fixtures for the real agent CLIs: a private home per test and a project with memory to find."""

from __future__ import annotations

import pytest


@pytest.fixture
def agent_home(tmp_path):
    home = tmp_path / "agent-home"
    home.mkdir()
    return home


@pytest.fixture
def remembered(project):
    """A project where a lesson names src/app.py and a decision covers src/auth/ by glob."""
    project.file("src/app.py", "RETRIES = 3\n")
    project.file("src/other.py", "NAME = 'other'\n")
    project.file("src/auth/session.py", "TTL = 60\n")
    project.new("lesson", "raising RETRIES above 3 got us rate-limited", "--correct-behavior",
                "keep RETRIES at 3 and back off instead", "--files", "src/app.py")
    project.new("decide", "all token code stays under src/auth", "one place to audit", "--files", "src/auth/**")
    return project
