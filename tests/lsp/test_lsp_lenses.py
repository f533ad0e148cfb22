"""Code lenses: where they appear, what resolve says, what clicking shows, and the settings that shape them."""

from __future__ import annotations

from lsprotocol import types

from lsp_helpers import command, lenses, messages, open_doc, shown_text, start, until


async def test_a_named_file_gets_a_summary_lens_and_a_lens_above_the_anchored_range(client, memory):
    project, ids = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")

    unresolved = await lenses(client, uri, resolve=False)
    assert [lens.range.start.line for lens in unresolved] == [0, 2]
    assert all(lens.command is None for lens in unresolved)  # the first answer is only placement

    top, anchored = await lenses(client, uri)
    assert top.command.title == "⚑ 1 lesson · 1 decision · 1 note · task in progress by claude-1"
    assert anchored.command.title == "⚑ 1 lesson (lines 3-4)"

    await command(client, top.command.command, *top.command.arguments)
    view = shown_text(client)
    for text in ("the mutex was dropped before the write", "use WAL mode", "wire the lenses", "src/app.py is hot"):
        assert text in view
    await command(client, anchored.command.command, *anchored.command.arguments)
    view = shown_text(client)
    assert "hold the lock across the write" in view and "use WAL mode" not in view


async def test_files_named_only_by_a_glob_get_one_lens_and_others_none(client, memory):
    project, ids = memory
    await start(client, project.root)
    other = await lenses(client, open_doc(client, project.root / "src/other.py"))
    assert [lens.command.title for lens in other] == ["⚑ 1 decision"]
    assert await lenses(client, open_doc(client, project.root / "docs/readme.md")) == []
    outside = project.root.parent / "outside.py"
    outside.write_text("x\n")
    assert await lenses(client, open_doc(client, outside)) == []
    assert messages(client) == ""  # nothing to complain about


async def test_lenses_can_be_limited_to_some_kinds_or_turned_off(client, memory):
    project, _ = memory
    await start(client, project.root, options={"imi": {"kinds": ["lesson", "task"]}})
    uri = open_doc(client, project.root / "src/app.py")
    top, _anchored = await lenses(client, uri)
    assert top.command.title == "⚑ 1 lesson · task in progress by claude-1"

    client.set_configuration({"codeLens": {"enable": False}}, section="imi")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await until(lambda: _no_lenses(client, uri)) is True


async def _no_lenses(client, uri):
    return await lenses(client, uri) == []


async def test_an_invalid_setting_is_reported_and_the_default_kept(client, memory):
    project, _ = memory
    await start(client, project.root, options={"imi": {"codeLens": {"enable": "yes"}, "kinds": ["lesson", "bug"]}})
    assert len(await lenses(client, open_doc(client, project.root / "src/app.py"))) == 2
    text = messages(client)
    assert "imi.codeLens.enable" in text and "imi.kinds" in text
    assert all(m.type == types.MessageType.Warning for m in client.messages)
