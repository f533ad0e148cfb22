"""Anchors in the editor: lenses and lesson warnings follow the code as it is typed, stale anchors show an
Information diagnostic with quick fixes (re-anchor here, verify, supersede) that the CLI agrees with."""

from __future__ import annotations

import subprocess

from lsprotocol import types

from lsp_helpers import barrier, change, command, lenses, messages, open_doc, published_after, start, until

LESSON_TEXT = "the mutex was dropped before the write"


def _ranged(found: list[types.CodeLens]) -> list[tuple[int, str]]:
    """(line, title) of the lenses above anchored ranges."""
    return [(lens.range.start.line, lens.command.title) for lens in found if lens.command.arguments[1:]]


def _lines(diagnostics, code: str) -> list[tuple[int, int]]:
    return [(d.range.start.line, d.range.end.line) for d in diagnostics if d.code == code]


async def _actions(client, uri: str, rng: types.Range, diagnostics) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=list(diagnostics))))


def _cursor(line: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0))


def _lines_range(first: int, last: int) -> types.Range:
    """0-based whole lines first..last selected (ending at the start of the next line)."""
    return types.Range(start=types.Position(line=first, character=0), end=types.Position(line=last + 1, character=0))


def _save(client, project, uri: str, rel: str, text: str) -> None:
    (project.root / rel).write_text(text)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))


def _stale_exit(project) -> int:
    """`imi check --stale` as a user runs it (a separate process)."""
    return project.sub("check", "--stale").code


def _app_lines() -> list[str]:
    return [f"line {i}" for i in range(1, 11)]


# following the code while typing ------------------------------------------------------------------------
async def test_lines_inserted_above_move_the_lens_and_the_warning_before_anything_is_saved(client, memory):
    project, ids = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    assert _ranged(await lenses(client, uri)) == [(2, "⚑ 1 lesson (lines 3-4)")]

    change(client, uri, 0, "# a\n# b\n# c\n")  # three lines above the lesson's lines: it is now at 6-7
    await barrier(client)
    assert client.published == []  # nothing was shown, so nothing moves
    assert _ranged(await lenses(client, uri)) == [(5, "⚑ 1 lesson (lines 6-7)")]
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=6, character=0)))
    assert hover is not None and LESSON_TEXT in hover.contents.value

    change(client, uri, 2, "edited ")  # where the lesson's lines were on disk: not the lesson any more
    await barrier(client)
    assert client.published == []
    params = await published_after(client, lambda: change(client, uri, 5, "edited "))  # where they are now
    assert _lines(params.diagnostics, "lesson") == [(5, 6)]
    assert ids["lesson"] in params.diagnostics[0].message

    # two more lines above: the warning moves with the code, and so does the lens
    params = await published_after(client, lambda: change(client, uri, 0, "# d\n# e\n"))
    assert _lines(params.diagnostics, "lesson") == [(7, 8)]
    assert _ranged(await lenses(client, uri)) == [(7, "⚑ 1 lesson (lines 8-9)")]
    assert (project.root / "src/app.py").read_text().startswith("line 1\n")  # nothing was saved


