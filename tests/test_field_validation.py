"""A field value the code cannot read is refused with a message naming the field, the value and where it came from."""

from __future__ import annotations

import json
import subprocess


def test_cli_refuses_an_unknown_priority(project):
    goal = project.new("goal", "G")
    result = project.run("task", goal, "T", "", "banana")
    assert result.code == 2 and "invalid priority 'banana'" in result.err
    assert project.json("plan", "--json")["goals"][0]["tasks"] == []


def test_a_version_file_from_git_with_a_bad_status_is_named(bare):
    subprocess.run(["git", "init", "-q", str(bare.root)], check=True)
    bare.ok("init")
    goal = bare.new("goal", "G")
    task = bare.new("task", goal, "T")
    [version] = (bare.root / ".imi" / "records" / "tasks").rglob(f"{task}.*.json")
    payload = json.loads(version.read_text())
    payload["record"]["status"] = "banana"  # as a teammate's tool, or a bad hand merge, might write it
    version.write_text(json.dumps(payload))
    result = bare.run("rebuild")
    said = result.out + result.err
    assert "'banana'" in said and "status" in said and f"tasks/{task}" in said
    assert "banana" not in json.dumps(bare.json("plan", "--json"))  # never stored
