"""Opening a `.imi/state.db` written by IMI 0.3.20 (Rust): migrated in place, nothing lost.

The fixture in tests/fixtures/imi-0.3.20/ is a real database written by the released
binary (see its README). The expected values are read from the untouched fixture
with the standard library's sqlite3, so the test compares against the source itself.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from imi_cli.memory.store.migrations import SCHEMA_VERSION
from imi_testing import IMI, assert_clean_failure

FIXTURE = Path(__file__).parent / "fixtures" / "imi-0.3.20"
TEXT_COLUMNS = {
    "goals": ("name", "description", "why", "for_who", "success_signal"),
    "tasks": ("title", "description", "why", "acceptance_criteria", "summary"),
    "decisions": ("what", "why", "affects"),
    "lessons": ("what_went_wrong", "correct_behavior", "verified_by"),
    "direction_notes": ("content",),
    "memories": ("key", "value"),
}
JSON_FIELDS = {  # table column -> field of the record in `imi show --json`
    "goals": {"name": "name", "description": "description", "why": "why", "for_who": "for_who",
              "success_signal": "success_signal"},
    "tasks": {"title": "title", "description": "description", "why": "why",
              "acceptance_criteria": "acceptance_criteria", "summary": "summary"},
    "decisions": {"what": "what", "why": "why", "affects": "affects"},
    "lessons": {"what_went_wrong": "text", "correct_behavior": "correct_behavior", "verified_by": "verified_by"},
    "direction_notes": {"content": "content"},
    "memories": {"key": "key", "value": "value"},
}
GRAPHQL = "mwunl1jm3vzb35yf"
REFRESH_DECISION = "mwunl1ji0zjjj2zs"
UNICODE_NOTE = "mwunl1jzt8v70yjj"


def original_rows() -> dict[str, dict[str, dict]]:
    """Every row of the untouched fixture, by table and id."""
    conn = sqlite3.connect(f"file:{FIXTURE / 'state.db'}?mode=ro&immutable=1", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return {table: {row["id"]: dict(row) for row in conn.execute(f"SELECT * FROM {table}")}
                for table in (*TEXT_COLUMNS, "events", "workspaces")}
    finally:
        conn.close()


@pytest.fixture
def imi_project(bare):
    """A workspace whose .imi/state.db is a copy of IMI 0.3.20's database."""
    bare.db.parent.mkdir()
    shutil.copyfile(FIXTURE / "state.db", bare.db)
    return bare


