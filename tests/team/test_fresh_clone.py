"""A teammate's fresh clone of a repository with memory in `.imi/records/`: the first `imi` command, or the
session-start hook, builds the local database from the records by itself, with no `imi init`."""

from __future__ import annotations

import json
import subprocess
import sys

from team_git import Clone

IMI = [sys.executable, "-m", "imi_cli"]


def alice_with_memory(team) -> tuple[Clone, dict[str, str]]:
    """Alice's repository, its memory committed and pushed: a decision, a lesson, a goal and its task."""
    alice = team("alice")
    alice.file("src/auth/refresh.ts", "export function refresh() {}\n")
    ids = {
        "decision": alice.new("decide", "keep token refresh in one module", "middleware runs on every request",
                              "--files", "src/auth/refresh.ts"),
        "lesson": alice.new("lesson", "two refreshes raced", "--correct-behavior", "single-flight mutex",
                            "--files", "src/auth/refresh.ts"),
        "goal": alice.new("goal", "Silent token refresh"),
    }
    ids["task"] = alice.new("task", ids["goal"], "Handle concurrent refresh")
    alice.commit("memory")
    alice.git("push", "-q")
    return alice, ids


def test_the_first_command_in_a_fresh_clone_builds_the_database_and_says_so_once(team):
    _alice, ids = alice_with_memory(team)
    bob = team("bob", init=False)
    assert (bob.root / ".imi" / "records").is_dir() and not bob.db.exists()

    first = bob.sub("context")

    assert first.code == 0, first
    for text in ("keep token refresh in one module", "two refreshes raced", "Silent token refresh",
                 "Handle concurrent refresh"):
        assert text in first.out
    notes = first.err.strip().splitlines()
    assert len(notes) == 1 and "built .imi/state.db from the 4 records in .imi/records/" in notes[0], first.err
    assert "imi init" in notes[0]  # offers the git hooks
    assert bob.db.is_file()
    assert bob.git("status", "--porcelain").stdout == ""  # the new database is not something to commit

    second = bob.sub("context", "--file", "src/auth/refresh.ts")
    assert second.code == 0 and second.err == "", second
    assert "two refreshes raced" in second.out and "keep token refresh in one module" in second.out

    # a write works at once, and reaches the text like any other
    note = bob.new("log", "bob was here")
    assert any(note in name for name in bob.version_files())


def test_json_output_stays_clean_in_a_fresh_clone(team):
    _alice, ids = alice_with_memory(team)
    bob = team("bob", init=False)
    result = bob.sub("show", ids["decision"], "--json")
    assert result.code == 0, result
    assert json.loads(result.out)["id"] == ids["decision"]  # the note went to stderr, not into the JSON


def test_the_session_start_hook_in_a_fresh_clone_gives_the_memory(team):
    _alice, _ids = alice_with_memory(team)
    bob = team("bob", init=False)
    payload = {"session_id": "s1", "cwd": str(bob.root), "hook_event_name": "SessionStart", "source": "startup"}

    hook = subprocess.run([*IMI, "hook", "session-start"], cwd=bob.root, env=bob.process_env(),
                          input=json.dumps(payload), capture_output=True, text=True, timeout=120)

    assert hook.returncode == 0, hook.stderr
    context = json.loads(hook.stdout)["hookSpecificOutput"]["additionalContext"]
    assert "two refreshes raced" in context and "Handle concurrent refresh" in context
    assert bob.db.is_file()
    notes = [line for line in hook.stderr.splitlines() if line.strip()]  # one line says what happened
    assert len(notes) == 1 and "built .imi/state.db from the" in notes[0], hook.stderr


def test_two_first_commands_at_once_both_see_the_memory(team):
    _alice, ids = alice_with_memory(team)
    bob = team("bob", init=False)
    procs = [subprocess.Popen([*IMI, "show", ids["lesson"], "--json"], cwd=bob.root, env=bob.process_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [proc.communicate(timeout=120) + (proc.returncode,) for proc in procs]
    for out, err, code in results:
        assert code == 0, err
        assert json.loads(out)["id"] == ids["lesson"]
    in_text = {name.split("/")[1].split(".")[0] for name in bob.version_files()}
    assert set(bob.texts()) == in_text  # every record in the text is in the one database


def test_a_folder_with_neither_records_nor_a_database_is_still_no_project(team, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run([*IMI, "context"], cwd=empty, env=team("alice").process_env(), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "imi init" in result.stderr
    assert not (empty / ".imi").exists()
