"""The commands agents run on every step load none of the standard library's heavy modules.

Issue 16: a command costs little more than Python's own start only while it imports nothing it
does not need. Importing `re` alone costs two thirds of that start (it builds enum classes);
`json`, `typing`, `dataclasses`, `hashlib`, `subprocess` and `collections` each cost a fifth to
twice as much. These tests run each command as a fresh process in a project kept in git, with
`-X importtime`, and name any heavy module a command loaded: a change that brings one back onto
the hot path fails here, whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = {"re", "enum", "json", "typing", "collections", "functools", "dataclasses", "fnmatch", "urllib.parse",
         "ipaddress", "hashlib", "subprocess", "tempfile", "shutil", "inspect", "contextlib", "click"}
ENTRY = [sys.executable, "-X", "importtime", "-c", "from imi_cli.entry import main; main()"]


def _loaded_by_pathlib() -> set[str]:
    """What importing pathlib the way imi does loads on this Python: nothing heavy on 3.11, whose
    pathlib uses those modules only in functions; 3.12 and 3.13 use some in the module's body."""
    code = ("import sys\nfrom imi_cli.memory.pathimport import import_pathlib\nbefore = set(sys.modules)\n"
            "import_pathlib()\nprint(' '.join(set(sys.modules) - before))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(proc.stdout.split())


HEAVY -= _loaded_by_pathlib()


def _git(root, *args) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def team(project):
    """A project kept in git (every write also writes its version file), with records that name files
    by line range and by glob."""
    _git(project.root, "init", "-q")
    project.file("src/app.py", "def handler():\n    return 1\n")
    project.ok("init")
    goal = project.new("goal", "Ship uploads", "users lose files")
    task = project.new("task", goal, "Stream the upload", "memory grows")
    project.ok("lesson", "The retry hid a timeout", "--correct-behavior", "fail fast", "--files", "src/app.py:1-2")
    project.ok("decide", "Keep handlers small", "easier review", "--files", "src/**")
    _git(project.root, "add", "-A")
    _git(project.root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "memory")
    project.goal = goal
    return project, task


def _loaded(project, args: list[str], stdin: str = "") -> set[str]:
    proc = subprocess.run(ENTRY + args, cwd=project.root, env=project.process_env(), input=stdin,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


WRITES = [["log", "the parser is streaming now"], ["decide", "Use one pass", "it keeps memory flat", "--files",
          "src/app.py"], ["lesson", "Buffers hid the error", "--correct-behavior", "flush first"],
          ["task", "{goal}", "Measure the write path", "time it"]]
READS = [["context"], ["context", "--file", "src/app.py"], ["status"], ["check"], ["think"], ["ready"],
         ["search", "parser"], ["next"]]


@pytest.mark.parametrize("line", WRITES + READS, ids=lambda line: " ".join(line[:3]))
def test_agent_commands_import_nothing_heavy(team, line):
    project, task = team
    heavy = _loaded(project, [part.replace("{goal}", project.goal) for part in line]) & HEAVY
    assert not heavy, f"`imi {' '.join(line)}` imported {sorted(heavy)}"


def test_the_work_cycle_imports_nothing_heavy(team):
    project, task = team
    for line in (["start", task], ["ping", task], ["checkpoint", task, "half way: parser done"],
                 ["complete", task, "Streamed the rows", "--outcome", "all green"]):
        heavy = _loaded(project, line) & HEAVY
        assert not heavy, f"`imi {' '.join(line[:2])}` imported {sorted(heavy)}"


def test_the_edit_hook_imports_nothing_heavy(team):
    project, _ = team
    payload = {"session_id": "s1", "cwd": str(project.root), "hook_event_name": "PreToolUse", "tool_name": "Edit",
               "tool_input": {"file_path": str(project.root / "src/app.py"), "old_string": "1", "new_string": "2"}}
    for _ in range(2):  # the first edit is stopped with the memory, the second goes through
        heavy = _loaded(project, ["hook", "pre-tool-use"], json.dumps(payload)) & HEAVY
        assert not heavy, f"the edit hook imported {sorted(heavy)}"


def test_a_symbol_anchor_is_outlined_once_per_file_content(team):
    """Finding a symbol needs the outliner (and `re`) the first time a file's text is met; after that
    the span comes from the cache, and a changed file is outlined again."""
    project, _ = team
    project.ok("lesson", "The handler must stay pure", "--correct-behavior", "no I/O in it", "--files",
               "src/app.py#handler")
    first = _loaded(project, ["context", "--file", "src/app.py"])
    again = _loaded(project, ["context", "--file", "src/app.py"])
    assert not again & HEAVY, sorted(again & HEAVY)
    project.file("src/app.py", "import os\n\n\ndef handler():\n    return 2\n")
    changed = _loaded(project, ["context", "--file", "src/app.py"])
    assert "imi_cli.memory.anchors.symbols" in changed, "a changed file must be outlined again"
    assert "imi_cli.memory.anchors.symbols" not in again and first >= again
