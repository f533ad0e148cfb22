"""The server's domain pieces without a server: the path index, range intersection, edits, lens titles, settings."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st
from lsprotocol import types

from imi_cli.memory.paths import matches
from imi_cli.memory.refindex import LiveIndex, RefIndex, Summary, lines_overlap, literal_prefix
from imi_cli.memory.opening import open_store
from imi_cli.memory.store import queries
from imi_cli.memory.store.records import FileRef
from imi_lsp.commands import range_spec
from imi_lsp.diagnostics import edited_lines, touched, warning
from imi_lsp.lenses import place, title
from imi_lsp.settings import Settings, merge


def lesson(rid: str = "L1") -> Summary:
    return Summary("lesson", rid, "the lock was dropped", detail="hold it", verified_by="ci")


def index_of(*refs: tuple[str, FileRef], summaries: dict | None = None) -> RefIndex:
    rows = [(kind_id[0], kind_id[1], ref) for kind_id, ref in refs]
    known = summaries if summaries is not None else {k: Summary(k[0], k[1], "t") for k, _ in refs}
    return RefIndex(rows, known)


# the path index ---------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern, path, expected", [
    ("src/app.py", "src/app.py", True),
    ("src/app.py", "src/app.pyc", False),
    ("src/*.py", "src/app.py", True),
    ("src/*.py", "src/pkg/app.py", False),
    ("src/**/*.py", "src/pkg/deep/app.py", True),
    ("src/**/*.py", "src/app.py", True),
    ("**/*.md", "README.md", True),
    ("src/", "src/pkg/app.py", True),
    ("src/", "srcs/app.py", False),
    ("**", "anything/at/all.txt", True),
    ("src/[ab].py", "src/b.py", True),
    ("src/[ab].py", "src/c.py", False),
])
def test_the_index_answers_like_the_one_path_matcher(pattern, path, expected):
    ref = FileRef(pattern, is_glob=pattern != "src/app.py")
    index = index_of((("decision", "D1"), ref))
    assert bool(index.hits(path)) is expected
    assert matches(ref.path, ref.is_glob, path) is expected


@hyp_settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "a/b", "*", "**", "a/*", "**/b", "a/", "?", "[ab]"]),
                          st.sampled_from(["", ".py", "/c.py", "/**"])), min_size=1, max_size=8),
       st.sampled_from(["a", "b", "a/b", "a/b/c.py", "b.py", "a.py", "c.py", "a/c.py", "ab/c.py"]))
def test_the_index_finds_exactly_what_matching_every_reference_finds(parts, path):
    refs = []
    for i, (head, tail) in enumerate(parts):
        pattern = head + tail
        is_glob = any(ch in pattern for ch in "*?[") or pattern.endswith("/")
        refs.append((("note", f"N{i}"), FileRef(pattern, is_glob)))
    index = index_of(*refs)
    expected = sorted(rid for (kind, rid), ref in refs if matches(ref.path, ref.is_glob, path))
    assert sorted(hit.record.id for hit in index.hits(path)) == expected


def test_records_without_a_summary_are_left_out_and_repeats_counted_once():
    refs = [(("lesson", "L1"), FileRef("a.py")), (("lesson", "L1"), FileRef("a.py", line_start=3, line_end=4)),
            (("lesson", "GONE"), FileRef("a.py"))]
    index = index_of(*refs, summaries={("lesson", "L1"): lesson()})
    assert len(index.hits("a.py")) == 2
    assert [r.id for r in index.records("a.py")] == ["L1"]
    assert index.records("a.py", kinds=["decision"]) == []


def test_literal_prefix_is_the_folder_before_the_first_wildcard():
    assert literal_prefix("src/db/*.py") == "src/db/"
    assert literal_prefix("src/d*/x.py") == "src/"
    assert literal_prefix("**/x.py") == ""
    assert literal_prefix("src/") == "src/"


def test_a_live_index_reloads_only_after_another_connection_commits(project):
    project.file("src/app.py", "x\n")
    store = open_store(project.db)
    try:
        live = LiveIndex(store)
        assert live.index.hits("src/app.py") == []
        assert live.refresh() is False
        project.ok("lesson", "l", "--correct-behavior", "c", "--files", "src/app.py")
        assert live.refresh() is True
        [hit] = live.index.hits("src/app.py")
        assert (hit.record.kind, hit.record.detail) == ("lesson", "c")
        assert live.refresh() is False
        # and it agrees with the query the CLI uses
        assert [r.id for r, _ in queries.records_naming(store, "src/app.py")] == [hit.record.id]
    finally:
        store.close()


# ranges and edits ------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b, expected", [
    ((1, 3), (3, 5), True), ((1, 2), (3, 5), False), ((4, 4), (3, 5), True), ((6, 9), (3, 5), False),
    ((0, 100), (3, 5), True),
])
def test_lines_overlap(a, b, expected):
    assert lines_overlap(*a, *b) is expected
    assert lines_overlap(*b, *a) is expected


def _change(start: int, end: int, text: str):
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=start, character=0), end=types.Position(line=end, character=2)),
        text=text)


def test_edited_lines_cover_the_replaced_lines_and_the_inserted_ones():
    assert edited_lines(_change(3, 3, "x")) == ((3, 3), (3, 3))
    assert edited_lines(_change(3, 3, "a\nb\nc")) == ((3, 3), (3, 5))  # what follows is pushed down, not touched
    assert edited_lines(_change(3, 8, "")) == ((3, 8), (3, 3))  # deleted lines: they were touched, now gone
    whole = types.TextDocumentContentChangeWholeDocument(text="all new")
    before, after = edited_lines(whole)
    assert before[0] == 0 and before[1] > 10_000 and after == (0, 0)


def test_touched_lessons_are_those_whose_lines_meet_an_edit_or_that_name_the_whole_file():
    from imi_cli.memory.refindex import Hit

    anchored = Hit(lesson("A"), FileRef("a.py", line_start=3, line_end=4))  # 0-based lines 2-3
    whole = Hit(lesson("W"), FileRef("a.py"))
    decision = Hit(Summary("decision", "D", "t"), FileRef("a.py"))
    assert set(touched([anchored, whole, decision], [(6, 6)])) == {"W"}
    assert set(touched([anchored], [(3, 3)])) == {"A"}
    assert set(touched([anchored], [(0, 1)])) == set()
    assert touched([anchored], [(9, 9), (1, 2)])["A"][1] == 1  # which edit touched it


def test_a_warning_spans_whole_lines_and_says_what_to_do():
    diag = warning(lesson(), 2, 3, line_count=10, severity=types.DiagnosticSeverity.Warning)
    assert (diag.range.start.line, diag.range.end.line, diag.range.end.character) == (2, 4, 0)
    # the lesson and what to do first, the id last (Problems shows the first line)
    assert diag.message.splitlines() == ["Lesson: the lock was dropped", "Correct behaviour: hold it",
                                         "Verified by: ci · L1"]
    assert warning(lesson(), 9, 9, line_count=10, severity=1).range.end.line == 10
    assert warning(lesson(), 9, 12, line_count=10, severity=1).range.end.line == 10  # clamped to the document


@pytest.mark.parametrize("rng, spec", [
    ((4, 2, 4, 2), "a.py"),           # a bare cursor anchors the file
    ((5, 0, 7, 0), "a.py:6-7"),       # whole lines 6-7 selected (ends at the start of line 8)
    ((5, 3, 5, 9), "a.py:6"),         # part of one line
    ((5, 3, 7, 1), "a.py:6-8"),
    ((5, 0, 6, 0), "a.py:6"),
])
def test_a_selection_becomes_a_line_anchor(rng, spec):
    assert range_spec("a.py", rng) == spec


# lenses and settings ----------------------------------------------------------------------------
def test_lens_titles_count_kinds_and_name_who_is_working():
    records = [lesson("1"), lesson("2"), Summary("decision", "d", "t", state="decision"),
               Summary("decision", "k", "t", state="killed"), Summary("task", "t1", "t", state="in_progress", who="claude-1"),
               Summary("task", "t2", "t", state="todo"), Summary("note", "n", "t")]
    assert title(records) == "⚑ 2 lessons · 1 decision · 1 killed · 1 note · task in progress by claude-1 · 1 open task"
    two = [Summary("task", "a", "t", state="in_progress", who="x"), Summary("task", "b", "t", state="in_progress", who="y")]
    assert title(two) == "⚑ 2 tasks in progress (x, y)"


def test_lenses_are_placed_on_line_zero_and_above_each_range_clamped_into_the_document():
    from imi_cli.memory.refindex import Hit

    hits = [Hit(lesson(), FileRef("a.py", line_start=3, line_end=4)),
            Hit(lesson("2"), FileRef("a.py", line_start=3, line_end=4)),
            Hit(lesson("3"), FileRef("a.py", line_start=50, line_end=60))]
    placed = place(hits, "file:///a.py", line_count=10)
    assert [(lens.range.start.line, lens.data.get("start")) for lens in placed] == [(0, None), (2, 3), (9, 50)]
    assert place([], "file:///a.py", 10) == []


def test_settings_merge_camel_case_values_and_report_bad_ones():
    merged, problems = merge(Settings(), {"imi": {"codeLens": {"enable": False},
                                                  "diagnostics": {"severity": "Error"}, "kinds": ["lesson"]}})
    assert (merged.code_lens, merged.severity, merged.kinds) == (False, "error", ("lesson",))
    assert merged.diagnostic_severity == types.DiagnosticSeverity.Error
    assert problems == []
    same, problems = merge(Settings(), {"diagnostics": {"enable": 1, "severity": "loud"}, "kinds": "lesson"})
    assert same == Settings()
    assert len(problems) == 3 and all(p.startswith("ignored imi.") for p in problems)
    assert merge(Settings(), None) == (Settings(), [])
    assert merge(Settings(), [1])[1] == ["imi settings must be an object, not list"]


def test_the_server_never_imports_click_and_the_index_never_imports_the_protocol():
    code = ("import sys, imi_lsp.server, imi_lsp.commands, imi_lsp.lenses, imi_lsp.__main__; "
            "from imi_lsp.server import create_server; create_server(); "
            "assert 'click' not in sys.modules, 'click'")
    subprocess.run([sys.executable, "-c", code], check=True)
    code = "import sys, imi_cli.memory.refindex; assert not {'pygls', 'lsprotocol'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_command_line_reports_its_version_and_refuses_an_unwritable_log_cleanly(tmp_path):
    version = subprocess.run([sys.executable, "-m", "imi_lsp", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("imi-lsp ")
    bad = subprocess.run([sys.executable, "-m", "imi_lsp", "--log-file", str(tmp_path / "no" / "such" / "x.log")],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("imi-lsp: error: cannot write the log file") and len(bad.stderr.splitlines()) == 1
