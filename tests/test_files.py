"""File references on records: `--files`/`--relevant-files`, globs, line ranges, paths named in text."""

from __future__ import annotations

import pytest


def _refs(record: dict) -> list[tuple]:
    return [(f["path"], f["glob"], f["line_start"], f["line_end"], f["symbol"], f["origin"]) for f in record["files"]]


@pytest.fixture
def files_project(project):
    for rel in ("src/auth/refresh.ts", "src/middleware.ts", "src/a.py", "docs/guide.md", "README.md"):
        project.file(rel, "x\n" * 60)  # long enough for the line ranges named below (past the end is refused)
    return project


def test_files_paths_globs_ranges_and_symbols(files_project):
    p = files_project
    decision = p.json("decide", "single-flight refresh", "avoid races",
                      "--files", "src/auth/refresh.ts:10-15, src/**/*.ts", "--files", "src/a.py#Store.open,docs/")
    assert _refs(decision) == [
        ("src/auth/refresh.ts", False, 10, 15, None, "explicit"),
        ("src/**/*.ts", True, None, None, None, "explicit"),
        ("src/a.py", False, None, None, "Store.open", "explicit"),
        ("docs/", True, None, None, None, "explicit"),
    ]
    assert "src/auth/refresh.ts:10-15" in p.ok("show", decision["id"]).out


def test_relevant_files_alias_and_single_line(files_project):
    lesson = files_project.json("lesson", "l", "--correct-behavior", "c", "--relevant-files", "src/a.py:7")
    assert _refs(lesson) == [("src/a.py", False, 7, 7, None, "explicit")]


def test_every_record_command_takes_files(files_project):
    p = files_project
    goal_id = p.new("goal", "G")
    task_id = p.new("task", goal_id, "t")
    commands = [["goal", "g"], ["task", goal_id, "t2"], ["decide", "w", "y"], ["kill", "k", "y"], ["vision", "v"],
                ["log", "n"], ["lesson", "l", "--correct-behavior", "c"], ["memory", "add", goal_id, "k", "v"]]
    for args in commands:
        record = p.json(*args, "--files", "src/a.py")
        assert [f["path"] for f in record["files"]] == ["src/a.py"], args
    p.ok("start", task_id)
    checkpoint = p.json("checkpoint", task_id, "half done", "--files", "src/middleware.ts")
    assert [f["path"] for f in checkpoint["files"]] == ["src/middleware.ts"]
    p.ok("complete", task_id, "done", "--files", "src/a.py")
    naming = p.json("context", "--file", "src/middleware.ts")
    assert naming["sections"], "the checkpoint that names the file is found by context --file"


def test_paths_named_in_text_are_linked_only_when_they_exist(files_project):
    result = files_project.run(
        "log", "the limiter at src/middleware.ts:40-47 ignores refresh; see README.md and src/ghost.ts, lib/none/",
        "--json")
    assert result.code == 0, result
    assert _refs(result.json()) == [("src/middleware.ts", False, 40, 47, None, "text"),
                                    ("README.md", False, None, None, None, "text")]
    # the others are reported, one line each, never dropped silently
    assert result.err.splitlines() == [
        f"imi: not linked: {path} does not exist (name it with --files to link it anyway)"
        for path in ("src/ghost.ts", "lib/none/")]


def test_text_paths_do_not_duplicate_explicit_files(files_project):
    decision = files_project.json("decide", "keep refresh in src/a.py", "why", "--files", "src/a.py")
    assert _refs(decision) == [("src/a.py", False, None, None, None, "explicit")]


def test_paths_are_stored_repo_relative_from_a_subfolder(files_project):
    p = files_project
    sub = p.root / "src" / "auth"
    decision = p.json("decide", "d", "w", "--files", "./refresh.ts,../middleware.ts,src/a.py", cwd=sub)
    assert [f["path"] for f in decision["files"]] == ["src/auth/refresh.ts", "src/middleware.ts", "src/a.py"]
    absolute = p.json("decide", "d2", "w", "--files", str(p.root / "docs" / "guide.md"))
    assert [f["path"] for f in absolute["files"]] == ["docs/guide.md"]


