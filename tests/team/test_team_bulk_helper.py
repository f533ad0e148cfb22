"""A large bulk load shares its work with a helper process (textsync/share.py: the decisions, lessons,
notes and memories are read, gated and prepared there, their rows copied back through SQLite). Whatever
the helper does, the database must hold exactly what the one-process load gives: the same rows, the
same links cleared and remembered, the same files skipped and reported, the same secrets redacted.
The projects here are small; the size limits are lowered so that the helper runs."""

from __future__ import annotations

import json
import sys

from team_git import Clone
from test_team_bulk_load import alice_with_a_history, hand_made

from imi_cli.memory import hlc
from imi_cli.memory.textsync import importer, share

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def with_helper(monkeypatch) -> tuple[list, list]:
    """(helpers started from now on, those whose work was taken in): the real ones, recorded so a test
    knows which road the load took."""
    started, joined = [], []
    start, join = share.start, share.Helper.join

    def recorded_start(*args):
        started.append(start(*args))
        return started[-1]

    def recorded_join(helper, *args):
        join(helper, *args)
        joined.append(helper)

    monkeypatch.setattr(share, "MIN_LOAD", 0)
    monkeypatch.setattr(share, "MIN_SHARE", 0)
    monkeypatch.setattr(share, "start", recorded_start)
    monkeypatch.setattr(share.Helper, "join", recorded_join)
    return started, joined


def hand_made_memory(clone: Clone, record_id: str, record: dict) -> None:
    stamp = hlc.format_stamp(1_700_000_000_000, 0, "handmd")
    payload = {"format": 1, "kind": "memory", "id": record_id, "hlc": stamp, "base": None, "agent": "someone",
               "deleted": False, "record": {"id": record_id, "key": "k", "type": "learning", "created_at": 1, **record}}
    folder = clone.root / ".imi" / "records" / "memories"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{record_id}.{stamp}.json").write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def alice_with_links_and_refusals(team) -> Clone:
    """Alice's history, plus what the helper's share must handle as the one process does: memories
    linking to a deleted goal, to a task that never existed, to a goal by a number; a secret and an
    escape in a note; a note whose time is not a time (refused by the gate)."""
    alice = alice_with_a_history(team)
    gone = alice.sqlite("SELECT record_id FROM text_versions WHERE kind = 'goal' AND deleted = 1")[0][0]
    task = alice.sqlite("SELECT id FROM tasks LIMIT 1")[0][0]
    hand_made_memory(alice, "memgone001", {"value": "links a deleted goal", "goal_id": gone, "task_id": task})
    hand_made_memory(alice, "memnone001", {"value": "links a task never made", "task_id": "notask0001"})
    hand_made_memory(alice, "memnumb001", {"value": "links goal 42", "goal_id": 42})
    hand_made(alice, "handnote01", {"content": f"deploy with {TOKEN}\x1b[31m", "created_at": 1})
    hand_made(alice, "badnote001", {"content": "fine", "created_at": "yesterday"})
    alice.commit("links, a secret and a refusal")
    alice.git("push", "-q")
    return alice


def first_command(clone: Clone) -> tuple:
    """What a fresh clone's first command shows and builds (its database, links, settings kept)."""
    result = clone.run("context")
    assert result.code == 0, result
    dangling = clone.sqlite("SELECT value FROM settings WHERE key = 'text_dangling'")
    return result.err, clone.snapshot(), dangling


def test_a_load_with_the_helper_holds_what_one_process_loads(team, monkeypatch):
    alice_with_links_and_refusals(team)
    alone = first_command(team("bob", init=False))

    _started, joined = with_helper(monkeypatch)
    shared = first_command(team("carol", init=False))
    assert joined, "the helper did not do its part"
    assert shared == alone
    err, snapshot, dangling = shared
    assert "1 secret" in err and TOKEN not in json.dumps(snapshot["direction_notes"])
    links = json.loads(dangling[0][0])
    assert links["memory:memnone001"] == ["notask0001"] and links["memory:memnumb001"] == [42], links
    memories = {row[0]: row for row in snapshot["memories"]}
    assert memories["memgone001"][1] is None and memories["memgone001"][2] is not None  # goal cleared, task kept


def test_a_rebuild_with_the_helper_reports_what_one_process_reports(team, monkeypatch):
    alice = alice_with_links_and_refusals(team)
    alone = json.loads(alice.run("rebuild", "--force", "--json").out)
    snapshot = alice.snapshot()
    _started, joined = with_helper(monkeypatch)
    shared = json.loads(alice.run("rebuild", "--force", "--json").out)
    assert joined, "the helper did not do its part"
    assert shared == alone
    assert "badnote001" in " ".join(shared["skipped_files"]), shared
    assert alice.snapshot() == snapshot


def test_the_helper_does_its_part_for_a_project_opened_by_a_relative_path(team, monkeypatch):
    """The helper runs in another folder: a database an API caller opened by a relative path must
    still be found there (it was not, and the load silently went on in one process)."""
    alice = alice_with_links_and_refusals(team)
    alice.run("rebuild", "--force")
    snapshot = alice.snapshot()  # what one process loads
    _started, joined = with_helper(monkeypatch)
    monkeypatch.chdir(alice.root.parent)
    from pathlib import Path

    from imi_cli.memory import Project

    with Project.open(Path(alice.root.name) / ".imi" / "state.db") as project:
        project.rebuild(force=True)
    assert joined, "the helper did not do its part"
    assert alice.snapshot() == snapshot


