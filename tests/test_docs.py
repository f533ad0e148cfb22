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


def test_readme_starts_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("## ", 1)[0]
    assert "pip install -e . && sh demo/demo.sh" in setup
    assert "pip install -e '.[test]' && pytest" in setup
    assert "pip install -e '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()
