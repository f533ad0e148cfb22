"""The demo (`sh demo/demo.sh DIR`): never deletes what it did not make, and leaves a project to explore."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent / "demo" / "demo.sh"


def run_demo(target: Path | str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    """The demo as a user runs it: `sh demo/demo.sh DIR`, with this Python's `imi` on PATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMI_")}
    env.update(HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", TERM="dumb")
    return subprocess.run(["sh", str(DEMO), str(target)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_a_folder_with_the_users_files_is_refused_and_left_as_it_was(tmp_path, home):
    mine = tmp_path / "my-project"
    (mine / "src").mkdir(parents=True)
    (mine / "src" / "main.py").write_text("print('mine')\n")
    (mine / "notes.txt").write_text("do not lose me\n")
    before = snapshot(mine)

    result = run_demo(mine, tmp_path, home)

    assert result.returncode != 0
    assert snapshot(mine) == before
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not empty" in lines[0] and "nothing was changed" in lines[0], result.stderr


def test_a_file_or_a_link_is_refused(tmp_path, home):
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".imi-demo").write_text("")  # even a demo folder is not deleted through a link
    (elsewhere / "data.txt").write_text("keep\n")
    link = tmp_path / "link"
    link.symlink_to(elsewhere)

    for target in (a_file, link):
        result = run_demo(target, tmp_path, home)
        assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert a_file.read_text() == "keep\n"
    assert link.is_symlink() and (elsewhere / "data.txt").read_text() == "keep\n"


def test_an_empty_folder_becomes_the_demo_project_and_a_second_run_rebuilds_it(tmp_path, home):
    target = tmp_path / "empty"
    target.mkdir()

    first = run_demo(target, tmp_path, home)

    assert first.returncode == 0, first.stderr
    assert (target / ".imi" / "state.db").is_file() and (target / "src" / "auth" / "refresh.ts").is_file()
    # each step says what it did, and the end says where the project is and how to look around
    for said in ("Initialised project memory", "Created goal", "Recorded decision", "Completed task",
                 "Checkpoint", f"cd {target}", "imi context", "code ."):
        assert said in first.stdout, said
    context = subprocess.run([str(Path(sys.executable).parent / "imi"), "context"], cwd=target,
                             capture_output=True, text=True, env={**os.environ, "HOME": str(home)}, timeout=60)
    assert "keep token refresh in src/auth/refresh.ts" in context.stdout, context.stderr
    # the demo's own marker does not show up as a change in the demo's git repository
    status = subprocess.run(["git", "status", "--porcelain"], cwd=target, capture_output=True, text=True).stdout
    assert ".imi-demo" not in status

    (target / "scratch.txt").write_text("made while exploring\n")
    from_inside = run_demo("..", target / "src", home)
    assert from_inside.returncode != 0 and "the folder you are in" in from_inside.stderr
    assert (target / "scratch.txt").is_file()  # not even its own folder is replaced from inside it

    second = run_demo(target, tmp_path, home)

    assert second.returncode == 0, second.stderr
    assert "replacing the demo project made earlier" in second.stdout
    assert not (target / "scratch.txt").exists()
    assert (target / ".imi" / "state.db").is_file()


def test_the_default_folder_is_imi_demo_in_the_current_folder(tmp_path, home):
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMI_")}
    env.update(HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    (tmp_path / "imi-demo").mkdir()
    (tmp_path / "imi-demo" / "old.txt").write_text("someone else's\n")

    result = subprocess.run(["sh", str(DEMO)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0 and "imi-demo is not empty" in result.stderr
    assert (tmp_path / "imi-demo" / "old.txt").read_text() == "someone else's\n"
