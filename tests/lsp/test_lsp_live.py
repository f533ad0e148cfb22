"""Live memory: writes by other processes show up within a second; a broken database never stops the server."""

from __future__ import annotations

import asyncio
import os
import shutil

import apsw

from lsp_helpers import change, command, hover, lenses, messages, open_doc, published_after, start, titles, until


async def test_a_cli_write_from_another_process_refreshes_lenses_within_a_second(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/other.py")
    assert titles(await lenses(client, uri)) == ["⚑ 1 decision"]

    result = project.sub("lesson", "the cache was stale", "--correct-behavior", "invalidate on write",
                         "--files", "src/other.py")
    assert result.code == 0, str(result)
    loop = asyncio.get_running_loop()
    written = loop.time()
    if client.editor == "visual-studio-code":
        await until(lambda: client.refreshes > 0, timeout=30)  # the editor is told to ask again
    found = await until(lambda: _has_lesson(client, uri), timeout=30)
    assert loop.time() - written < 1.0
    assert titles(found) == ["⚑ 1 lesson · 1 decision"]
    if client.editor == "neovim":
        assert client.refreshes == 0  # Neovim 0.11 has no lens refresh: never sent to it


async def _has_lesson(client, uri):
    found = await lenses(client, uri)
    return found if found and "lesson" in found[0].command.title else None


async def test_a_warning_goes_away_when_its_lesson_is_archived_elsewhere(client, memory):
    project, ids = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    await published_after(client, lambda: change(client, uri, 2, "x"))
    assert project.sub("archive", ids["lesson"]).code == 0
    await until(lambda: client.published[-1].diagnostics == (), timeout=30)
    assert len(await lenses(client, uri)) == 1  # the anchored lens went with it


async def test_a_deleted_database_turns_memory_off_and_a_new_one_turns_it_on(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    assert await lenses(client, uri)
    shutil.rmtree(project.root / ".imi")
    await until(lambda: "was deleted" in messages(client), timeout=30)
    assert await lenses(client, uri) == []
    assert await hover(client, uri, 0) is None

    project.ok("init")
    project.ok("decide", "rebuilt memory", "after the loss", "--files", "src/app.py")
    found = await until(lambda: lenses(client, uri), timeout=30)
    assert titles(found) == ["⚑ 1 decision"]


async def test_a_replaced_database_file_is_reopened_and_followed(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/other.py")
    assert titles(await lenses(client, uri)) == ["⚑ 1 decision"]
    # restored from a backup, or rebuilt by a tool: a new file under the same name
    replacement = project.root / ".imi" / "incoming.db"
    shutil.copy(project.db, replacement)
    os.replace(replacement, project.db)
    await until(lambda: any("memory reopened" in m.message for m in client.log_messages), timeout=30)
    # writes to the new file reach the editor (the old, unlinked one would never change again)
    assert project.sub("log", "written after the swap", "--files", "src/other.py").code == 0
    found = await until(lambda: _titled(client, uri, "⚑ 1 decision · 1 note"), timeout=30)
    assert len(found) == 1


async def _titled(client, uri, title):
    found = await lenses(client, uri)
    return found if titles(found) == [title] else None


async def test_a_corrupt_database_is_reported_once_and_the_server_keeps_serving(client, memory):
    project, _ = memory
    project.db.write_bytes(b"this is not a database" * 100)
    for side in ("state.db-wal", "state.db-shm"):
        (project.root / ".imi" / side).unlink(missing_ok=True)
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    assert await lenses(client, uri) == []
    assert await hover(client, uri, 0) is None
    change(client, uri, 2, "x")
    assert await command(client, "imi.showContext") is None
    text = messages(client)
    assert text.count("project memory unavailable") == 2  # once when found, once for the command
    assert text.count("not a database") == 2
    assert "imi.init" not in text  # initialising would not help: the message says what is wrong


async def test_a_write_behind_another_process_lock_fails_cleanly_while_reads_go_on(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    holder = apsw.Connection(str(project.db))
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = len(await lenses(client, uri))
        result = await command(client, "imi.recordNote", {"text": "blocked note", "uri": uri})
        assert result is None
        assert "busy" in messages(client)
        assert len(await lenses(client, uri)) == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert await command(client, "imi.recordNote", {"text": "now it goes in", "uri": uri})


async def test_records_brought_in_by_git_reach_the_editor_without_a_cli_command(client, memory, tmp_path):
    project, _ = memory
    clone = tmp_path / "clone"
    shutil.copytree(project.root, clone)  # a teammate's clone: same memory, its own database
    from imi_testing import Project

    teammate = Project(clone, project.env)
    teammate.ok("lesson", "the teammate's lesson", "--correct-behavior", "pull first", "--files", "src/other.py")
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/other.py")
    assert titles(await lenses(client, uri)) == ["⚑ 1 decision"]
    # `git pull`: the teammate's version files arrive in .imi/records/; no imi command runs here
    shutil.copytree(clone / ".imi" / "records", project.root / ".imi" / "records", dirs_exist_ok=True)
    found = await until(lambda: _titled(client, uri, "⚑ 1 lesson · 1 decision"), timeout=30)
    assert found