def test_a_row_the_database_refuses_in_the_helper_share_sends_the_load_one_record_at_a_time(team, monkeypatch):
    alice = alice_with_links_and_refusals(team)
    hand_made(alice, "nullnote01", {"content": None, "created_at": 1})  # NOT NULL: the bulk write fails
    alice.commit("a note without content")
    alice.git("push", "-q")
    alone = first_command(team("bob", init=False))
    started, joined = with_helper(monkeypatch)
    carol = team("carol", init=False)
    shared = first_command(carol)
    assert started and started[0] is not None and not joined  # its bulk write failed: this process did it all
    assert shared == alone
    assert carol.sqlite("SELECT count(*) FROM direction_notes WHERE id = 'nullnote01'") == [(0,)]
    assert not list((carol.root / ".imi").glob(".load-*.tmp")), "the helper's scratch file was left behind"


def test_a_helper_that_fails_or_cannot_start_changes_nothing(team, monkeypatch, tmp_path):
    alice_with_links_and_refusals(team)
    alone = first_command(team("bob", init=False))
    started, joined = with_helper(monkeypatch)
    failing = tmp_path / "python"
    failing.write_text("#!/bin/sh\ncat > /dev/null\necho 'a helper that breaks' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(failing))  # takes the job, then dies
    carol = team("carol", init=False)
    assert first_command(carol) == alone
    assert started and started[0] is not None and not joined
    assert not list((carol.root / ".imi").glob(".load-*.tmp")), "the helper's scratch file was left behind"
    monkeypatch.setattr(sys, "executable", str(tmp_path / "missing"))  # cannot start at all
    assert first_command(team("dave", init=False)) == alone
    assert started[-1] is None
    stuck = tmp_path / "stuck"
    stuck.write_text("#!/bin/sh\ncat > /dev/null\nexec sleep 60\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(stuck))  # takes the job and never answers
    monkeypatch.setattr(share, "_PATIENCE", 1)
    erin = team("erin", init=False)
    assert first_command(erin) == alone
    assert started[-1] is not None and started[-1].process.poll() is not None, "the stuck helper still runs"
    assert not joined and not list((erin.root / ".imi").glob(".load-*.tmp"))


def test_links_that_all_arrived_are_taken_in_without_looking_each_one_up(team, monkeypatch):
    """Every goal and task the helper's memories link to is loaded here: the helper's list of targets
    says so at once, and the database is still the one-process load's."""
    alice_with_a_history(team)
    alone = first_command(team("bob", init=False))
    _started, joined = with_helper(monkeypatch)
    looked_up = []
    check = share.Helper._check_links
    monkeypatch.setattr(share.Helper, "_check_links", lambda *args: (looked_up.append(1), check(*args)))
    carol = team("carol", init=False)
    assert first_command(carol) == alone
    assert joined and not looked_up
    linked = carol.sqlite("SELECT count(*) FROM memories WHERE goal_id IS NOT NULL OR task_id IS NOT NULL")
    assert linked[0][0] > 0  # the helper's records do link to goals or tasks: there was something to check


def packed_alice(team) -> Clone:
    """Alice's history with links and refusals, folded into packs, committed and pushed."""
    alice = alice_with_links_and_refusals(team)
    packed = alice.run("pack")  # (it warns of the secret in the hand-made note)
    assert packed.code == 0, str(packed)
    alice.commit("packed")
    alice.git("push", "-q")
    assert list((alice.root / ".imi" / "records" / "packs").glob("*.jsonl"))
    return alice


def test_a_load_that_looks_large_starts_its_helper_before_listing_the_files(team, monkeypatch):
    """Packs of many megabytes in an empty database: the helper starts first and lists the files itself
    while this process does; what the database holds is still the one-process load's."""
    packed_alice(team)
    alone = first_command(team("bob", init=False))
    started, joined = with_helper(monkeypatch)
    helpers_when_listed = []
    listing = importer._listing
    monkeypatch.setattr(importer, "_listing", lambda *args: (helpers_when_listed.append(len(started)), listing(*args))[1])
    assert first_command(team("carol", init=False)) == alone
    assert helpers_when_listed == [1] and started[0] is not None and joined == started


def test_a_helper_started_for_a_load_that_is_smaller_than_it_looked_is_stopped(team, monkeypatch):
    packed_alice(team)
    alone = first_command(team("bob", init=False))
    started, joined = with_helper(monkeypatch)
    monkeypatch.setattr(share, "likely", lambda store: True)
    monkeypatch.setattr(share, "MIN_LOAD", 10 ** 9)  # the listing finds too few versions to share
    carol = team("carol", init=False)
    assert first_command(carol) == alone
    assert len(started) == 1 and started[0].process.poll() is not None, "the helper still runs"
    assert not joined and not list((carol.root / ".imi").glob(".load-*.tmp"))


def test_a_helper_that_found_other_files_than_this_process_is_not_taken_in(team, monkeypatch):
    """The two processes list the files at the same time: when a file changed in between, the helper's
    names differ, its work is dropped and this process loads everything."""
    packed_alice(team)
    alone = first_command(team("bob", init=False))
    started, joined = with_helper(monkeypatch)
    expect = share.Helper.expect
    monkeypatch.setattr(share.Helper, "expect", lambda helper, new, names: expect(helper, new, names[1:]))
    carol = team("carol", init=False)
    assert first_command(carol) == alone
    assert started[0] is not None and not joined
    assert not list((carol.root / ".imi").glob(".load-*.tmp"))


def test_the_helper_takes_the_kinds_applied_last():
    # Its report entries are put after this process's: that is the one-process order only while its
    # kinds end importer.APPLY_ORDER.
    from imi_cli.memory.textsync import importer

    assert importer.APPLY_ORDER[-len(share.KINDS):] == share.KINDS