def test_a_path_that_does_not_exist_yet_can_be_named_explicitly(files_project):
    decision = files_project.json("decide", "d", "w", "--files", "src/new_module.py")
    assert [f["path"] for f in decision["files"]] == ["src/new_module.py"]


@pytest.mark.parametrize("outside", ["../outside.py", "/etc/passwd", "src/../../x.py", "./../x"])
def test_a_path_outside_the_workspace_is_refused_and_nothing_is_written(files_project, outside):
    p = files_project
    goal_id = p.new("goal", "G")
    for args in (["decide", "d", "w"], ["goal", "g"], ["task", goal_id, "t"], ["lesson", "l", "--correct-behavior",
                                                                             "c"], ["log", "n"]):
        result = p.fail(*args, "--files", f"src/a.py,{outside}")
        assert "outside the workspace" in result.err


@pytest.mark.parametrize("bad", ["src/a.py:15-10", "src/a.py:0", ".imi/state.db", "src/a.py#bad symbol!", " , "])
def test_bad_file_specs_are_refused(files_project, bad):
    p = files_project
    before = p.checksum()
    result = p.run("decide", "d", "w", "--files", bad)
    if bad.strip(" ,") == "":  # only blanks: nothing to link, the decision is still recorded
        assert result.code == 0 and p.json("show", result.out.split()[2])["files"] == []
        return
    assert result.code != 0 and len(result.err.strip().splitlines()) == 1, str(result)
    assert p.checksum() == before


def test_context_file_finds_records_by_exact_path_glob_folder_and_text(files_project):
    p = files_project
    exact = p.new("lesson", "mutex needed", "--correct-behavior", "single-flight", "--files", "src/auth/refresh.ts")
    glob = p.new("decide", "ts style", "consistency", "--files", "src/**/*.ts")
    folder = p.new("decide", "auth folder owned by team A", "ownership", "--files", "src/auth/")
    text = p.new("log", "watch src/auth/refresh.ts closely")
    goal_id = p.new("goal", "G")
    task = p.new("task", goal_id, "fix refresh", "--files", "src/auth/refresh.ts:40-50")
    unrelated = p.new("decide", "python style", "pep8", "--files", "src/a.py,*.md")

    packed = p.json("context", "--file", "src/auth/refresh.ts")
    found = {r["id"] for s in packed["sections"] for r in s["records"]}
    assert found == {exact, glob, folder, text, task}
    assert unrelated not in packed["text"]
    assert packed["text"].startswith("# IMI memory for src/auth/refresh.ts")

    from_sub = p.json("context", "--file", "./refresh.ts", cwd=p.root / "src" / "auth")
    assert {r["id"] for s in from_sub["sections"] for r in s["records"]} == found
    absolute = p.json("context", "--file", str(p.root / "src" / "auth" / "refresh.ts"))
    assert {r["id"] for s in absolute["sections"] for r in s["records"]} == found


def test_context_file_for_a_file_nothing_names(files_project):
    p = files_project
    p.ok("decide", "d", "w", "--files", "src/a.py")
    result = p.ok("context", "--file", "docs/guide.md")
    assert "no lessons, decisions or tasks name this file" in result.out
    assert p.json("context", "--file", "docs/guide.md")["sections"] == []
    p.fail("context", "--file", "../elsewhere.py")


def test_archived_records_leave_context_file(files_project):
    p = files_project
    lesson = p.new("lesson", "l", "--correct-behavior", "c", "--files", "src/a.py")
    assert lesson in p.ok("context", "--file", "src/a.py").out
    p.ok("archive", lesson)
    assert lesson not in p.ok("context", "--file", "src/a.py").out
