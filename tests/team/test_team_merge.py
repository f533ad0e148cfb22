"""Divergent work on two and three clones comes together through git with nothing lost and no conflicts."""

from __future__ import annotations

import pytest

from team_git import assert_has, assert_rebuild_matches, same_records


def test_two_clones_with_hundreds_of_records_each_merge_with_no_conflict(team):
    alice, bob = team("alice"), team("bob")
    mine = alice.bulk(240, "left")
    mine.append(alice.record("decision", "decide", "alice decides by hand", "because"))
    theirs = bob.bulk(240, "right")
    alice.commit("alice's memory")
    bob.commit("bob's memory")
    alice.git("push", "-q")

    pulled = bob.git("pull", "-q", "--no-edit")  # a real merge: the post-merge hook updates the database
    assert "changed on both sides" not in pulled.stdout + pulled.stderr
    assert_has(bob, mine + theirs)  # read with sqlite: no imi command ran since the pull
    bob.assert_clean_git()
    bob.git("push", "-q")

    alice.git("pull", "-q")  # a fast-forward: post-merge runs too
    assert_has(alice, mine + theirs)
    alice.assert_clean_git()
    assert alice.git("status", "--porcelain").stdout == ""  # the hook wrote no new version files
    same_records(alice, bob)
    assert_rebuild_matches(alice)
    assert_rebuild_matches(bob)


def test_rebase_and_cherry_pick_carry_memory_with_no_conflict(team):
    alice, bob = team("alice"), team("bob")
    first = alice.bulk(150, "alice-1")
    alice.commit("alice 1")
    alice.git("push", "-q")
    ours = [bob.bulk(120, "bob-1"), bob.bulk(120, "bob-2")]
    bob.commit("bob 1")
    bob.git("commit", "-q", "--allow-empty", "-m", "placeholder")

    bob.git("pull", "-q", "--rebase")  # bob's commits replayed onto alice's: post-rewrite / post-checkout hooks
    assert_has(bob, first + ours[0] + ours[1])
    bob.assert_clean_git()
    assert_rebuild_matches(bob)

    # A commit cherry-picked onto another branch brings its records; git runs no hook for a
    # cherry-pick, so the next imi command catches up.
    bob.git("checkout", "-q", "-b", "side", "HEAD~2")
    side = bob.bulk(90, "side")
    bob.commit("side work")
    picked_sha = bob.git("rev-parse", "HEAD").stdout.strip()
    bob.git("checkout", "-q", "main")
    assert not (set(w.id for w in side) & set(bob.texts()))  # the branch switch took them out
    bob.git("cherry-pick", picked_sha)
    bob.imi("status")
    assert_has(bob, first + ours[0] + ours[1] + side)
    bob.assert_clean_git()
    assert_rebuild_matches(bob)


def test_branch_switches_back_and_forth_follow_the_branch(team):
    alice = team("alice")
    base = alice.bulk(60, "base")
    alice.commit("base memory")
    alice.git("checkout", "-q", "-b", "feature")
    feature = alice.bulk(200, "feature")
    alice.commit("feature memory")
    on_feature = alice.snapshot()
    alice.git("checkout", "-q", "main")
    on_main = alice.snapshot()
    main_only = alice.bulk(50, "main")
    alice.commit("main memory")
    on_main_later = alice.snapshot()

    for _ in range(3):
        alice.git("checkout", "-q", "feature")  # post-checkout: read with sqlite, no imi command in between
        assert alice.snapshot() == on_feature
        alice.git("checkout", "-q", "main")
        assert alice.snapshot() == on_main_later
    ids = set(alice.texts())
    assert {w.id for w in base + main_only} <= ids and not ({w.id for w in feature} & ids)
    assert not ({w.id for w in feature} & {row[0] for row in on_main["goals"]})

    alice.git("merge", "-q", "--no-edit", "feature")
    assert_has(alice, base + feature + main_only)
    alice.assert_clean_git()
    assert_rebuild_matches(alice)


@pytest.mark.slow
def test_three_clones_trading_memory_through_a_shared_remote_end_with_the_union(team):
    clones = [team(name) for name in ("alice", "bob", "carol")]
    everything = []
    for round_ in range(3):
        for clone in clones:
            everything += clone.bulk(110, f"round{round_}")
            clone.commit(f"{clone.name} round {round_}")
            clone.git("pull", "-q", "--no-edit")
            clone.git("push", "-q")
    for clone in clones:
        clone.git("pull", "-q", "--no-edit")
    for clone in clones:
        assert_has(clone, everything)
        clone.assert_clean_git()
    same_records(*clones)
    for clone in clones:
        assert_rebuild_matches(clone)
    dave = team("dave")  # a fresh clone plus `imi init`: the whole team's memory
    assert_has(dave, everything)
    same_records(clones[0], dave)
    assert dave.git("status", "--porcelain").stdout == ""


def test_a_fresh_clone_plus_init_has_the_whole_teams_memory(team):
    alice, bob = team("alice"), team("bob")
    written = alice.bulk(120, "a") + bob.bulk(120, "b")
    alice.commit("a")
    alice.git("push", "-q")
    bob.commit("b")
    bob.git("pull", "-q", "--no-edit")
    bob.git("push", "-q")
    carol = team("carol", init=False)
    loaded = carol.imi("init").out
    assert f"Loaded {len(bob.texts())} records from .imi/records/" in loaded, loaded
    assert_has(carol, written)
    assert carol.git("status", "--porcelain").stdout == ""  # init wrote nothing new: the text was complete
    same_records(bob, carol)
    found = carol.imi("search", "record", "--limit", "500").out  # the search index was built too
    assert "a alice record" in found and "b bob record" in found
