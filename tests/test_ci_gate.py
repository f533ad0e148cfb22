"""`imi init --ci`: the gate files run `imi doctor --check` and `imi check --stale`, which refuse bad
memory (exit 1, one line per problem) and change nothing."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest

from imi_testing import IMI, Project

GITHUB = ".github/workflows/imi.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def gate_commands(text: str) -> list[str]:
    """The imi commands a gate file runs (`- run: imi ...` steps, pre-commit `entry: imi ...`)."""
    return re.findall(r"(?:- run|entry): (imi [^\n]+)", text)


def run_gate(project: Project, command: str) -> subprocess.CompletedProcess:
    args = shlex.split(command)[1:]
    return subprocess.run([*IMI, *args], cwd=project.root, env=project.process_env(), capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def gated(project: Project) -> Project:
    project.file("src/db.py", "def connect():\n    return 1\n")
    project.new("decide", "use WAL", "readers never block", "--files", "src/db.py#connect")
    result = project.json("init", "--ci", "github,pre-commit")
    assert result["ci"] == [{"file": GITHUB, "action": "added"}, {"file": PRE_COMMIT, "action": "added"}]
    return project


def test_both_gate_files_run_the_two_checks_and_pass_on_good_memory(gated):
    for rel in (GITHUB, PRE_COMMIT):
        commands = gate_commands((gated.root / rel).read_text())
        assert commands == ["imi doctor --check", "imi check --stale"], rel
        for command in commands:
            done = run_gate(gated, command)
            assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_a_stale_anchor_fails_the_gate(gated):
    gated.file("src/db.py", "def connect():\n    return 2  # changed\n")
    done = run_gate(gated, "imi check --stale")
    assert done.returncode == 1 and "1 of 1 anchors are stale" in done.stdout


def test_a_secret_in_a_record_file_fails_the_gate_and_nothing_changes(gated):
    [version] = [p for p in (gated.root / ".imi/records").rglob("*.json") if "use WAL" in p.read_text()]
    payload = json.loads(version.read_text())
    payload["record"]["why"] = f"token {TOKEN}"
    version.write_text(json.dumps(payload))
    before = version.read_bytes()
    done = run_gate(gated, "imi doctor --check")
    assert done.returncode == 1
    assert "looks like a secret" in done.stdout and version.name in done.stdout
    assert version.read_bytes() == before


def test_a_duplicate_id_and_a_dangling_link_fail_the_gate(gated):
    [version] = [p for p in (gated.root / ".imi/records").rglob("*.json") if "use WAL" in p.read_text()]
    record_id = json.loads(version.read_text())["id"]
    lessons = gated.root / ".imi/records/lessons"
    lessons.mkdir(exist_ok=True)
    (lessons / version.name).write_text(version.read_text().replace('"kind": "decision"', '"kind": "lesson"'))
    gated.sql("UPDATE decisions SET supersedes = 'zzzzzzzzzzzzzzzz'")
    done = run_gate(gated, "imi doctor --check")
    assert done.returncode == 1
    assert f"record id {record_id} is filed as decision and lesson" in done.stdout
    assert "supersedes names zzzzzzzzzzzzzzzz, which exists nowhere" in done.stdout


def test_existing_gate_files_are_left_as_they_are(project):
    (project.root / ".github/workflows").mkdir(parents=True)
    (project.root / GITHUB).write_text("name: mine\n")
    result = project.json("init", "--ci", "github")
    assert result["ci"] == [{"file": GITHUB, "action": "left"}]
    assert (project.root / GITHUB).read_text() == "name: mine\n"
    assert "exists and was left as it is" in project.ok("init", "--ci", "github").out


def test_bad_ci_values_are_one_line(project):
    project.fail("init", "--ci", "gitlab", code=2)
    project.fail("init", "--ci", "", code=2)
    project.fail("doctor", "--check", "--fix", code=2)
