"""The user docs stay true to the program."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_matches_the_help():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_cli_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + "\nrun: python scripts/gen_cli_docs.py"


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip() for block in setup.split("```sh\n")[1:]]


def test_readme_starts_with_the_two_setup_commands():
    """Both work on a fresh machine with only the system Python: the venv step is in the command."""
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert "Python 3.11+" in setup.split("```", 1)[0]  # said before the first command
    demo, tests = _setup_commands()
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    assert demo == venv + "pip install -e . && sh demo/demo.sh"
    assert tests == venv + "pip install -e '.[test]' && pytest"


def test_ci_runs_exactly_the_readme_test_command():
    tests = _setup_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines, f".ci/run must run the README's test command as written: {tests}"
