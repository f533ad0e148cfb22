"""Never lost: a record leaves memory only by an explicit delete, whatever git or a tool does to the files.

Every case uses a real repository, real git commands (hooks included) and `imi` run as a process.
"""

from __future__ import annotations

import shutil

import pytest

from team_git import Written


@pytest.fixture(params=["flat", "sharded"])
def layout(request) -> str:
    """Every test here holds on the flat layout and on the sharded one (issue 20)."""
    return request.param


def _shown(project: Clone, written: Written) -> bool:
    """Whether `imi show` run as a process shows the record with its text (what an agent would see)."""
    result = project.sub("show", written.id)
    return result.code == 0 and written.text in result.out


@pytest.mark.parametrize("wipe", [
    ["clean", "-fd"],
    ["clean", "-ffdx", "--exclude=.imi/state.db*"],
    "add-then-reset",
])
def test_memory_written_since_the_last_commit_survives_a_wipe_of_untracked_files(solo, wipe):
    project = solo
    decision = project.record("decision", "decide", "keep the parser hand-written", "speed")
    task = project.new("task", project.new("goal", "a parser"), "port the lexer")
    before = project.version_files()
    if wipe == "add-then-reset":
        project.git("add", "-A")
        project.git("reset", "-q", "--hard")
    else:
        project.git(*wipe)
    assert project.version_files() < before  # git really removed them

    result = project.sub("status")  # the next command notices, restores and says so
    assert result.code == 0, str(result)
    assert "restored" in result.err.lower(), str(result)
    assert project.version_files() == before
    assert _shown(project, decision)
    assert project.sub("show", task).code == 0
    synced = project.sub("sync")
    assert synced.code == 0 and "Up to date" in synced.out


def test_a_completion_since_the_last_commit_survives_git_clean(solo):
    project = solo
    task = project.new("task", project.new("goal", "a parser"), "port the lexer")
    project.commit("the task")  # its first version is committed; the completion is not
    project.imi("start", task)
    project.imi("complete", task, "lexer ported with a table")
    project.git("clean", "-fdq")
    status = project.sub("--json", "show", task)
    assert status.code == 0, str(status)
    assert "lexer ported with a table" in status.out
    assert '"done"' in status.out


def test_stashed_memory_follows_the_stash_and_comes_back_with_pop(solo):
    project = solo
    lesson = project.record("lesson", "lesson", "never trust the cache", "--correct-behavior", "rebuild it")
    before = project.version_files()
    project.git("stash", "-u", "-q")
    result = project.sub("status")
    assert result.code == 0, str(result)
    assert "stash" in result.err, str(result)  # said where the records went
    assert project.version_files() == set()  # not written back: `git stash pop` must still work
    project.git("stash", "pop", "-q")
    assert project.version_files() == before
    assert _shown(project, lesson)


def test_a_branch_switch_is_not_a_loss_and_uncommitted_memory_stays_with_the_working_tree(solo):
    project = solo
    project.git("checkout", "-q", "-b", "feature")
    feature = project.record("decision", "decide", "feature-only decision", "it is the feature's")
    project.commit("feature memory")
    thought = project.record("note", "log", "an uncommitted thought")
    project.git("checkout", "-q", "main")  # the committed decision stays on feature; the untracked note stays here

    result = project.sub("status")
    assert result.code == 0 and "restored" not in result.err.lower(), str(result)
    assert not _shown(project, feature)
    assert _shown(project, thought)
    project.git("checkout", "-q", "feature")
    assert _shown(project, feature)


def test_deleting_a_tracked_record_file_by_hand_is_restored_from_the_commit(solo):
    project = solo
    decision = project.record("decision", "decide", "committed decision", "because")
    project.commit("memory")
    for path in (project.root / ".imi" / "records").rglob("*.json"):
        path.unlink()
    result = project.sub("status")
    assert "restored" in result.err.lower(), str(result)
    assert project.git("status", "--porcelain").stdout == ""
    assert _shown(project, decision)


def test_delete_removes_the_uncommitted_text_and_says_what_git_still_holds(solo):
    project = solo
    old = project.record("decision", "decide", "committed choice", "because")
    project.commit("one of them")
    fresh = project.new("decide", "uncommitted choice", "because")
    project.git("add", "-A")  # staged, not committed: still only in the working tree and the index
    project.imi("decide", "another", "x")  # unrelated, stays
    edit_dir = project.root / ".imi" / "records" / "decisions"

    result = project.ok("delete", fresh)
    left = list(edit_dir.rglob(f"{fresh}.*.json"))
    assert len(left) == 1  # only the tombstone
    assert "uncommitted choice" not in left[0].read_text()
    assert "uncommitted choice" not in project.git("diff", "--cached").stdout

    result = project.ok("delete", old.id)
    assert "committed" in result.out and "history" in result.out  # says the text is still in git's history
    assert not _shown(project, old)


def test_outside_git_a_removed_record_folder_is_written_back(tmp_path, git_env):
    from team_git import Clone

    project = Clone(tmp_path, git_env, "alice")  # no repository: no commit can hold anything
    project.imi("init")
    decision = project.record("decision", "decide", "kept without git", "x")
    shutil.rmtree(tmp_path / ".imi" / "records")
    result = project.sub("status")
    assert "restored 1 version file that" in result.err, str(result)
    assert _shown(project, decision)


def test_deleting_a_goal_with_its_tasks_removes_all_their_uncommitted_text(solo):
    project = solo
    goal = project.new("goal", "a secret plan")
    tasks = [project.new("task", goal, f"secret step {n}") for n in range(3)]
    project.imi("start", tasks[0])  # a second version of one task
    project.ok("delete", goal, "--yes")
    records = project.root / ".imi" / "records"
    left = {p.name.split(".")[0]: p for p in records.rglob("*.json")}
    assert set(left) >= {goal, *tasks}
    for rid in (goal, *tasks):
        versions = [p for p in records.rglob(f"{rid}.*.json")]
        assert len(versions) == 1 and "secret" not in versions[0].read_text()  # the tombstone alone


def test_an_undone_merge_of_a_teammates_memory_is_not_written_back(team):
    alice, bob = team("alice"), team("bob")
    theirs = bob.record("decision", "decide", "bob's decision", "x")
    bob.commit("bob's memory")
    alice.git("fetch", "-q", str(bob.root), "main")
    for _ in range(2):  # merged, undone, merged again: no leftover file stands in the way
        alice.git("merge", "-q", "--no-edit", "FETCH_HEAD")
        assert _shown(alice, theirs)
        alice.git("reset", "-q", "--hard", "ORIG_HEAD")
        result = alice.sub("status")
        assert "restored" not in result.err, str(result)
        assert not _shown(alice, theirs)
        assert alice.git("status", "--porcelain").stdout == ""
