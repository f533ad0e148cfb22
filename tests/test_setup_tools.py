"""editors/setup-test-tools.sh caches outside the clone, and the tests look where it puts the tools."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "editors" / "setup-test-tools.sh"


def script_cache(env: dict[str, str]) -> Path:
    """The cache folder the script would use in this environment (its own assignment, run by bash)."""
    line = next(line for line in SCRIPT.read_text().splitlines() if re.match(r"tools=", line))
    out = subprocess.run(["bash", "-c", f'{line}; printf %s "$tools"'], env=env, capture_output=True, text=True,
                         check=True).stdout
    return Path(out)


def cache_the_tests_use(env: dict[str, str]) -> Path:
    code = "import sys; sys.path.insert(0, 'tests/editors'); import tools; print(tools.TOOLS)"
    return Path(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                               check=True).stdout.strip())


def test_the_cache_is_outside_the_clone_and_the_tests_look_there(tmp_path):
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / "home")}
    for env, expected in ((base, tmp_path / "home" / ".cache" / "imi-editor-tools"),
                          ({**base, "XDG_CACHE_HOME": str(tmp_path / "xdg")}, tmp_path / "xdg" / "imi-editor-tools"),
                          ({**base, "IMI_EDITOR_TOOLS": str(tmp_path / "mine")}, tmp_path / "mine")):
        assert script_cache(env) == expected
        assert cache_the_tests_use(env) == expected
    assert ROOT not in script_cache(base).parents  # a new clone finds the tools already there
