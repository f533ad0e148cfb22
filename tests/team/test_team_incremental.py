"""After git pull, merge, rebase or checkout, the hooks' sync reads only the record files git changed
(issue 20: work proportional to what the merge brought, not to the history), and ends exactly where a
full rebuild from the text ends."""

from __future__ import annotations

import shutil

import pytest

from team_git import assert_has


@pytest.fixture(params=["flat", "sharded"])
def layout(request) -> str:
    """Every test here holds on the flat layout and on the sharded one (issue 20)."""
    return request.param


def _same_as_a_rebuild(clone) -> None:
    """The database the hooks kept equals one rebuilt from the text (every record, every field)."""
    kept = clone.imi("export").out
    clone.imi("rebuild", "--force")
    assert clone.imi("export").out == kept


def test_pull_merge_rebase_and_checkout_through_the_hooks_end_where_a_rebuild_does(team):
    ana, ben = team("ana"), team("ben")
    ana.bulk(20, "before")
    ana.commit("first")
    ana.git("push", "-q")
    ben.git("pull", "-q")
    theirs = ben.bulk(15, "theirs")
    ben.imi("archive", theirs[0].id)
    ben.commit("theirs")
    ben.git("push", "-q")
    ours = ana.bulk(10, "ours")
    ana.commit("ours")
    ana.git("pull", "-q", "--no-edit")  # a real merge: the remembered commit is behind ORIG_HEAD
    assert_has(ana, theirs[1:] + ours)
    _same_as_a_rebuild(ana)

    more = ben.bulk(5, "more")
    ben.commit("more")
    ben.git("push", "-q")
    ana.bulk(3, "rebased")
    ana.commit("rebased")
    ana.git("pull", "-q", "--rebase")
    assert_has(ana, more)
    _same_as_a_rebuild(ana)

    ana.git("checkout", "-q", "-b", "old", "HEAD~3")
    assert not ({w.id for w in more} & set(ana.texts()))
    _same_as_a_rebuild(ana)
    ana.git("checkout", "-q", "main")
    assert_has(ana, more)
    _same_as_a_rebuild(ana)


def test_the_hook_syncs_fully_when_files_moved_without_a_commit(team):
    ana, ben = team("ana"), team("ben")
    ana.bulk(5, "start")
    ana.commit("start")
    ana.git("push", "-q")
    ana.imi("sync")  # in step at this commit (any sync remembers it; the first hook run does too)
    ben.git("pull", "-q")
    theirs = ben.bulk(5, "theirs")
    ben.commit("theirs")
    ben.git("push", "-q")
    # A version file copied in by hand: no commit brings it, yet the hook's sync must see it.
    stray = ben.bulk(1, "copied by hand")[0]
    source = next(p for p in (ben.root / ".imi" / "records").rglob(f"{stray.id}.*.json"))
    target = ana.root / ".imi" / "records" / source.relative_to(ben.root / ".imi" / "records")
    target.parent.mkdir(exist_ok=True)
    shutil.copy(source, target)
    ana.git("pull", "-q")
    assert_has(ana, theirs + [stray])
    _same_as_a_rebuild(ana)
