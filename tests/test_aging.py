"""Aging: memory neither used nor verified for the aging time is marked in context and listed by
`imi think`; using or verifying it renews it; nothing is deleted."""

from __future__ import annotations

import pytest

from imi_testing import Project

DAY_MS = 86_400_000
MARK = "aging: not used or verified for"


@pytest.fixture
def old_lesson(project: Project) -> str:
    """A lesson written 120 days ago and never shown since."""
    project.file("src/http.py")
    lesson = project.new("lesson", "retries hid the outage", "--correct-behavior", "fail fast",
                         "--verified-by", "alice", "--files", "src/http.py")
    project.sql("UPDATE lessons SET created_at = created_at - 120 * ? WHERE id = ?", (DAY_MS, lesson))
    return lesson


def thinks_aging(project: Project) -> list[str]:
    [signal] = [s for s in project.json("think")["signals"] if s["key"] == "aging"]
    return [item["id"] for item in signal["items"]]


def test_old_unused_memory_is_marked_and_listed_then_renewed_by_use(project, old_lesson):
    assert thinks_aging(project) == [old_lesson]
    first = project.ok("context").out
    assert f"{MARK} 120 days" in first and f"`imi verify {old_lesson}`" in first
    assert thinks_aging(project) == []  # shown to an agent: renewed
    assert MARK not in project.ok("context").out
    assert project.sql("SELECT count(*) FROM lessons") == [(1,)]  # nothing deleted


def test_the_file_memory_hooks_and_mcp_read_renews_too(project, old_lesson):
    assert MARK in project.ok("context", "--file", "src/http.py").out
    assert thinks_aging(project) == []


def test_a_person_reading_it_in_full_renews_it(project, old_lesson):
    project.ok("show", old_lesson)
    assert thinks_aging(project) == []


def test_verifying_renews(project, old_lesson):
    project.ok("verify", old_lesson)
    assert thinks_aging(project) == []


def test_a_recent_use_keeps_old_memory_fresh(project, old_lesson):
    project.ok("context")
    project.sql("UPDATE record_usage SET used_at = used_at - 30 * ?", (DAY_MS,))
    assert thinks_aging(project) == []
    project.sql("UPDATE record_usage SET used_at = used_at - 70 * ?", (DAY_MS,))  # now 100 days ago
    assert thinks_aging(project) == [old_lesson]


def test_the_aging_time_is_a_validated_setting(project, old_lesson):
    assert thinks_aging(project) == [old_lesson]
    assert project.json("think", env={"IMI_AGING_DAYS": "200"})["signals"][0]["items"] == []
    project.sql("INSERT INTO settings(key, value) VALUES ('aging_days', '365')")
    assert thinks_aging(project) == []
    for bad in ("0", "ninety", "-5", "1e3"):
        result = project.fail("think", env={"IMI_AGING_DAYS": bad})
        assert "IMI_AGING_DAYS must be a whole number of days from 1 to 36500" in result.err


def test_stale_memory_is_flagged_by_default_or_withheld_by_the_setting(project):
    project.file("src/http.py", "def retry():\n    return 3\n\ndef other():\n    pass\n")
    lesson = project.new("lesson", "retries hid the outage", "--correct-behavior", "fail fast",
                         "--verified-by", "alice", "--files", "src/http.py#retry")
    project.file("src/http.py", "def retry():\n    return 30  # changed\n\ndef other():\n    pass\n")
    flagged = project.ok("context", "--file", "src/http.py").out
    assert "retries hid the outage" in flagged and "STALE" in flagged
    withheld = project.ok("context", "--file", "src/http.py", env={"IMI_STALE_MEMORY": "withhold"}).out
    assert "retries hid the outage" not in withheld
    assert f"withheld: lesson {lesson} names code that changed" in withheld
    assert "retries hid the outage" not in project.ok("context", env={"IMI_STALE_MEMORY": "withhold"}).out
    result = project.fail("context", env={"IMI_STALE_MEMORY": "hide"})
    assert "IMI_STALE_MEMORY must be flag or withhold" in result.err


def test_showing_memory_made_today_writes_nothing(project, old_lesson):
    """A record's age counts from its creation: showing one made within the day needs no time of use,
    so `imi context` after `imi log` stays a read (no write, no disk sync)."""
    fresh = project.new("log", "keep the parser streaming")
    context = project.ok("context").out
    assert fresh in context and old_lesson in context
    assert project.sql("SELECT record_id FROM record_usage") == [(old_lesson,)]  # the old one renewed
    assert thinks_aging(project) == []
    project.sql("UPDATE direction_notes SET created_at = created_at - 2 * ? WHERE id = ?", (DAY_MS, fresh))
    project.ok("context")
    assert sorted(project.sql("SELECT record_id FROM record_usage")) == sorted([(old_lesson,), (fresh,)])
