"""The language server in a teammate's fresh clone (memory in `.imi/records/`, no database, no `imi init`):
it builds the database from the records and shows the memory at once."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lsp_helpers import barrier, lenses, open_doc, start

GIT = ["git", "-c", "user.name=alice", "-c", "user.email=alice@example.com", "-c", "commit.gpgsign=false"]


def committed_clone(project, target: Path) -> Path:
    """Alice's project with a lesson on src/app.py, committed; returns a fresh `git clone` of it."""
    project.file("src/app.py", "def refresh():\n    return 1\n")
    project.ok("lesson", "two refreshes raced", "--correct-behavior", "single-flight mutex", "--files", "src/app.py")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "memory"]):
        subprocess.run([*GIT, *args], cwd=project.root, check=True, capture_output=True)
    subprocess.run(["git", "clone", "-q", str(project.root), str(target)], check=True, capture_output=True)
    assert (target / ".imi" / "records").is_dir() and not (target / ".imi" / "state.db").exists()
    return target


async def test_a_fresh_clone_shows_the_memory_without_imi_init(client, project, tmp_path):
    clone = committed_clone(project, tmp_path / "bob")
    await start(client, clone)

    found = await lenses(client, open_doc(client, clone / "src/app.py"))

    assert [lens.command.title for lens in found] == ["⚑ 1 lesson"]
    assert (clone / ".imi" / "state.db").is_file()
    await barrier(client)
    logged = [m.message for m in client.log_messages]
    assert any("records in .imi/records/" in line for line in logged), logged  # one line saying what happened
    assert client.messages == []  # and no pop-up
