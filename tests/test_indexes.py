"""The queries behind `imi context` and the agent hooks read indexes, never whole tables of records:
what keeps them as fast with a year of memory (100k records) as with a thousand (issue 20).

Checked through SQLite's own query plans for every statement the calls run, on a project that has
records of every kind, checkpoints, completions and glob references."""

from __future__ import annotations

import pytest

from imi_cli.memory import Project

GROWING = ("memories", "refs", "tasks", "text_versions", "decisions", "lessons", "direction_notes")


@pytest.fixture
def filled(project):
    (project.root / "src").mkdir()
    (project.root / "src" / "parse.py").write_text("def parse():\n    pass\n")
    goal = project.new("goal", "Ship the parser")
    tasks = []
    for n in range(3):
        tasks.append(project.new("task", goal, f"Parse block {n}"))
        project.ok("start", tasks[-1])
        project.ok("checkpoint", tasks[-1], f"halfway through block {n} in src/parse.py")
    for task in tasks[1:]:  # (two completions: SQLite plans a batch of tasks otherwise than one)
        project.ok("complete", task, "done: src/parse.py handles it")
    project.new("decide", "Use a hand-written lexer", "speed", "--files", "src/*.py")
    project.new("lesson", "Globs in lessons", "--correct-behavior", "test them", "--files", "src/**")
    project.new("log", "Keep the parser small")
    return project


def _statements(project, call) -> list[str]:
    seen: list[str] = []
    with Project.open(project.db) as opened:
        opened._store.conn.set_profile(lambda statement, _ns: seen.append(statement))
        call(opened)
        opened._store.conn.set_profile(None)
        return [s for s in dict.fromkeys(seen)]


def _full_scans(project, statements) -> list[str]:
    bad = []
    with Project.open(project.db) as opened:
        conn = opened._store.conn
        for statement in statements:
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, (None,) * statement.count("?"))]
            bad += [f"{step}: {statement[:90]}" for step in plan
                    if step.startswith("SCAN") and step.split()[1] in GROWING and "USING" not in step]
            if "= lower(n." in statement and not any("(<expr>=?" in step for step in plan):  # a duplicate: by index
                bad.append(f"every live row read for its text: {statement[:90]}")
            if "PARTITION BY goal_id" in statement:  # a goal's first open tasks: in the index's order, unsorted
                bad += [f"{step}: {statement[:90]}" for step in plan if "FOR LAST" in step]
                if not any("tasks_open_order_idx" in step for step in plan):
                    bad.append(f"open tasks not read from their ordered index: {plan}")
            if " task_id IN (" in statement:  # a batch of tasks' memories: by task, not every one of a type
                bad += [f"{step}: {statement[:90]}" for step in plan
                        if step.startswith("SEARCH memories") and "task_id=?" not in step]
            if "FROM memories WHERE task_id = ?" in statement:  # found by task, newest first, without a sort
                bad += [f"{step}: {statement[:90]}" for step in plan
                        if "TEMP B-TREE" in step or (step.startswith("SEARCH memories") and "task_id=?" not in step)]
    return bad


@pytest.mark.parametrize("call", [
    lambda p: p.context(),
    lambda p: p.file_memory("src/parse.py"),
    lambda p: [p.memories(task_id=t.id, types=("checkpoint",), limit=1) for t in p.tasks(status="in_progress")],
    lambda p: p.decide("Use a hand-written lexer", "again", files=["src/parse.py:1-2"]),
    lambda p: p.add_lesson("Globs in lessons", "test them", files=["src/parse.py#parse"]),
], ids=["context (session hook)", "file memory (pre-edit hook)", "held tasks' checkpoints (stop hook)",
        "decide (duplicates, same code)", "lesson (duplicates, same code)"])
def test_hot_queries_never_scan_a_growing_table(filled, call):
    statements = _statements(filled, call)
    assert statements
    assert _full_scans(filled, statements) == []


def test_context_counts_and_sections_read_indexes_of_live_rows_only(filled):
    """The "N left out" counts and the section lists of the session context read partial indexes that
    hold only live rows: archived records and unrelated kinds pile up without being looked at."""
    statements = _statements(filled, lambda p: p.context())
    with Project.open(filled.db) as opened:
        conn = opened._store.conn
        partial = {name for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
                   if sql and "WHERE archived_at IS NULL" in sql}
        missed = []
        for statement in statements:
            if "archived_at IS NULL" not in statement or "FROM (" in statement:
                continue
            table = statement.split(" FROM ")[1].split()[0]
            if table not in ("decisions", "lessons", "direction_notes", "tasks") or " id = ?" in statement:
                continue
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, (None,) * statement.count("?"))]
            used = [step.split(" INDEX ")[1].split()[0] for step in plan if " INDEX " in step]
            if not any(name in partial for name in used):
                missed.append(f"{plan}: {statement[:100]}")
    assert missed == []


def test_the_context_counts_lessons_from_the_index_of_their_kind_even_with_statistics(filled):
    """Counting verified and unverified lessons reads the partial index of each (its entries are the
    count), not every live lesson's row, also in a database that has planner statistics (`ANALYZE`, as
    IMI 0.3 and other SQLite tools may have run), where SQLite preferred the index of lessons' text."""
    with Project.open(filled.db) as opened:
        opened._store.conn.execute("ANALYZE")
    statements = _statements(filled, lambda p: p.context())
    totals = [s for s in statements if s.startswith("SELECT (SELECT count(*)")]
    assert len(totals) == 1
    with Project.open(filled.db) as opened:
        plan = [row[3] for row in opened._store.conn.execute("EXPLAIN QUERY PLAN " + totals[0],
                                                             (None,) * totals[0].count("?"))]
    lessons = [step for step in plan if " lessons " in f" {step} "]
    assert sorted(step.split(" INDEX ")[1].split()[0] for step in lessons) == [
        "lessons_live_unverified_idx", "lessons_live_verified_idx"], plan

