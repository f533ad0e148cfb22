"""Lesson warnings: an edit touching a lesson's lines warns at the edited lines; opening or editing elsewhere does not."""

from __future__ import annotations

from lsprotocol import types

from lsp_helpers import barrier, change, command, open_doc, published_after, shown_text, start


async def test_opening_publishes_nothing_and_an_edit_elsewhere_publishes_nothing(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    await barrier(client)
    change(client, uri, 7, "y\n")  # line 8: outside the lesson's 3-4
    change(client, uri, 0, "z")
    await barrier(client)
    assert client.published == []


async def test_an_edit_in_the_lesson_range_warns_with_the_lesson_its_correct_behaviour_and_who_verified_it(
        client, memory):
    project, ids = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    params = await published_after(client, lambda: change(client, uri, 3, "changed "))
    assert params.uri == uri
    [warning] = params.diagnostics
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert (warning.source, warning.code) == ("imi", "lesson")
    assert (warning.range.start.line, warning.range.end.line) == (3, 4)  # the edited line
    assert "the mutex was dropped before the write" in warning.message
    assert "Correct behaviour: hold the lock across the write" in warning.message
    assert "Verified by: test_writer_lock" in warning.message
    assert ids["lesson"] in warning.message

    # an edit that starts above and runs into the range touches it too; the warning moves there
    params = await published_after(client, lambda: change(client, uri, 0, "a\nb\n", end_line=2))
    assert [(d.range.start.line, d.range.end.line) for d in params.diagnostics] == [(0, 3)]


async def test_a_lesson_naming_the_whole_file_warns_on_any_edit(client, project):
    project.file("src/db.py", "a\nb\nc\n")
    project.new("lesson", "never open the db twice", "--correct-behavior", "reuse the store", "--files", "src/")
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/db.py")
    params = await published_after(client, lambda: change(client, uri, 2, "d"))
    [warning] = params.diagnostics
    assert "never open the db twice" in warning.message and warning.range.start.line == 2


async def test_the_severity_follows_the_settings_and_warnings_can_be_turned_off(client, memory):
    project, _ = memory
    client.set_configuration({"diagnostics": {"severity": "error"}}, section="imi")
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    await barrier(client)
    params = await published_after(client, lambda: change(client, uri, 2, "x"))
    assert params.diagnostics[0].severity == types.DiagnosticSeverity.Error

    # the user changes the setting: the shown warning follows at once
    client.set_configuration({"diagnostics": {"severity": "hint"}}, section="imi")
    params = await published_after(client, lambda: client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=None)))
    assert params.diagnostics[0].severity == types.DiagnosticSeverity.Hint

    # turned off: the shown warning goes, and edits publish nothing more
    client.set_configuration({"diagnostics": {"enable": False}}, section="imi")
    params = await published_after(client, lambda: client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=None)))
    assert list(params.diagnostics) == []
    count = len(client.published)
    change(client, uri, 2, "y")
    await barrier(client)
    assert len(client.published) == count


async def test_code_actions_acknowledge_the_lesson_for_the_session_or_open_it(client, memory):
    project, ids = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    params = await published_after(client, lambda: change(client, uri, 2, "x"))
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=params.diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=params.diagnostics)))
    by_command = {a.command.command: a for a in actions}
    assert set(by_command) == {"imi.acknowledgeLesson", "imi.showRecord", "imi.showFileMemory"}

    show = by_command["imi.showRecord"].command
    await command(client, show.command, *show.arguments)
    assert "hold the lock across the write" in shown_text(client)

    ack = by_command["imi.acknowledgeLesson"].command
    cleared = await published_after(client, lambda: command(client, ack.command, *ack.arguments))
    assert list(cleared.diagnostics) == []
    change(client, uri, 3, "more")  # the same lesson, acknowledged: quiet for the rest of the session
    await barrier(client)
    assert list(client.published[-1].diagnostics) == []


async def test_closing_the_document_clears_its_warnings(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    await published_after(client, lambda: change(client, uri, 2, "x"))
    params = await published_after(client, lambda: client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))))
    assert list(params.diagnostics) == []
