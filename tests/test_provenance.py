"""Only a person or a named check verifies a lesson; every record says who wrote it."""

from __future__ import annotations

from imi_cli.memory import Project
from imi_lsp import render


def _section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0] if f"## {title}\n" in text else ""


def test_an_agents_lesson_is_unverified_and_says_who_wrote_it(project):
    agent = {"IMI_AGENT_ID": "claude-1"}
    mine = project.new("lesson", "retries hid the outage", "--correct-behavior", "fail fast on 5xx", env=agent)
    checked = project.new("lesson", "migrations ran late", "--correct-behavior", "run make migrate first",
                          "--verified-by", "ci", env=agent)
    text = project.ok("context").out
    verified, unverified = _section(text, "Verified Lessons"), _section(text, "Lessons (unverified)")
    assert checked in verified and "verified by: ci" in verified and mine not in verified
    assert mine in unverified and "unverified  @claude-1" in unverified
    assert "verified by: human" not in text
    with Project.open(project.db) as memory:
        hover = render.record(memory.get("lesson", mine))
    assert "**Not verified**" in hover and "by **claude-1**" in hover


def test_a_person_names_themself(project):
    lesson = project.new("lesson", "flaky clock test", "--correct-behavior", "inject the clock", "--verified-by",
                         "alex")
    assert lesson in _section(project.ok("context").out, "Verified Lessons")
    assert "## Lessons (unverified)" not in project.ok("context").out  # no empty heading
