"""Contradictions and duplicates are reported at write time; `--supersedes` keeps only the newest of a chain."""

from __future__ import annotations

import pytest

from imi_testing import Project


@pytest.fixture
def code(project: Project) -> Project:
    project.file("src/db.py", "".join(f"line {n}\n" for n in range(1, 41)))
    project.file("src/other.py", "x = 1\n")
    return project


def decide(project: Project, *args, **kw):
    """(id, the notices on stderr) of a new decision."""
    result = project.run("decide", *args, "--json", **kw)
    assert result.code == 0, str(result)
    return result.json()["id"], result.json()["related"], result.err


def test_a_decision_about_the_same_lines_is_reported_with_both_ids_and_the_command(code):
    old, _, _ = decide(code, "use WAL mode", "readers never block", "--files", "src/db.py:10-20")
    new, related, err = decide(code, "use the rollback journal", "simpler backups", "--files", "src/db.py:15-30")
    assert related == [{"kind": "decision", "id": old, "relation": "same code", "where": "src/db.py:10-20"}]
    assert f"decision {new} and decision {old} both name src/db.py:10-20" in err
    assert f"`imi archive {old} --by {new}`" in err
    assert code.sql("SELECT count(*) FROM decisions WHERE archived_at IS NULL") == [(2,)]  # reported, not refused


def test_records_about_other_lines_or_files_are_not_reported(code):
    decide(code, "use WAL mode", "readers never block", "--files", "src/db.py:10-20")
    _, related, err = decide(code, "cache the schema", "fewer reads", "--files", "src/db.py:25-30")
    assert related == [] and err == ""
    decide(code, "one module per job", "readable", "--files", "src/other.py")
    _, related, err = decide(code, "keep it short", "readable", "--files", "src/other.py")
    assert related == [] and err == ""  # the same whole file: many records may name it without disagreeing


def test_a_lesson_that_repeats_one_word_for_word_is_a_duplicate(code):
    first = code.new("lesson", "Retries hid the outage", "--correct-behavior", "fail fast")
    result = code.run("lesson", "retries hid the outage", "--correct-behavior", "fail fast on 5xx", "--json")
    assert result.code == 0
    second = result.json()["id"]
    assert result.json()["related"][0] == {"kind": "lesson", "id": first, "relation": "duplicate", "where": ""}
    assert f"lesson {second} repeats lesson {first} word for word" in result.err


def test_supersedes_shows_only_the_newest_of_a_chain_with_a_pointer_to_its_history(code):
    first, _, _ = decide(code, "store times in seconds", "IMI 0.3 did", "--files", "src/db.py")
    second, _, err = decide(code, "store times in milliseconds", "ordering", "--files", "src/db.py",
                            "--supersedes", first)
    assert err == ""  # the record it replaces is archived: no contradiction left to report
    third, _, _ = decide(code, "store times as HLC stamps", "merges", "--supersedes", second[:10])
    context = code.ok("context").out
    assert "store times as HLC stamps" in context
    assert "milliseconds" not in context and "in seconds" not in context
    assert f"replaces {second} (`imi show {third}` for the history)" in context
    assert "store times in milliseconds" not in code.ok("context", "--file", "src/db.py").out
    shown = code.json("show", third)
    assert shown["replaces"] == [{"kind": "decision", "id": second}, {"kind": "decision", "id": first}]
    code.ok("rebuild")  # the link travels in .imi/records
    assert code.json("show", third)["replaces"][0]["id"] == second


def test_archive_by_links_an_existing_pair(code):
    old, _, _ = decide(code, "use WAL mode", "readers never block", "--files", "src/db.py:10-20")
    new, _, _ = decide(code, "use WAL2 mode", "faster", "--files", "src/db.py:10-20")
    code.ok("archive", old, "--by", new)
    assert code.json("show", new)["supersedes"] == old
    assert "use WAL mode\n" not in code.ok("context").out


def test_bad_supersedes_changes_nothing(code):
    old, _, _ = decide(code, "use WAL mode", "readers never block")
    code.fail("decide", "x", "y", "--supersedes", "nosuchid")
    code.ok("archive", old)
    code.fail("decide", "x", "y", "--supersedes", old)  # archived already
    goal = code.new("goal", "g")
    code.fail("decide", "x", "y", "--supersedes", goal)  # a goal is not replaced by a decision


def test_superseding_from_a_stale_anchor_links_the_chain_so_context_shows_only_the_newest(code):
    """The editors' "Supersede…" fix (`Project.supersede`, what `imi.supersede` calls) sets the same link
    as `--supersedes`: the old records leave context and the newest points to its history."""
    from imi_cli.memory import Project as Memory
    from imi_testing import patched_env

    lesson = code.new("lesson", "the pool dropped the token", "--correct-behavior", "refresh per request",
                      "--files", "src/db.py:3-5")
    with patched_env(code.env), Memory.open(code.db) as memory:
        second = memory.supersede("lesson", lesson, "refresh is forced by the pool", "the pool owns the token")
        third = memory.supersede("decision", second, "the token lives in the session", "one place")
    shown = code.json("show", third)
    assert shown["supersedes"] == second
    assert shown["replaces"] == [{"kind": "decision", "id": second}, {"kind": "lesson", "id": lesson}]
    context = code.ok("context").out
    assert "the token lives in the session" in context
    assert "refresh is forced by the pool" not in context and "the pool dropped the token" not in context
    assert f"replaces {second} (`imi show {third}` for the history)" in context
    code.ok("rebuild")  # the link travels in .imi/records
    assert code.json("show", third)["supersedes"] == second
