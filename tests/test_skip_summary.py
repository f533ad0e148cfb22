"""The default test command says why tests were skipped, and what installs the missing editors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_skipped_editor_tests_are_explained_with_the_setup_command(tmp_path):
    no_tools = tmp_path / "no-editor-tools"
    no_tools.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "IMI_REQUIRE_EDITOR_TOOLS"}
    env["IMI_EDITOR_TOOLS"] = str(no_tools)  # an empty cache: code-server and Node 24 are "not installed"

    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/editors/test_vscode.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)

    summary = result.stdout.split("tests were skipped", 1)
    assert len(summary) == 2, result.stdout[-2000:]
    assert "bash editors/setup-test-tools.sh" in summary[1]
    assert "not in" in summary[1] or "lacks" in summary[1]  # the reason itself, not only a count
