"""Issue 20's layout, finished: a new project starts sharded (an old flat one stays flat until `imi pack`),
`imi doctor` and the CI gate name every pack imi cannot read while reading goes on with the good ones,
and `imi status` / `imi sync` say when packing would pay. Real git repositories, the real `imi`."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from team_git import Clone, assert_has

from imi_cli.memory.textsync.layout import PACK_HINT_AT


def _records(clone: Clone) -> Path:
    return clone.root / ".imi" / "records"


def _packs(clone: Clone) -> list[Path]:
    return sorted((_records(clone) / "packs").glob("*.jsonl"))


def test_a_new_project_starts_sharded_and_its_clones_follow(team, tmp_path, git_env):
    alice = team("alice")  # the fixture's default is flat: a project an older imi made
    assert not (_records(alice) / "LAYOUT").exists()
    alice.imi("init")  # running init again on a flat project does not migrate it
    assert not (_records(alice) / "LAYOUT").exists()
    note = alice.new("log", "still flat")
    [version] = _records(alice).rglob(f"{note}.*.json")
    assert version.parent == _records(alice) / "notes"

    repo = Clone(tmp_path / "fresh", git_env, "carol")
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.imi("init")
    assert (_records(repo) / "LAYOUT").read_text() == "2\n"
    task = repo.new("task", repo.new("goal", "G"), "T")
    [version] = _records(repo).rglob(f"{task}.*.json")
    assert version.parent == _records(repo) / "tasks" / task[-1]  # in its shard, never flat
    repo.git("config", "user.name", "carol")
    repo.git("config", "user.email", "carol@example.com")
    repo.commit("memory")
    copy = Clone(tmp_path / "copy", git_env, "dave")
    repo.git("clone", "-q", str(repo.root), str(copy.root))
    copy.imi("init")
    later = copy.new("log", "in the clone")
    [version] = _records(copy).rglob(f"{later}.*.json")
    assert version.parent.name == later[-1]


@pytest.mark.parametrize("layout", ["sharded"])
def test_doctor_names_each_bad_pack_and_reading_goes_on_with_the_good_ones(solo):
    batches = []
    for number in range(5):  # five `imi pack` runs: five packs, each with its own versions
        batches.append(solo.bulk(6, f"batch{number}"))
        solo.commit(f"batch {number}")
        solo.imi("pack")
        solo.commit(f"pack {number}")
    packs = _packs(solo)
    assert len(packs) == 5
    holder = {}  # pack -> the batch whose versions it holds
    for path in packs:
        listed = {name.split(".")[0] for name, _kind in json.loads(path.read_text().partition("\n")[0])["versions"]}
        holder[path] = next(i for i, batch in enumerate(batches) if {w.id for w in batch} == listed)
    good, *bad = packs
    text = {path: path.read_text() for path in bad}
    damage = {
        bad[0]: lambda t: "not the list of versions\n" + t.partition("\n")[2],
        bad[1]: lambda t: t.replace(t.splitlines()[2], '{"format": 1, "id": "x"}'),
        bad[2]: lambda t: t[:t.rstrip("\n").rfind("\n") + 1],  # its last version's line is gone
        bad[3]: lambda t: f"<<<<<<< HEAD\n{t}=======\n{t}>>>>>>> theirs\n",
    }
    for path, change in damage.items():
        path.write_text(change(text[path]))

    for args in (["doctor"], ["doctor", "--check"]):
        result = solo.run(*args)
        assert result.code == 1, str(result)
        for path in bad:  # each bad pack named once, on a line of its own
            named = [line for line in result.out.splitlines() if path.name in line]
            assert len(named) == 1, result.out
        assert good.name not in result.out
        assert "conflict markers" in next(line for line in result.out.splitlines() if bad[3].name in line)
        assert "lists 6 versions in its first line but holds 5" in result.out
    assert solo.run("doctor", "--json").json()["problems"][0]["target"].startswith("packs/")

    rebuilt = solo.run("rebuild", "--force")
    assert rebuilt.code == 0 and "Traceback" not in rebuilt.err, str(rebuilt)
    assert_has(solo, batches[holder[good]])  # the good pack is read in full
    assert solo.run("status").code == 0


@pytest.mark.parametrize("layout", ["sharded"])
def test_a_purged_pack_keeps_its_name_and_is_a_note_not_a_failure(solo):
    """`git filter-repo --replace-text` (docs/team.md) changes a pack's content and keeps its name."""
    written = solo.bulk(6, "secret-ghp")
    solo.commit("memory")
    solo.imi("pack")
    assert not [d for d in _records(solo).glob("*/*") if d.is_dir() and not any(d.iterdir())]  # no empty shards
    solo.commit("pack")
    [pack] = _packs(solo)
    pack.write_text(pack.read_text().replace("secret-ghp", "REMOVED"))  # what --replace-text does to it
    assert hashlib.sha1(pack.read_bytes()).hexdigest() != pack.stem
    for args in (["doctor"], ["doctor", "--check"]):
        result = solo.run(*args)
        assert result.code == 0, str(result)
        assert re.search(rf"^note: .*{pack.name} does not hash to its name", result.out, re.M), result.out
    solo.imi("rebuild")
    texts = solo.texts()
    assert all(texts[w.id][1] == w.text.replace("secret-ghp", "REMOVED") for w in written)


