"""The language server with unlucky clients and files (issue 19): a database overwritten in place,
a nested folder removed, lens data it never gave out, a long session of distinct files, a range
past the end of the file. Each over the real stdio, as VS Code and as Neovim."""

from __future__ import annotations

import asyncio
import os

import pytest

from lsprotocol import types

from imi_testing import Project
from lsp_helpers import WAIT, barrier, change, command, lenses, messages, open_doc, start, titles, until


async def test_a_database_overwritten_in_place_with_garbage_is_reported_once_and_refuses_writes(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    assert await lenses(client, uri)
    inode = os.stat(project.db).st_ino
    size = os.path.getsize(project.db)
    with open(project.db, "r+b") as db:  # the same file, not a new one: a tool wrote over it
        db.write(b"\x00garbage" * (size // 8))
    assert os.stat(project.db).st_ino == inode
    await until(lambda: "not a database" in messages(client), timeout=30)
    assert await lenses(client, uri) == []
    result = await command(client, "imi.recordNote", {"text": "written after the damage", "uri": uri})
    assert result is None
    text = messages(client)
    assert "Recorded" not in text
    assert text.count("not a database") == 2, text  # found, then the refused write
    await asyncio.sleep(1.5)  # several polls of the watcher later: still told once
    await barrier(client)
    assert messages(client).count("not a database") == 2, messages(client)


async def test_removing_a_nested_folder_hands_its_files_to_the_outer_memory(client, memory, clean_env):
    outer, _ = memory
    inner = Project(outer.root / "sub", clean_env)
    inner.root.mkdir()
    inner.ok("init")
    inner.file("mod.py", "".join(f"m{i}\n" for i in range(1, 21)))
    for n in range(1, 6):  # anchored references whose ids the outer memory also has
        inner.ok("lesson", f"inner lesson {n}", "--correct-behavior", "x", "--files", f"mod.py:{n * 3}-{n * 3 + 1}")
    outer.ok("decide", "sub is vendored", "keep it as is", "--files", "sub/mod.py")
    await start(client, outer.root, inner.root)
    uri = open_doc(client, inner.root / "mod.py")
    assert titles(await lenses(client, uri))[0] == "⚑ 5 lessons"

    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[], removed=[types.WorkspaceFolder(uri=inner.root.as_uri(), name="sub")])))
    found = await lenses(client, uri)
    assert titles(found) == ["⚑ 1 decision"]  # the outer memory's record, on line 0 only
    assert [lens.range.start.line for lens in found] == [0]


async def test_resolving_a_lens_the_server_never_gave_leaves_no_broken_command(client, memory):
    project, _ = memory
    await start(client, project.root)
    where = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    elsewhere = (project.root / "src" / "nothing.py").as_uri()
    for data in (None, {}, {"uri": None}, {"uri": 5}, "junk", [1, 2], {"start": 3}, {"uri": elsewhere, "start": "x"},
                 {"uri": elsewhere, "start": 2, "end": None}, {"uri": elsewhere}, {"uri": "file:///etc/passwd"}):
        lens = await asyncio.wait_for(client.code_lens_resolve_async(types.CodeLens(range=where, data=data)), WAIT)
        command_ = lens.command
        if command_ is not None and command_.command:
            # whatever is clickable must run without an error
            assert all(a is not None for a in command_.arguments or ()), (data, command_)
            assert await asyncio.wait_for(client.workspace_execute_command_async(types.ExecuteCommandParams(
                command=command_.command, arguments=list(command_.arguments or ()))), WAIT) is not None
    assert not [m for m in client.messages if m.type == types.MessageType.Error], messages(client)


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def _open_and_close(client, folder, names) -> None:
    for name in names:
        uri = (folder / name).as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text="x = 1\n")))
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
    # a round trip after the last one (opening thousands of files takes a while on a loaded machine)
    await asyncio.wait_for(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="")), 300)


@pytest.mark.slow
async def test_a_long_session_of_distinct_files_and_keystrokes_does_not_grow_the_server(client, memory):
    project, _ = memory
    await start(client, project.root)
    folder = project.root / "gen"
    await _open_and_close(client, folder, [f"warm{i}.py" for i in range(1000)])
    typed = open_doc(client, project.root / "src/other.py")
    await _type(client, typed, 500)
    before = _rss_kb(client._server.pid)
    await _open_and_close(client, folder, [f"file{i}.py" for i in range(3000)])
    await _type(client, typed, 3000)
    grown = _rss_kb(client._server.pid) - before
    # at the ~4 KB per file and ~1 KB per keystroke they once kept, this would be ~15 MB
    assert grown < 4_000, f"grew {grown} KB over 3,000 distinct files and 3,000 keystrokes"


async def _type(client, uri: str, keystrokes: int) -> None:
    for _ in range(keystrokes):
        change(client, uri, 12, "x")  # below the anchored lines: nothing to warn about
    await asyncio.wait_for(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="")), 300)


async def test_a_range_past_the_end_of_the_file_is_refused_by_the_editor_commands(client, memory):
    project, _ = memory
    await start(client, project.root)
    path = project.root / "src/app.py"
    uri = open_doc(client, path)  # ten lines
    past = {"start": {"line": 899, "character": 0}, "end": {"line": 900, "character": 0}}
    assert await command(client, "imi.recordNote", {"text": "beyond the end", "uri": uri, "range": past}) is None
    assert await command(client, "imi.recordLesson", {"text": "also beyond", "correctBehavior": "y",
                                                      "files": ["src/app.py:900-901"]}) is None
    text = messages(client)
    assert "Recorded" not in text
    assert text.count("has 10 lines") == 2, text
    assert project.json("search", "beyond")["results"] == []
    # an unsaved document longer than the file on disk: its own lines count
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="a\n" * 30)]))
    inside = {"start": {"line": 19, "character": 0}, "end": {"line": 21, "character": 0}}
    assert await command(client, "imi.recordNote", {"text": "on new lines", "uri": uri, "range": inside})
