"""Issue 20's layout: shard folders and packs of committed versions, reached by `imi pack`, which a team
runs on one clone while the others keep working. Real clones, a real bare remote, real merges in both
directions with the git hooks running the real `imi`; nothing a clone wrote is ever lost, and every
version is read once wherever it is (loose flat, loose sharded, in one pack or in several)."""

from __future__ import annotations

from pathlib import Path

from team_git import Clone, Written, assert_has, assert_rebuild_matches, same_records


def _records(clone: Clone) -> Path:
    return clone.root / ".imi" / "records"


def _loose(clone: Clone) -> list[Path]:
    return sorted(_records(clone).rglob("*.json"))


def _packs(clone: Clone) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((_records(clone) / "packs").glob("*.jsonl"))}


def _versions_in_git(clone: Clone) -> set[str]:
    """Every version the checked-out commit holds, by name: loose files and the names packs list."""
    import json

    names = set()
    for path in clone.git("ls-files", ".imi/records").stdout.split():
        if path.endswith(".json"):
            names.add(path.rsplit("/", 1)[1])
        elif path.endswith(".jsonl"):
            header = json.loads((clone.root / path).read_text().partition("\n")[0])
            names.update(name for name, _kind in header["versions"])
    return names


def _read_once(clone: Clone) -> None:
    """The database knows each version once, and exactly the versions on disk."""
    known = [row[0] for row in clone.sqlite("SELECT name FROM text_versions")]
    assert len(known) == len(set(known))
    assert set(known) == _versions_in_git(clone)


def test_a_team_moves_to_packs_on_one_clone_while_the_others_keep_working(team):
    ana, ben, cat = team("ana"), team("ben"), team("cat")
    written: list[Written] = ana.bulk(12, "before")
    ana.commit("before")
    ana.git("push", "-q")
    for clone in (ben, cat):
        clone.git("pull", "-q")
    written += ben.bulk(12, "ben flat")  # ben and cat keep working on the flat layout meanwhile
    ben.commit("ben flat")
    written += cat.bulk(12, "cat flat")
    cat.commit("cat flat")

    packed = ana.imi("pack").out
    assert "sharded layout" in packed and "Packed 12 committed version files" in packed, packed
    ana.commit("pack")
    assert not _loose(ana) and len(_packs(ana)) == 1
    written += ana.bulk(6, "ana sharded")
    assert all(len(p.relative_to(_records(ana)).parts) == 3 for p in _loose(ana))  # kind/shard/name
    ana.commit("ana sharded")
    ana.git("push", "-q")

    ben.git("pull", "-q", "--no-edit")  # the migration merged into an unmigrated branch
    ben.assert_clean_git()
    assert any(len(p.relative_to(_records(ben)).parts) == 2 for p in _loose(ben))  # ben's flat files stay
    written += ben.bulk(6, "ben after")  # the marker came with the merge: ben now writes to shards
    assert all(len(p.relative_to(_records(ben)).parts) == 3 for p in _loose(ben) if "ben after" in p.read_text())
    ben.commit("ben after")
    ben.git("push", "-q")

    cat.git("push", "-q", "origin", "main:cat-work")
    ana.git("pull", "-q", "--no-edit", "origin", "cat-work")  # an unmigrated branch merged into the migrated one
    ana.git("pull", "-q", "--no-edit", "origin", "main")
    ana.assert_clean_git()
    ana.git("push", "-q", "origin", "main")
    cat.git("pull", "-q", "--no-edit", "origin", "main")
    for clone in (ana, ben, cat):
        clone.git("pull", "-q", "--no-edit")
    for clone in (ana, ben, cat):
        clone.assert_clean_git()
        assert_has(clone, written)
        _read_once(clone)
        assert_rebuild_matches(clone)
    same_records(ana, ben, cat)