def test_the_fixture_is_what_the_readme_says():
    rows = original_rows()
    assert [len(rows[t]) for t in ("goals", "tasks", "decisions", "lessons", "direction_notes", "memories")] == [
        2, 3, 2, 2, 2, 8]
    conn = sqlite3.connect(f"file:{FIXTURE / 'state.db'}?mode=ro&immutable=1", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def test_every_record_survives_with_its_text(imi_project):
    rows = original_rows()
    for table, by_id in rows.items():
        if table not in JSON_FIELDS:
            continue
        for record_id, row in by_id.items():
            shown = imi_project.json("show", record_id)
            assert shown["id"] == record_id
            for column, field in JSON_FIELDS[table].items():
                expected = row[column]
                if expected in (None, "") and shown[field] in (None, ""):
                    continue
                assert shown[field] == expected, (table, record_id, column)
    # the rows IMI logged for itself are kept too
    assert imi_project.sql("SELECT count(*) FROM events")[0][0] == len(rows["events"])
    assert imi_project.sql("SELECT count(*) FROM workspaces")[0][0] == len(rows["workspaces"])
    assert dict(imi_project.sql("SELECT key, value FROM settings"))["install_id"] == "iid_mwunl16882q1c6k5"


def test_schema_version_is_set_and_timestamps_are_milliseconds(imi_project):
    rows = original_rows()
    imi_project.ok("status")
    assert imi_project.sql("PRAGMA user_version")[0][0] == SCHEMA_VERSION >= 1
    for table, columns in (("goals", ("created_at", "updated_at", "completed_at")),
                           ("tasks", ("created_at", "updated_at", "completed_at", "last_ping_at")),
                           ("memories", ("created_at",)), ("lessons", ("created_at",)),
                           ("decisions", ("created_at",)), ("direction_notes", ("created_at",)),
                           ("events", ("created_at",))):
        for record_id, row in rows[table].items():
            now = imi_project.sql(f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?", (record_id,))[0]
            for column, value in zip(columns, now):
                before = row[column]
                assert value == (None if before is None else int(before) * 1000), (table, record_id, column)
    task = imi_project.json("show", "mwunl1bid0h3vamr")
    seconds = rows["tasks"]["mwunl1bid0h3vamr"]["completed_at"]
    assert task["completed_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def test_context_files_the_graphql_kill_and_keeps_the_rest(imi_project):
    text = imi_project.ok("context").out
    killed = text.split("## What was killed and why\n", 1)[1].split("\n## ", 1)[0]
    decisions = text.split("## Decisions\n", 1)[1].split("\n## ", 1)[0]
    assert "drop the GraphQL gateway" in killed and GRAPHQL in killed
    assert "keep token refresh logic" not in killed  # IMI 0.3.20 put it here because its text says "not"
    assert "keep token refresh logic in src/auth/refresh.ts, not middleware" in decisions
    assert "GraphQL" not in decisions
    # IMI 0.3.20 showed the two oldest notes as the vision; they are direction notes
    vision = text.split("## Product Vision\n", 1)[1].split("\n## ", 1)[0]
    assert "Ünïcödé" not in vision and "rate limiter" not in vision

    notes = text.split("## Direction notes (last 7 days)\n", 1)[1].split("\n## ", 1)[0]
    written = original_rows()["direction_notes"][UNICODE_NOTE]["created_at"]
    if time.time() - written < 7 * 86400:  # direction notes show for a week after they were written
        assert "Ünïcödé note: café — naïve résumé 日本語" in notes
    assert imi_project.json("show", UNICODE_NOTE)["content"] == "Ünïcödé note: café — naïve résumé 日本語"
    assert [h["id"] for h in imi_project.json("search", "résumé")["results"]] == [UNICODE_NOTE]
    assert [h["id"] for h in imi_project.json("search", "日本語")["results"]] == [UNICODE_NOTE]


def test_work_in_progress_checkpoint_and_completion_are_visible(imi_project):
    text = imi_project.ok("context").out
    in_progress = text.split("## In progress\n", 1)[1].split("\n## ", 1)[0]
    assert "Handle concurrent refresh" in in_progress and "@cursor-2" in in_progress
    assert "last checkpoint: half done: mutex added, tests pending" in in_progress
    prior = text.split("## Prior work (recent completions)\n", 1)[1]
    assert "Refresh tokens before expiry" in prior and "by claude-1" in prior
    assert "watch the race at line 47" in prior
    assert "interpretation: refresh is proactive" in prior and "uncertainty: clock skew" in prior

    check = imi_project.json("check", "mwunl1bid0h3vamr")
    assert (check["state"], check["uncertainty"], check["interpretation"]) == (
        "needs-review", "clock skew", "refresh is proactive")
    memories = imi_project.json("memory", "list", "mwunl193isbm0x09")["memories"]
    assert [(m["key"], m["value"]) for m in memories] == [("stripe-api-version", "2024-06-20")]


def test_the_plan_matches_what_imi_printed(imi_project):
    import json

    imi = json.loads((FIXTURE / "plan.json").read_text())
    ours = imi_project.json("plan")
    assert {k: v for k, v in ours["counts"].items() if k in imi["counts"]} == imi["counts"]
    for theirs, mine in zip(imi["goals"], ours["goals"], strict=True):
        for key in ("id", "name", "priority", "status", "total_tasks", "done_tasks"):
            assert mine[key] == theirs[key], key
        assert [{k: t[k] for k in ("id", "title", "priority", "status", "agent_id")} for t in mine["tasks"]] == \
            theirs["tasks"]


def test_imis_relevant_files_become_file_references(imi_project):
    goal = imi_project.json("show", "mwunl16kcuricl1y")
    assert [f["path"] for f in goal["files"]] == ["src/auth/refresh.ts", "src/middleware.ts"]
    task = imi_project.json("show", "mwunl1dz9gvadvh4")
    assert [f["path"] for f in task["files"]] == ["src/auth/refresh.ts"]
    naming = imi_project.json("context", "--file", "src/auth/refresh.ts")
    found = {r["id"] for s in naming["sections"] for r in s["records"]}
    assert {"mwunl16kcuricl1y", "mwunl1dz9gvadvh4", "mwunl1bid0h3vamr"} <= found


def test_the_migrated_database_keeps_working(imi_project):
    env = {"IMI_AGENT_ID": "claude-1"}
    imi_project.ok("start", "mwunl1gfkjv2zzwh", env=env)
    imi_project.ok("complete", "mwunl1gfkjv2zzwh", "metered per org", env=env)
    imi_project.new("decide", "new decision", "after the upgrade")
    assert imi_project.json("show", "mwunl193isbm0x09")["status"] == "done"
    refused = imi_project.fail("complete", "mwunl1dz9gvadvh4", "not mine", env=env)
    assert "cursor-2" in refused.err
    imi_project.ok("init")  # the first init also writes the records to .imi/records/
    before = imi_project.checksum()
    imi_project.ok("init")  # opening it again migrates and writes nothing twice
    assert imi_project.checksum() == before


def test_concurrent_first_opens_migrate_once(imi_project):
    procs = [subprocess.Popen([*IMI, "status", "--json"], cwd=imi_project.root, env=imi_project.process_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    try:
        results = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert all(p.returncode == 0 for p in procs), results
    created = imi_project.sql("SELECT created_at FROM goals WHERE id = 'mwunl16kcuricl1y'")[0][0]
    assert created == original_rows()["goals"]["mwunl16kcuricl1y"]["created_at"] * 1000


def test_a_newer_schema_is_refused_and_left_unchanged(imi_project):
    conn = sqlite3.connect(imi_project.db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(imi_project.db.read_bytes()).hexdigest()
    for command in (["status"], ["context"], ["goal", "g"], ["init"]):
        result = imi_project.run(*command)
        assert_clean_failure(result)
        assert "newer" in result.err and "upgrade imi" in result.err
    process = imi_project.sub("context")
    assert_clean_failure(process)
    assert hashlib.sha256(imi_project.db.read_bytes()).hexdigest() == digest
    assert imi_project.sql("PRAGMA user_version")[0][0] == SCHEMA_VERSION + 5


def test_the_version_every_opening_checks_counts_the_migrations():
    """Openings compare with store.version.SCHEMA_VERSION without loading the migrations' SQL."""
    from imi_cli.memory.store import version

    assert version.SCHEMA_VERSION == SCHEMA_VERSION
