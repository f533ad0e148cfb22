"""The git hooks `imi init` installs: git alone keeps the database current, and hooks a user already had
keep running."""

from __future__ import annotations

import os

from team_git import assert_has
from imi_cli.memory.textsync.githooks import BEGIN, END


def _hook(clone, name: str) -> str:
    return (clone.root / ".git" / "hooks" / name).read_text()


def test_git_pull_alone_updates_the_database_through_the_hooks(team):
    alice, bob = team("alice"), team("bob")
    written = alice.bulk(60, "pulled")
    alice.commit("memory")
    alice.git("push", "-q")
    before = bob.texts()
    bob.git("pull", "-q")  # fast-forward: post-merge; nothing else runs imi
    after = bob.texts()
    assert set(after) - set(before) == {w.id for w in written}
    assert_has(bob, written)
    bob.git("checkout", "-q", "HEAD~1")  # post-checkout takes them out again (git removes .imi/records too)
    assert not ({w.id for w in written} & set(bob.texts()))
    assert not (bob.root / ".imi" / "records").exists()
    note = bob.new("log", "written where the commit had no records")  # still reaches the text
    assert any(note in name for name in bob.version_files())
    bob.git("stash", "-q", "-u")
    bob.git("checkout", "-q", "main")
    assert_has(bob, written)
    assert note not in bob.texts()
    bob.git("stash", "pop", "-q")  # no hook runs for a stash: the next command catches up
    bob.imi("status")
    assert note in bob.texts()
    assert_has(bob, written)


def test_init_keeps_a_users_shell_hook_running_and_installs_one_block_however_often_it_runs(team, tmp_path):
    alice = team("alice")
    bob = team("bob", init=False)
    marker = tmp_path / "user-hook-ran"
    hooks = bob.root / ".git" / "hooks"
    (hooks / "post-merge").write_text(f"#!/bin/sh\necho user hook >> '{marker}'\n")
    (hooks / "post-merge").chmod(0o755)
    bob.imi("init")
    bob.imi("init")
    text = _hook(bob, "post-merge")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    kept = bob.root / ".git" / "hooks" / "post-merge.imi-chained"  # the user's hook, unchanged
    assert kept.read_text() == f"#!/bin/sh\necho user hook >> '{marker}'\n"
    assert not (bob.root / ".git" / "hooks" / "post-merge.imi-chained.2").exists()
    for name in ("post-checkout", "post-rewrite"):
        assert _hook(bob, name).count(BEGIN) == 1

    written = alice.bulk(30, "chained")
    alice.commit("memory")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    assert marker.read_text() == "user hook\n"  # the user's hook still ran, once
    assert_has(bob, written)  # and so did ours


def test_a_hook_in_another_language_is_kept_and_runs_first(team, tmp_path):
    alice = team("alice")
    bob = team("bob", init=False)
    marker = tmp_path / "python-hook-ran"
    hook = bob.root / ".git" / "hooks" / "post-merge"
    hook.write_text(f"#!/usr/bin/env python3\nopen({str(marker)!r}, 'a').write('python hook\\n')\n")
    hook.chmod(0o755)
    bob.imi("init")
    bob.imi("init")
    assert _hook(bob, "post-merge").count(BEGIN) == 1
    chained = hook.with_name("post-merge.imi-chained")
    assert chained.is_file() and "python hook" in chained.read_text()
    assert os.access(chained, os.X_OK)

    written = alice.bulk(30, "chained")
    alice.commit("memory")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    assert marker.read_text() == "python hook\n"
    assert_has(bob, written)


def test_hooks_follow_core_hooks_path(team):
    alice = team("alice")
    bob = team("bob", init=False)
    bob.git("config", "core.hooksPath", ".githooks")
    bob.imi("init")
    assert BEGIN in (bob.root / ".githooks" / "post-merge").read_text()
    written = alice.bulk(12, "hookspath")
    alice.commit("memory")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    assert_has(bob, written)


def test_a_user_hook_that_ends_with_exit_or_exec_does_not_stop_ours(team, tmp_path):
    alice = team("alice")
    bob = team("bob", init=False)
    marker = tmp_path / "exec-hook-ran"
    hooks = bob.root / ".git" / "hooks"
    # the shape of hooks that frameworks such as pre-commit install: the script hands over with exec
    (hooks / "post-merge").write_text(f"#!/usr/bin/env bash\necho ran >> '{marker}'\nexec true\n")
    (hooks / "post-checkout").write_text("#!/bin/sh\nexit 0\n")
    for name in ("post-merge", "post-checkout"):
        (hooks / name).chmod(0o755)
    bob.imi("init")
    written = alice.bulk(12, "after-exec")
    alice.commit("memory")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    assert marker.read_text() == "ran\n"
    assert_has(bob, written)
    bob.git("checkout", "-q", "HEAD~1")
    assert not ({w.id for w in written} & set(bob.texts()))


def test_hooks_sync_a_project_in_a_subfolder_and_stay_quiet_where_there_is_no_memory(tmp_path, git_env):
    from team_git import Clone

    repo = Clone(tmp_path / "repo", git_env, "alice")
    (tmp_path / "repo" / "app").mkdir(parents=True)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "alice")
    repo.git("config", "user.email", "alice@example.com")
    project = Clone(tmp_path / "repo" / "app", git_env, "alice")  # the memory lives in app/, git's top is above
    project.imi("init")
    project.commit("start")
    project.git("checkout", "-q", "-b", "feature")
    decision = project.new("decide", "feature decision", "x")
    project.commit("feature memory")
    switched = project.git("checkout", "main")  # the post-checkout hook runs at the top, syncs app/
    assert "imi:" not in switched.stderr, switched.stderr
    assert project.sqlite("SELECT count(*) FROM decisions WHERE id = ?", (decision,)) == [(0,)]
    added = project.git("worktree", "add", "-q", str(tmp_path / "tree"), "-b", "bare-branch", "HEAD")
    assert "imi:" not in added.stderr, added.stderr  # a checkout without memory: nothing to sync, nothing said