async def test_an_edit_inside_grows_the_range_and_still_warns_at_its_new_lines(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    params = await published_after(client, lambda: change(client, uri, 3, "new a\nnew b\n"))  # inside lines 3-4
    assert _lines(params.diagnostics, "lesson") == [(3, 6)]  # the edited lines, as for any edit
    assert _ranged(await lenses(client, uri)) == [(2, "⚑ 1 lesson (lines 3-6)")]

    # line 6 is the lesson's old line 4, pushed down: an edit there still touches the lesson
    params = await published_after(client, lambda: change(client, uri, 5, "x"))
    assert _lines(params.diagnostics, "lesson") == [(5, 6)]
    count = len(client.published)
    change(client, uri, 6, "y")  # the line after the range (old line 5): quiet
    await barrier(client)
    assert len(client.published) == count

    # lines deleted inside shrink it again
    change(client, uri, 3, "", end_line=5)
    await barrier(client)
    assert _ranged(await lenses(client, uri)) == [(2, "⚑ 1 lesson (lines 3-4)")]


# stale anchors --------------------------------------------------------------------------------------------
AUTH = """import os


def refresh_token(token):
    if token.expired:
        return renew(token)
    return token


def logout(session):
    session.clear()
    return None
"""
REFRESH_LESSON = "two refreshes raced"


def _auth_lesson(project) -> str:
    """A lesson anchored to refresh_token (lines 4-7), whose code is then edited on disk."""
    project.file("src/auth.py", AUTH)
    lesson = project.new("lesson", REFRESH_LESSON, "--correct-behavior", "single-flight the refresh",
                         "--files", "src/auth.py:4-7")
    project.file("src/auth.py", AUTH.replace("return renew(token)", "return renew(token, force=True)"))
    return lesson


async def _open_stale(client, project) -> tuple[str, types.Diagnostic]:
    path = project.root / "src/auth.py"
    params = await published_after(client, lambda: open_doc(client, path))
    [stale] = params.diagnostics
    return path.as_uri(), stale


async def test_opening_a_file_whose_anchored_code_changed_shows_an_information_diagnostic_with_three_fixes(
        client, project):
    lesson = _auth_lesson(project)
    assert _stale_exit(project) == 1
    await start(client, project.root)
    uri, stale = await _open_stale(client, project)
    assert stale.severity == types.DiagnosticSeverity.Information
    assert (stale.source, stale.code) == ("imi", "stale-anchor")
    assert (stale.range.start.line, stale.range.end.line) == (3, 7)  # where the changed code is: lines 4-7
    assert lesson in stale.message and REFRESH_LESSON in stale.message and "changed" in stale.message

    actions = await _actions(client, uri, _cursor(5), [stale])
    by_command = {a.command.command: a for a in actions if a.diagnostics}
    assert set(by_command) == {"imi.reanchor", "imi.verify", "imi.supersede"}
    assert by_command["imi.reanchor"].title == f"Re-anchor lesson {lesson} here (lines 4-7)"
    assert all(a.kind == types.CodeActionKind.QuickFix for a in by_command.values())


async def test_verify_accepts_the_record_and_the_cli_agrees(client, project):
    lesson = _auth_lesson(project)
    await start(client, project.root)
    uri, stale = await _open_stale(client, project)
    [verify] = [a for a in await _actions(client, uri, _cursor(5), [stale]) if a.command.command == "imi.verify"]
    params = await published_after(client, lambda: command(client, verify.command.command, *verify.command.arguments))
    assert list(params.diagnostics) == []
    assert f"Verified lesson {lesson}" in messages(client)
    assert _stale_exit(project) == 0
    assert "The one anchor holds." in project.ok("check", "--stale").out


async def test_reanchor_here_anchors_to_the_selection_from_the_editors_text(client, project):
    lesson = _auth_lesson(project)
    await start(client, project.root)
    uri, stale = await _open_stale(client, project)
    change(client, uri, 0, "# unsaved\n")  # the code is now at lines 5-8 in the editor
    actions = await _actions(client, uri, _lines_range(4, 6), [stale])  # lines 5-7 selected
    [reanchor] = [a for a in actions if a.command.command == "imi.reanchor"]
    assert reanchor.title.endswith("here (lines 5-7)")
    params = await published_after(client, lambda: command(client, reanchor.command.command,
                                                           *reanchor.command.arguments))
    assert list(params.diagnostics) == []
    [ref] = project.json("show", lesson)["files"]
    assert (ref["path"], ref["line_start"], ref["line_end"]) == ("src/auth.py", 5, 7)
    assert _ranged(await lenses(client, uri)) == [(4, "⚑ 1 lesson (lines 5-7)")]
    records = project.root / ".imi" / "records"  # the version file says what the anchor now holds
    assert any("renew(token, force=True)" in p.read_text() for p in records.rglob("*") if p.is_file())
    _save(client, project, uri, "src/auth.py", "# unsaved\n" + (project.root / "src/auth.py").read_text())
    assert _stale_exit(project) == 0


async def test_supersede_explains_without_text_and_with_it_records_a_decision_and_archives_the_old(client, project):
    lesson = _auth_lesson(project)
    await start(client, project.root)
    uri, stale = await _open_stale(client, project)
    [supersede] = [a for a in await _actions(client, uri, _cursor(5), [stale])
                   if a.command.command == "imi.supersede"]
    assert supersede.title == f"Supersede lesson {lesson}…"

    before = project.checksum()
    assert await command(client, "imi.supersede", *supersede.command.arguments) is None  # as a plain client sends it
    assert "imi.supersede {id, what, why, uri, range}" in messages(client)
    assert project.checksum() == before

    arguments = {**supersede.command.arguments[0], "what": "refresh is forced, the pool serialises it",
                 "why": "the pool owns the token now"}
    result = None

    async def run():
        nonlocal result
        result = await command(client, "imi.supersede", arguments)

    params = await published_after(client, run)
    assert list(params.diagnostics) == []
    decision = project.json("show", result["id"])
    assert decision["what"] == "refresh is forced, the pool serialises it"
    assert decision["why"] == "the pool owns the token now" and decision["supersedes"] == lesson
    assert [(f["path"], f["line_start"], f["line_end"]) for f in decision["files"]] == [("src/auth.py", 4, 7)]
    assert project.json("show", lesson)["archived_at"] is not None
    assert _stale_exit(project) == 0
    assert "the pool serialises it" in project.ok("context", "--file", "src/auth.py").out


async def test_an_orphaned_anchor_shows_on_line_one_and_can_be_reanchored_to_a_selection(client, memory):
    project, _ = memory
    project.file("src/gone.py", "keep 1\nkeep 2\ndef old():\n    return 1\nkeep 3\n")
    decision = project.new("decide", "old() returns one", "callers rely on it", "--files", "src/gone.py:3-4")
    project.file("src/gone.py", "keep 1\nkeep 2\nkeep 3\nclass Cache:\n    size = 10\n")
    await start(client, project.root)
    path = project.root / "src/gone.py"
    uri = path.as_uri()
    params = await published_after(client, lambda: open_doc(client, path))
    [stale] = params.diagnostics
    assert (stale.range.start.line, stale.code) == (0, "stale-anchor") and "is gone" in stale.message
    assert [lens.range.start.line for lens in await lenses(client, uri, resolve=False)] == [0]  # no range lens

    at_cursor = {a.command.command for a in await _actions(client, uri, _cursor(0), [stale]) if a.diagnostics}
    assert at_cursor == {"imi.verify", "imi.supersede"}  # nowhere to re-anchor to without a selection
    # lines selected elsewhere: the code's new place (the diagnostic on line 1 is not in the request)
    actions = await _actions(client, uri, _lines_range(3, 4), [])
    [reanchor] = [a for a in actions if a.command.command == "imi.reanchor"]
    assert reanchor.title == f"Re-anchor decision {decision} here (lines 4-5)"
    params = await published_after(client, lambda: command(client, "imi.reanchor", *reanchor.command.arguments))
    assert list(params.diagnostics) == []
    assert _stale_exit(project) == 0


async def test_an_edit_leaves_an_anchor_stale_when_saved_and_whole_again_when_undone(client, project):
    project.file("src/auth.py", AUTH)
    project.new("lesson", REFRESH_LESSON, "--correct-behavior", "single-flight", "--files", "src/auth.py:4-7")
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/auth.py")
    change(client, uri, 3, "", end_line=7)  # refresh_token deleted while typing
    await barrier(client)
    assert [lens.range.start.line for lens in await lenses(client, uri, resolve=False)] == [0]  # its lens went
    assert _stale_exit(project) == 0  # not saved yet
    without = AUTH.replace("def refresh_token(token):\n    if token.expired:\n        return renew(token)\n"
                           "    return token\n", "")
    params = await published_after(client, lambda: _save(client, project, uri, "src/auth.py", without))
    [warned] = params.diagnostics  # the deleting edit warned about the lesson: that warning says it is gone
    assert warned.code == "lesson" and "is gone from this file" in warned.message
    assert _stale_exit(project) == 1

    change(client, uri, 3, "def refresh_token(token):\n    if token.expired:\n        return renew(token)\n"
                           "    return token\n")  # put back (an undo)
    await barrier(client)  # the warning that edit moved is published first
    params = await published_after(client, lambda: _save(client, project, uri, "src/auth.py", AUTH))
    assert _lines(params.diagnostics, "stale-anchor") == []
    assert _ranged(await lenses(client, uri)) == [(3, "⚑ 1 lesson (lines 4-7)")]
    assert _stale_exit(project) == 0


async def test_a_record_made_here_in_an_unsaved_document_is_anchored_to_what_the_user_sees(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/other.py")
    change(client, uri, 0, "# unsaved 1\n# unsaved 2\n")
    result = await command(client, "imi.recordNote", {"text": "these two lines matter", "uri": uri,
                                                      "range": {"start": {"line": 2, "character": 0},
                                                                "end": {"line": 4, "character": 0}}})
    assert result["files"][0]["line_start"] == 3
    assert _ranged(await lenses(client, uri)) == [(2, "⚑ 1 note (lines 3-4)")]
    await barrier(client)
    assert not any(d.code == "stale-anchor" for p in client.published for d in p.diagnostics)


async def test_stale_anchor_diagnostics_can_be_turned_off(client, project):
    _auth_lesson(project)
    await start(client, project.root, options={"imi": {"diagnostics": {"staleAnchors": False}}})
    open_doc(client, project.root / "src/auth.py")
    await barrier(client)
    assert client.published == []


async def test_fix_commands_refuse_bad_arguments_in_one_message_and_write_nothing(client, project):
    lesson = _auth_lesson(project)
    goal = project.new("goal", "ship it")
    task = project.new("task", goal, "bound the retries", "--files", "src/auth.py:10-12")
    await start(client, project.root)
    uri, _stale = await _open_stale(client, project)
    before = project.checksum()
    far = {"start": {"line": 40, "character": 0}, "end": {"line": 45, "character": 0}}
    assert await command(client, "imi.reanchor", {"id": lesson, "uri": uri, "range": far}) is None
    assert await command(client, "imi.reanchor", {"id": lesson, "uri": uri, "ref": "one"}) is None
    assert await command(client, "imi.verify", {"id": 42}) is None
    assert await command(client, "imi.verify", "no-such-record") is None
    assert await command(client, "imi.supersede", {"id": task, "what": "x", "why": "y"}) is None
    text = messages(client)
    assert "are not in src/auth.py (12 lines)" in text and "ref must be a reference id" in text
    assert "imi.verify: id must be text" in text and "no record" in text
    assert "only a decision, lesson or note can be superseded" in text
    assert project.checksum() == before
    assert len(client.published) == 1  # the stale diagnostic is still the only thing shown


# files git renamed ----------------------------------------------------------------------------------------
def _git(root, *args) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


async def test_a_file_renamed_with_git_mv_shows_its_anchors_at_the_new_path(client, project):
    _git(project.root, "init", "-q")
    _git(project.root, "config", "user.email", "dev@example.com")
    _git(project.root, "config", "user.name", "dev")
    project.file("src/app.py", "\n".join(_app_lines()) + "\n")
    _git(project.root, "add", "src")
    _git(project.root, "commit", "-qm", "code")
    project.new("lesson", "the retry must be bounded", "--correct-behavior", "three tries", "--files", "src/app.py:5-6")
    _git(project.root, "mv", "src/app.py", "src/main.py")
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/main.py")

    async def ranged():
        return _ranged(await lenses(client, uri))

    assert await until(ranged) == [(4, "⚑ 1 lesson (lines 5-6)")]
    params = await published_after(client, lambda: change(client, uri, 5, "edited "))
    assert "the retry must be bounded" in params.diagnostics[0].message
    assert _stale_exit(project) == 0  # renamed is quiet: the CLI follows the file too


async def test_an_edit_saved_inside_a_lessons_lines_gives_one_diagnostic_for_the_lesson(client, project):
    """Auto-save: the edit warns about the lesson, the save makes its anchor stale; one diagnostic says both."""
    project.file("src/auth.py", AUTH)
    lesson = project.new("lesson", REFRESH_LESSON, "--correct-behavior", "single-flight", "--files", "src/auth.py:4-7")
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/auth.py")
    edited = AUTH.replace("        return renew(token)\n", "        return renew(token, force=True)\n")
    warned = await published_after(client, lambda: change(client, uri, 5, "        return renew(token, force=True)\n",
                                                          end_line=6))
    assert [d.code for d in warned.diagnostics] == ["lesson"]
    params = await published_after(client, lambda: _save(client, project, uri, "src/auth.py", edited))
    [only] = params.diagnostics
    assert only.severity == types.DiagnosticSeverity.Warning and lesson in only.message
    assert "changed since it was recorded" in only.message
    actions = await _actions(client, uri, _cursor(5), [only])
    assert {"imi.verify", "imi.reanchor"} <= {a.command.command for a in actions}
