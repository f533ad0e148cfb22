"""Git helpers for the anchor tests."""

from __future__ import annotations

import subprocess


def git(root, *args) -> str:
    """Run git in the repository and return its output (fails the test on error)."""
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit(project, message: str = "change") -> None:
    """Commit everything in the project's work tree."""
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", message)
