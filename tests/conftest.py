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


SETUP_EDITOR_TOOLS = "bash editors/setup-test-tools.sh"


def pytest_terminal_summary(terminalreporter):
    """Say why tests were skipped (pytest alone prints only a count), and the one command that
    installs what the skipped editor tests need."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons: dict[str, int] = {}
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return
    terminalreporter.write_sep("-", f"why {len(skipped)} tests were skipped")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{count:5} {'test ' if count == 1 else 'tests'}  {reason}")
    if any(SETUP_EDITOR_TOOLS in reason for reason in reasons):
        terminalreporter.write_line(f"To run the editor tests too, install the editors once: {SETUP_EDITOR_TOOLS}")