def test_packing_in_two_clones_merges_cleanly_and_reads_each_version_once(team):
    ana, ben = team("ana"), team("ben")
    written = ana.bulk(12, "shared")
    ana.commit("shared")
    ana.git("push", "-q")
    ben.git("pull", "-q")
    ana.imi("pack")
    ben.imi("pack")
    assert _packs(ana) == _packs(ben)  # the same versions make the same pack, byte for byte
    ana.commit("ana packs")
    ben.commit("ben packs")

    written += ana.bulk(6, "ana more")
    ana.commit("ana more")
    ana.imi("pack")
    ana.commit("ana packs again")
    written += ben.bulk(6, "ben more")
    ben.commit("ben more")
    ben.imi("pack")
    ben.commit("ben packs again")
    ana.git("push", "-q")
    ben.git("pull", "-q", "--no-edit")  # both added the same pack and each its own: no conflict
    ben.assert_clean_git()
    ben.git("push", "-q")
    ana.git("pull", "-q", "--no-edit")
    assert len(_packs(ana)) == 3
    for clone in (ana, ben):
        assert_has(clone, written)
        _read_once(clone)
        assert_rebuild_matches(clone)
    same_records(ana, ben)


def test_overlapping_packs_from_different_commits_are_read_once(team):
    ana, ben, cat = team("ana"), team("ben"), team("cat")
    written = ana.bulk(6, "common")
    ana.commit("common")
    ana.git("push", "-q")
    ben.git("pull", "-q")
    written += ana.bulk(6, "ana")
    ana.commit("ana")
    written += ben.bulk(6, "ben")
    ben.commit("ben")
    for clone in (ana, ben):  # each packs the common versions with its own: two packs hold the common ones
        clone.imi("pack")
        clone.commit("pack")
    ana.git("push", "-q")
    ben.git("pull", "-q", "--no-edit")
    ben.assert_clean_git()
    ben.git("push", "-q")
    cat.git("pull", "-q")
    assert len(_packs(cat)) == 2
    assert_has(cat, written)
    _read_once(cat)
    assert_rebuild_matches(cat)
    same_records(ben, cat)


def test_absence_is_never_deletion_over_packs(solo):
    project = solo
    first = project.record("decision", "decide", "packed first", "because")
    project.commit("first")
    project.imi("pack")
    project.commit("pack one")
    second = project.record("lesson", "lesson", "packed later", "--correct-behavior", "x")
    project.commit("second")
    project.imi("pack")
    project.commit("pack two")
    assert not _loose(project) and len(_packs(project)) == 2

    for pack in (_records(project) / "packs").glob("*.jsonl"):  # removed by hand: checked out again
        pack.unlink()
    result = project.sub("status")
    assert "restored" in result.err.lower(), str(result)
    assert project.git("status", "--porcelain").stdout == ""
    assert_has(project, [first, second])

    project.git("checkout", "-q", "-b", "old", "HEAD~2")  # before the second pack: its version leaves with it
    assert first.id in project.texts() and second.id not in project.texts()
    assert project.git("status", "--porcelain").stdout == ""  # not written back: main holds it
    project.git("checkout", "-q", "main")
    assert_has(project, [first, second])
    assert_rebuild_matches(project)

    deleted = project.ok("delete", first.id)  # a packed record deleted: a tombstone, the pack stays
    assert "history" in deleted.out, deleted.out
    assert first.id not in project.texts()
    project.commit("delete")
    assert_rebuild_matches(project)
    assert first.id not in project.texts()


def test_a_stash_takes_packs_along_and_pop_brings_them_back(solo):
    project = solo
    kept = project.record("decision", "decide", "committed", "because")
    project.commit("committed")
    stashed = project.record("note", "log", "written after the commit")
    project.git("add", "-A")
    project.commit("second")
    project.imi("pack")  # the pack and the loose files' removal are uncommitted: a stash takes both
    project.git("stash", "-q")
    assert_has(project, [kept, stashed])
    project.git("stash", "pop", "-q")
    assert_has(project, [kept, stashed])
    assert_rebuild_matches(project)
