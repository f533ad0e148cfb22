"""Loading a whole history at once (`imi rebuild`, a fresh clone's first command) takes the bulk road: rows
gathered and written per table, the search index filled once. It must give exactly what loading the
records one at a time gives, keep the gate on every record from git, and fall back when a row cannot
be stored."""

from __future__ import annotations

import json

from team_git import Clone, same_records

from imi_cli.memory import hlc
from imi_cli.memory.textsync import importer

MANY = 260  # more versions than importer._BULK: the bulk road


def alice_with_a_history(team) -> Clone:
    """Alice's memory, committed and pushed: every kind of record, file references, a task blocked by
    another, records archived and deleted."""
    alice = team("alice")
    alice.bulk(MANY, "year")
    alice.file("src/load.py", "def load():\n    pass\n")
    alice.new("decide", "gather the rows per table", "one statement each", "--files", "src/load.py:1-2")
    alice.new("lesson", "a trigger per row was slow", "--correct-behavior", "fill the index once",
              "--files", "src/load.py")
    goal = alice.new("goal", "Ship the importer")
    first = alice.new("task", goal, "Read every version")
    alice.new("task", goal, "Write the rows", "--blocked-by", first)
    doomed = alice.new("goal", "A goal that goes")
    alice.new("task", doomed, "Outlives its goal")
    alice.imi("delete", doomed, "--yes")
    alice.imi("archive", first)
    alice.commit("a history")
    alice.git("push", "-q")
    return alice


def one_at_a_time(monkeypatch) -> None:
    monkeypatch.setattr(importer, "_BULK", 10 ** 9)


def test_a_fresh_clone_and_a_rebuild_in_bulk_hold_what_one_record_at_a_time_gives(team, monkeypatch):
    alice = alice_with_a_history(team)
    bob = team("bob", init=False)
    first = bob.run("context")  # the first command builds the database from every version: in bulk
    assert first.code == 0 and "built .imi/state.db from the" in first.err, first
    same_records(alice, bob)
    bulk_snapshot = bob.snapshot()

    one_at_a_time(monkeypatch)
    bob.imi("rebuild")
    assert bob.snapshot() == bulk_snapshot

    monkeypatch.undo()
    bob.imi("rebuild")
    assert bob.snapshot() == bulk_snapshot
    from imi_cli.memory import redaction

    assert not redaction._FOUND, "a process that loaded in bulk (a server, say) still holds every text it gated"


def test_search_finds_loaded_records_and_new_ones_after_a_bulk_load(team):
    alice_with_a_history(team)
    bob = team("bob")
    found = bob.json("search", "importer")
    assert any("Ship the importer" in json.dumps(hit) for hit in found["results"]), found
    bob.new("decide", "keep the triggers after a bulk load", "search must see new records")
    assert bob.json("search", "triggers")["results"], "a record written after the load is not searchable"


def hand_made(clone: Clone, record_id: str, record: dict, kind: str = "note") -> None:
    """A version file as another tool (or a careless hand) would commit it."""
    folder = {"note": "notes", "task": "tasks"}[kind]
    stamp = hlc.format_stamp(1_700_000_000_000, 0, "handmd")
    payload = {"format": 1, "kind": kind, "id": record_id, "hlc": stamp, "base": None, "agent": "someone",
               "deleted": False, "record": {"id": record_id, **record}}
    path = clone.root / ".imi" / "records" / folder / f"{record_id}.{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def test_the_gate_cleans_every_record_a_bulk_load_takes_in(team):
    alice = alice_with_a_history(team)
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    hand_made(alice, "handnote01", {"content": f"deploy with {token}\x1b[31m", "created_at": 1})
    alice.commit("a pasted token")
    alice.git("push", "-q")
    bob = team("bob", init=False)
    assert bob.run("context").code == 0
    (content,) = bob.sqlite("SELECT content FROM direction_notes WHERE id = 'handnote01'")[0]
    assert token not in content and "[REDACTED:github-token]" in content and "\x1b" not in content


def test_a_row_the_database_refuses_sends_the_load_one_record_at_a_time(team, monkeypatch):
    alice = alice_with_a_history(team)
    hand_made(alice, "badtask001", {"title": None, "description": "no title", "status": "todo"}, kind="task")
    hand_made(alice, "badnote001", {"content": "fine", "created_at": "yesterday"})
    alice.commit("two broken files")
    alice.git("push", "-q")
    bob = team("bob", init=False)
    built = bob.sub("rebuild", "--force", "--json")
    assert built.code == 0, built
    report = json.loads(built.out)
    skipped = " ".join(report["skipped_files"])
    assert "badtask001" in skipped and "badnote001" in skipped, report
    assert bob.sqlite("SELECT count(*) FROM tasks WHERE id = 'badtask001'") == [(0,)]
    bulk_snapshot = bob.snapshot()
    one_at_a_time(monkeypatch)
    bob.run("rebuild", "--force")
    assert bob.snapshot() == bulk_snapshot


def test_a_fresh_clone_of_packed_memory_loads_what_the_packs_hold(team):
    alice = alice_with_a_history(team)
    alice.imi("pack")
    alice.commit("packed")
    alice.git("push", "-q")
    assert list((alice.root / ".imi" / "records" / "packs").glob("*.jsonl"))
    bob = team("bob", init=False)
    assert bob.run("context").code == 0
    same_records(alice, bob)


def test_a_rebuild_refuses_a_row_naming_a_missing_parent_though_it_checks_keys_only_at_the_end(team):
    # `imi rebuild` stores rows with SQLite's row-by-row key checks off (a delete of every row costs one
    # truncation then) and checks every key before it commits: a broken link still rolls it all back.
    import apsw
    import pytest

    from imi_cli.memory.opening import open_store
    from imi_cli.memory.textsync import bulk

    alice = alice_with_a_history(team)
    store = open_store(alice.db)
    before = alice.snapshot()
    with pytest.raises(apsw.ConstraintError, match="row .* names a missing goals row"):
        with bulk.foreign_keys_checked_at_end(store), store.write():
            store.execute("DELETE FROM goals")
            bulk.check_foreign_keys(store)
    assert store.scalar("PRAGMA foreign_keys") == 1
    store.close()
    assert alice.snapshot() == before


def test_a_long_lived_process_enforces_foreign_keys_again_after_a_rebuild(team):
    # The language server and the MCP server keep one connection: a rebuild must not leave it unchecked.
    from pathlib import Path

    from imi_cli.memory.api import Project

    alice = alice_with_a_history(team)
    with Project.open(Path(alice.db)) as project:
        report = project.rebuild()
        assert report.records > MANY
        store = project._store
        assert store.scalar("PRAGMA foreign_keys") == 1
        goal = store.scalar("SELECT goal_id FROM tasks WHERE goal_id IS NOT NULL LIMIT 1")
        with store.write():
            store.execute("DELETE FROM goals WHERE id = ?", (goal,))
            assert store.scalar("SELECT count(*) FROM tasks WHERE goal_id = ?", (goal,)) == 0  # ON DELETE SET NULL


def test_a_rebuild_empties_the_search_index_and_fills_it_again_once(team):
    alice = alice_with_a_history(team)
    indexed = alice.sqlite("SELECT count(*) FROM search_index")
    alice.imi("rebuild")
    assert alice.sqlite("SELECT count(*) FROM search_index") == indexed  # no entry twice, none left over
    found = alice.json("search", "importer")
    assert any("Ship the importer" in json.dumps(hit) for hit in found["results"]), found
    alice.new("decide", "search after a rebuild", "the triggers are back")
    assert alice.json("search", "triggers")["results"], "a record written after the rebuild is not searchable"