def test_status_and_sync_say_when_packing_would_pay(team):
    alice = team("alice")
    assert "imi pack" not in alice.imi("status").out
    alice.bulk(PACK_HINT_AT, "many")
    for args in (["status"], ["sync"]):
        out = alice.imi(*args).out
        assert f"{PACK_HINT_AT} loose version files in .imi/records/: `imi pack`" in out, out
    assert alice.json("status")["pack_hint"].startswith(f"{PACK_HINT_AT} loose")
    assert alice.imi("sync", "--quiet").out == ""  # the git hooks' sync stays silent about it
    alice.commit("memory")
    alice.imi("pack")
    alice.commit("pack")
    assert "imi pack" not in alice.imi("status").out
    assert alice.json("status")["pack_hint"] is None


@pytest.mark.parametrize("layout", ["sharded"])
def test_a_damaged_pack_does_not_hide_a_good_copy_of_its_versions_in_another_pack(solo):
    from imi_cli.memory.textsync import layout

    written = solo.bulk(6, "twice")
    solo.commit("memory")
    solo.imi("pack")
    solo.commit("pack")
    [whole] = _packs(solo)
    header, *lines = whole.read_text().splitlines()
    payloads = {name: json.loads(line) for (name, _kind), line in zip(json.loads(header)["versions"], lines)}
    part = layout.pack_text(dict(sorted(payloads.items())[1:]))  # another clone packed five of them
    other = _records(solo) / layout.pack_rel(part)
    other.write_text(part)
    first = min(whole, other)  # the reader meets this one first: damage a version both hold in it
    shared = sorted(payloads)[1]
    text = first.read_text()
    line = next(line for line in text.splitlines()[1:] if json.loads(line)["hlc"] == payloads[shared]["hlc"])
    first.write_text(text.replace(line, '{"format": 1}'))
    assert first.name in solo.run("doctor").out
    rebuilt = solo.run("rebuild", "--force")
    assert rebuilt.code == 0, str(rebuilt)
    assert_has(solo, written)


@pytest.mark.parametrize("layout", ["sharded"])
def test_a_pack_listing_names_that_are_not_text_is_named_by_doctor_not_a_crash(solo):
    """A hand-edited first line (`[7, "memory"]`, `[null, "goal"]`, a name of the wrong shape) stopped every
    command with an internal error, or hid every version listed after it: such an entry is skipped, the
    versions on the other lines are read, and `imi doctor` names the pack."""
    written = solo.bulk(6, "listed")
    solo.commit("memory")
    solo.imi("pack")
    solo.commit("pack")
    [pack] = _packs(solo)
    header, _, rest = pack.read_text().partition("\n")
    listed = json.loads(header)
    lost = {name.split(".")[0] for name, _kind in listed["versions"][:3]}
    listed["versions"][0][0], listed["versions"][1][0] = 7, None
    listed["versions"][2][0] = "not a version's name"
    pack.write_text(json.dumps(listed) + "\n" + rest)
    for args in (["context"], ["status"], ["rebuild", "--force"]):
        result = solo.run(*args)
        assert result.code == 0 and "internal error" not in result.err, str(result)
    kept = [w for w in written if w.id not in lost]
    assert len(kept) == len(written) - 3
    assert_has(solo, kept)  # every version on a line after the damaged entries
    doctor = solo.run("doctor")
    assert doctor.code == 1 and pack.name in doctor.out, str(doctor)
