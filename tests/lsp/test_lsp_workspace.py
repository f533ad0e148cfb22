"""Workspaces: several folders with their own memory, a folder with none yet, files outside, symbol search."""

from __future__ import annotations

from pygls import uris

from imi_testing import Project
from lsp_helpers import change, command, hover, lenses, messages, open_doc, barrier, start, WAIT

import asyncio
from lsprotocol import types


async def symbols(client, query):
    return await asyncio.wait_for(client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query)), WAIT)


async def test_each_folder_of_a_multi_root_workspace_uses_its_own_memory(client, tmp_path, clean_env):
    front, back = Project(tmp_path / "front", clean_env), Project(tmp_path / "back", clean_env)
    for project in (front, back):
        project.root.mkdir()
        project.ok("init")
        project.file("main.py", "a\nb\n")
    front.ok("decide", "the main page uses htmx", "fewer moving parts", "--files", "main.py")
    back.ok("lesson", "back main leaked sockets", "--correct-behavior", "close them", "--files", "main.py")
    await start(client, front.root, back.root)
    [front_lens] = await lenses(client, open_doc(client, front.root / "main.py"))
    [back_lens] = await lenses(client, open_doc(client, back.root / "main.py"))
    assert front_lens.command.title == "⚑ 1 decision"
    assert back_lens.command.title == "⚑ 1 lesson"
    found = await symbols(client, "main")
    assert {s.location.uri for s in found} == {(front.root / "main.py").as_uri(), (back.root / "main.py").as_uri()}


async def test_a_folder_added_later_gets_its_memory(client, tmp_path, clean_env):
    first, second = Project(tmp_path / "first", clean_env), Project(tmp_path / "second", clean_env)
    for project in (first, second):
        project.root.mkdir()
        project.ok("init")
        project.file("x.py", "a\n")
    second.ok("log", "second folder note", "--files", "x.py")
    await start(client, first.root)
    uri = open_doc(client, second.root / "x.py")
    assert await lenses(client, uri) == []  # not part of the workspace yet
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[types.WorkspaceFolder(uri=second.root.as_uri(), name="second")], removed=[])))
    [lens] = await lenses(client, uri)
    assert lens.command.title == "⚑ 1 note"
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[], removed=[types.WorkspaceFolder(uri=second.root.as_uri(), name="second")])))
    assert await lenses(client, uri) == []


async def test_without_memory_the_server_is_quiet_and_offers_to_initialise(client, bare):
    bare.file("src/app.py", "a\nb\nc\n")
    await start(client, bare.root)
    uri = open_doc(client, bare.root / "src/app.py")
    assert await lenses(client, uri) == []
    assert await hover(client, uri, 0) is None
    change(client, uri, 0, "x")
    await barrier(client)
    assert client.messages == [] and client.published == []
    assert any("imi.init" in m.message for m in client.log_messages)

    result = await command(client, "imi.init")
    assert result["created"] is True and bare.db.is_file()
    assert (bare.root / ".imi" / ".gitignore").is_file()
    await command(client, "imi.recordLesson", {"text": "first lesson", "correctBehavior": "keep it",
                                               "uri": uri})
    [lens] = await lenses(client, uri)
    assert lens.command.title == "⚑ 1 lesson"
    assert bare.json("search", "first")["results"][0]["kind"] == "lesson"  # the CLI sees what the editor wrote


async def test_files_outside_the_workspace_get_nothing(client, memory, tmp_path):
    project, _ = memory
    outside = tmp_path / "elsewhere.py"
    outside.write_text("a\nb\nc\nd\n")
    await start(client, project.root)
    uri = open_doc(client, outside)
    assert await lenses(client, uri) == []
    assert await hover(client, uri, 0) is None
    change(client, uri, 2, "x")
    await barrier(client)
    assert client.published == []
    assert await command(client, "imi.showFileMemory", uri) is None
    assert "not in a workspace folder" in messages(client)


async def test_workspace_symbols_search_memory_and_jump_to_the_file(client, memory):
    project, ids = memory
    await start(client, project.root)
    [lesson] = await symbols(client, "mutex")
    assert lesson.name == "lesson: the mutex was dropped before the write"
    assert lesson.location.uri == (project.root / "src/app.py").as_uri()
    assert lesson.location.range.start.line == 2  # its anchored line 3
    [goal] = await symbols(client, "ship")
    assert goal.name == "goal: ship the server"
    assert "ship the server" in open(uris.to_fs_path(goal.location.uri)).read()  # no file: a view of the record
    assert await symbols(client, "") == [] or list(await symbols(client, "")) == []
