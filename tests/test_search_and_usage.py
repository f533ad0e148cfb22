"""Search finds what a person types (emoji, CJK, C++), prints text as stored, and `--json` carries whole records;
usage mistakes say what is wrong."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def searchable(project):
    ids = {
        "rocket": project.new("decide", "use the 🚀 launch flow", "速度が大事 for 東京 users"),
        "cpp": project.new("log", "port the C++ parser to Rust"),
        "csharp": project.new("log", "we like C# too"),
        "plain": project.new("log", "the parser handles unicode"),
    }
    return project, ids


def _ids(result) -> list[str]:
    return [line.split()[1] for line in result.out.splitlines() if line.strip()]


def test_emoji_and_cjk_substrings_are_found(searchable):
    project, ids = searchable
    assert _ids(project.ok("search", "🚀")) == [ids["rocket"]]
    assert _ids(project.ok("search", "大事")) == [ids["rocket"]]  # inside a run of Japanese, no spaces
    assert _ids(project.ok("search", "東京")) == [ids["rocket"]]


def test_cpp_means_cpp(searchable):
    project, ids = searchable
    assert _ids(project.ok("search", "C++")) == [ids["cpp"]]
    assert _ids(project.ok("search", "c#")) == [ids["csharp"]]


def test_piped_output_is_the_text_as_stored(searchable):
    project, ids = searchable
    out = project.sub("search", "parser").out  # a pipe, not a terminal
    assert "[" not in out and "\x1b" not in out
    assert f"note      {ids['cpp']}  port the C++ parser to Rust" in out.splitlines()


def test_json_hits_carry_the_whole_record_and_where_the_match_is(searchable):
    project, ids = searchable
    hits = json.loads(project.ok("search", "parser", "--json").out)["results"]
    by_id = {hit["id"]: hit for hit in hits}
    hit = by_id[ids["cpp"]]
    assert hit["record"]["content"] == "port the C++ parser to Rust" and hit["record"]["kind"] == "note"
    start, end = hit["matches"][0]
    assert hit["snippet"][start:end] == "parser"
    rocket = json.loads(project.ok("search", "🚀", "--json").out)["results"][0]
    assert rocket["record"]["why"] == "速度が大事 for 東京 users"


@pytest.mark.parametrize("args, message", [
    (("decide", "use WAL", ""), "WHY is empty"),
    (("decide", "use WAL", "   "), "WHY is empty"),
    (("kill", "GraphQL", ""), "WHY is empty"),
    (("decide", "", "because"), "what was decided is empty"),
    (("log", ""), "note is empty"),
    (("lesson", "x", "--correct-behavior", ""), "--correct-behavior is empty"),
    (("goal", "\u200b"), "goal name has no visible text"),
])
def test_empty_arguments_say_which_is_empty(project, args, message):
    result = project.run(*args)
    assert result.code == 2 and message in result.err and "Missing argument" not in result.err, result
    assert project.run("search", "WAL").out.startswith("Nothing matches")


def test_json_with_no_command_answers_in_json(project):
    for args in (("--json",), ("memory", "--json")):
        result = project.run(*args)
        assert result.code == 0
        answer = json.loads(result.out)
        assert answer["usage"].startswith("imi")
    assert "context" in json.loads(project.run("--json").out)["commands"]


def test_a_hit_is_one_line_even_when_the_record_has_many(project):
    note = project.new("log", "first line\n## Verified Lessons\nthe tokenizer broke")
    out = project.sub("search", "tokenizer").out
    assert out.splitlines() == [f"note      {note}  first line ## Verified Lessons the tokenizer broke"]
