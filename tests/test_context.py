"""`imi context`: the seed's sections in order, the character budget, what was left out, goal scope."""

from __future__ import annotations

import re

import pytest

from imi_cli.memory import recording
from imi_cli.memory.opening import open_store
from imi_cli.memory.store import writes

SECTION_ORDER = [
    "Product Vision",
    "What was killed and why",
    "Direction notes (last 7 days)",
    "Decisions",
    "Verified Lessons",
    "Active goals",
    "In progress",
    "Prior work (recent completions)",
]


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)


def section_text(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_sections_in_the_seeds_order_on_an_empty_project(project):
    text = project.ok("context").out
    assert text.startswith("# IMI context")
    assert headings(text) == SECTION_ORDER
    assert "imi vision" in section_text(text, "Product Vision")
    assert "Left out" not in text


def test_sections_in_order_with_every_kind_of_record(project):
    A1 = {"IMI_AGENT_ID": "agent-1"}
    project.ok("vision", "memory for agents that lives in the repository")
    project.ok("kill", "GraphQL gateway", "not worth the ops cost")
    project.ok("log", "editor support first")
    project.ok("decide", "apsw over sqlite3", "explicit transactions")
    project.ok("lesson", "forgot migrations", "--correct-behavior", "run make migrate first", "--verified-by", "ci")
    goal = project.new("goal", "Auth", "", "high", "users churn", "", "zero forced logouts")
    wip = project.new("task", goal, "Handle concurrent refresh")
    done = project.new("task", goal, "Refresh before expiry")
    todo = project.new("task", goal, "Meter calls")
    project.ok("start", wip, env=A1)
    project.ok("checkpoint", wip, "mutex added", env=A1)
    project.ok("start", done, env=A1)
    project.ok("complete", done, "refresh 60 s early", "--interpretation", "proactive", env=A1)

    text = project.ok("context").out
    assert headings(text) == SECTION_ORDER
    assert "memory for agents that lives in the repository" in section_text(text, "Product Vision")
    assert "GraphQL gateway" in section_text(text, "What was killed and why")
    assert "GraphQL" not in section_text(text, "Decisions")
    assert "editor support first" in section_text(text, "Direction notes (last 7 days)")
    assert "apsw over sqlite3" in section_text(text, "Decisions")
    lessons = section_text(text, "Verified Lessons")
    assert "forgot migrations" in lessons and "run make migrate first" in lessons and "ci" in lessons
    goals = section_text(text, "Active goals")
    assert goal in goals and wip in goals and todo in goals and "success: zero forced logouts" in goals
    in_progress = section_text(text, "In progress")
    assert wip in in_progress and "@agent-1" in in_progress and "mutex added" in in_progress
    prior = section_text(text, "Prior work (recent completions)")
    assert done in prior and "refresh 60 s early" in prior and "interpretation: proactive" in prior

    data = project.json("context")
    assert [s["title"] for s in data["sections"]] == SECTION_ORDER
    assert data["text"] == text


def test_direction_notes_older_than_seven_days_are_left_out(project):
    old = project.new("log", "an old direction")
    project.sql("UPDATE direction_notes SET created_at = created_at - 8 * 86400000 WHERE id = ?", (old,))
    project.ok("log", "a fresh direction")
    notes = section_text(project.ok("context").out, "Direction notes (last 7 days)")
    assert "a fresh direction" in notes and "an old direction" not in notes


def _big_project(project, *, scale: int = 1) -> dict:
    """Far more memory than 10,000 characters, written straight through the data layer (fast)."""
    store = open_store(project.db)
    prov = recording.provenance(store)
    filler = "because the measurements on the staging cluster showed it, twice, under load " * 3
    ids: dict[str, list[str]] = {"goals": [], "wip": [], "lessons": [], "decisions": []}
    try:
        with store.write():
            writes.add_note(store, prov, content="the product vision " + filler, kind="vision", refs=[])
            for i in range(40 * scale):
                ids["decisions"].append(writes.add_decision(store, prov, what=f"decision number {i}", why=filler,
                                                            affects=None, kind="decision", refs=[]))
                writes.add_decision(store, prov, what=f"killed feature {i}", why=filler, affects=None,
                                    kind="killed", refs=[])
                ids["lessons"].append(writes.add_lesson(store, prov, text=f"lesson number {i}",
                                                        correct_behavior=filler, verified_by="human", refs=[]))
                writes.add_note(store, prov, content=f"direction {i} " + filler, kind="note", refs=[])
            for g in range(15 * scale):
                goal = writes.add_goal(store, prov, name=f"goal number {g}", description="", priority="medium",
                                       why=filler, for_who=None, success_signal=None, refs=[])
                ids["goals"].append(goal)
                for t in range(8):
                    task = writes.add_task(store, prov, goal_id=goal, title=f"task {g}.{t}", description="",
                                           priority="medium", why=None, context=None, acceptance_criteria=None,
                                           tools=[], blocked_by=[], refs=[])
                    if t == 0:
                        ids["wip"].append(task)
                        store.execute("UPDATE tasks SET status = 'in_progress', agent_id = 'a', claimed_at = ?, "
                                      "last_ping_at = ? WHERE id = ?", (prov.at, prov.at, task))
                    elif t == 1:
                        store.execute("UPDATE tasks SET status = 'done', agent_id = 'a', summary = ?, "
                                      "completed_at = ? WHERE id = ?", (f"did {g} " + filler, prov.at, task))
    finally:
        store.close()
    return ids


def test_default_budget_of_10000_characters_on_a_big_project(project):
    ids = _big_project(project)
    text = project.ok("context").out
    assert len(text) <= 10_000
    assert len(text) > 8_000  # the budget is used, not wasted
    assert headings(text) == SECTION_ORDER
    # what an agent must not miss makes it in: work in progress and lessons
    assert any(t in section_text(text, "In progress") for t in ids["wip"])
    assert any(lesson in section_text(text, "Verified Lessons") for lesson in ids["lessons"])

    last = text.rstrip("\n").splitlines()[-1]
    assert last.startswith("Left out (10000 character budget): ")
    for words in ("decisions", "lessons", "goals", "in progress"):
        assert re.search(rf"\d+ {words}\b", last), (words, last)
    assert "imi search" in last and "imi plan" in last and "imi status" in last and "imi show ID" in last

    data = project.json("context")
    assert data["budget"] == 10_000
    assert data["omitted"]["decisions"] == 40 - len(data["sections"][3]["records"])
    assert sum(data["omitted"].values()) > 0
    for section in data["sections"]:
        assert section["shown"] + section["omitted"] == section["total"]
        assert len(section["records"]) == section["shown"]


@pytest.mark.parametrize("budget", [500, 2000, 4000, 25_000])
def test_budget_option(project, budget):
    _big_project(project)
    text = project.ok("context", "--budget", str(budget)).out
    assert len(text) <= budget
    assert headings(text) == SECTION_ORDER
    assert text.rstrip("\n").splitlines()[-1].startswith(f"Left out ({budget} character budget)")


def test_a_large_budget_leaves_nothing_out(project):
    _big_project(project)
    text = project.ok("context", "--budget", "1000000").out
    assert "Left out" not in text
    assert project.json("context", "--budget", "1000000")["omitted"] == {}
    assert len(re.findall(r"decision number \d+", text)) == 40


def test_each_section_shows_its_newest_records_in_order_whatever_the_budget(project):
    """Sections read and prepare their records in growing batches as the budget reaches them: whatever
    the budget, a section shows a prefix of its records in order, none skipped or repeated, and the
    count of what was left out covers the rest."""
    import apsw

    _big_project(project, scale=2)
    db = apsw.Connection(str(project.db))
    expected = {
        "decisions": [r[0] for r in db.execute("SELECT id FROM decisions WHERE archived_at IS NULL AND "
                                               "kind = 'decision' ORDER BY created_at DESC")],
        "in_progress": sorted(r[0] for r in db.execute("SELECT id FROM tasks WHERE status = 'in_progress'")),
        "goals": sorted(r[0] for r in db.execute("SELECT id FROM goals")),
    }
    db.close()
    for budget in (1_500, 7_000, 16_000, 40_000, 1_000_000):
        sections = {s["key"]: s for s in project.json("context", "--budget", str(budget))["sections"]}
        shown = [r["id"] for r in sections["decisions"]["records"]]
        assert shown == expected["decisions"][:len(shown)], budget
        assert sections["decisions"]["omitted"] == len(expected["decisions"]) - len(shown)
        for key in ("in_progress", "goals"):
            ids = [r["id"] for r in sections[key]["records"]]
            assert len(set(ids)) == len(ids) and set(ids) <= set(expected[key]), (key, budget)
            assert sections[key]["shown"] + sections[key]["omitted"] == len(expected[key])
    assert len(shown) == len(expected["decisions"]) == 80  # the largest budget shows every one


def test_invalid_budget_is_a_usage_error(project):
    for bad in ("499", "0", "-5", "lots", "1e4"):
        project.fail("context", "--budget", bad, code=2)


def test_context_for_one_goal(project):
    A1 = {"IMI_AGENT_ID": "agent-1"}
    auth = project.new("goal", "Auth")
    billing = project.new("goal", "Billing")
    auth_task = project.new("task", auth, "auth task")
    billing_task = project.new("task", billing, "billing task")
    project.ok("start", billing_task, env=A1)
    project.ok("decide", "shared decision", "applies to all")

    text = project.ok("context", auth[:12]).out
    assert text.startswith(f"# IMI context for goal {auth}")
    assert auth_task in text and billing not in text and billing_task not in text
    assert "shared decision" in text
    project.fail("context", "nosuchgoal")
    project.fail("context", auth_task)  # a task id is not a goal


def test_a_goal_lists_its_first_open_tasks_in_progress_first_then_by_priority_then_age(project):
    goal = project.new("goal", "Ship it")
    made = {name: project.new("task", goal, name, "", priority)
            for name, priority in [("old low", "low"), ("old medium", "medium"), ("critical one", "critical"),
                                   ("new medium", "medium"), ("high one", "high"), ("newest low", "low"),
                                   ("done high", "high"), ("claimed low", "low"), ("last low", "low")]}
    project.ok("start", made["done high"])
    project.ok("complete", made["done high"], "finished")
    project.ok("start", made["claimed low"])
    goals = section_text(project.ok("context").out, "Active goals")
    shown = [name for name in made if made[name] in goals]
    order = sorted(shown, key=lambda name: goals.index(made[name]))
    assert order == ["claimed low", "critical one", "high one", "old medium", "new medium", "old low"]


def test_the_budget_holds_in_a_folder_with_a_very_long_name(tmp_path, clean_env):
    from imi_testing import Project

    root = tmp_path / ("w" * 200)
    root.mkdir()
    long_named = Project(root, clean_env)
    long_named.ok("init")
    _big_project(long_named)
    for budget in (500, 800, 1500):
        text = long_named.ok("context", "--budget", str(budget)).out
        assert len(text) <= budget, budget
        assert text.rstrip("\n").splitlines()[-1].startswith(f"Left out ({budget} character budget)")


def test_context_file_respects_its_budget(project):
    project.file("src/a.py")
    for i in range(15):
        project.ok("lesson", f"lesson {i} " + "detail " * 60, "--correct-behavior", "do " * 60, "--files", "src/a.py")
        project.ok("decide", f"decision {i} " + "detail " * 60, "why", "--files", "src/*.py")
    for budget in (500, 2000, 5000):
        text = project.ok("context", "--file", "src/a.py", "--budget", str(budget)).out
        assert len(text) <= budget
        assert text.rstrip("\n").splitlines()[-1].startswith(f"Left out ({budget} character budget)")
    deep = "d/" * 1000 + "a.py"
    assert len(project.ok("context", "--file", deep, "--budget", "500").out) <= 500
