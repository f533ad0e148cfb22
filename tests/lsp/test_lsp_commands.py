"""Workspace commands: safe from the palette (`arguments: []`), useful with arguments, strict about their types."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_helpers import command, lenses, messages, open_doc, shown_text, start

PALETTE_COMMANDS = ["imi.showContext", "imi.showFileMemory", "imi.showRecords", "imi.showRecord", "imi.search",
                    "imi.acknowledgeLesson", "imi.recordDecision", "imi.recordLesson", "imi.recordNote",
                    "imi.startTask", "imi.completeTask", "imi.init", "imi.readView", "imi.archive",
                    "imi.memoryTree", "imi.readContext", "imi.readFileMemory", "imi.find", "imi.fileRecords",  # data for clients
                    "imi.reanchor", "imi.verify", "imi.supersede",  # stale-anchor fixes (test_lsp_anchors.py)
                    "imi.pendingCount", "imi.proposals", "imi.acceptProposal", "imi.rejectProposal",
                    "imi.acceptSession"]  # review (test_lsp_review.py)


async def test_every_command_is_advertised_and_answers_an_empty_argument_list(client, memory):
    project, _ = memory
    before = project.checksum()
    result = await start(client, project.root)
    assert sorted(result.capabilities.execute_command_provider.commands) == sorted(PALETTE_COMMANDS)
    for name in PALETTE_COMMANDS:
        if name == "imi.startTask":
            continue  # asks which task to start: covered below
        await command(client, name)  # no JSON-RPC error, whatever the command
    assert "To record a lesson here" in messages(client)
    assert "imi.search needs words" in messages(client)
    assert "already set up" in messages(client)
    assert project.checksum() == before  # nothing was written without its text


async def test_show_context_and_file_memory_open_views(client, memory):
    project, ids = memory
    await start(client, project.root)
    await command(client, "imi.showContext")
    assert "# IMI context" in shown_text(client) and "use WAL mode" in shown_text(client)
    uri = open_doc(client, project.root / "src/app.py")
    await command(client, "imi.showFileMemory")  # from the palette: the file the user is in
    assert "# IMI memory for src/app.py" in shown_text(client)
    assert "the mutex was dropped before the write" in shown_text(client)
    await command(client, "imi.showFileMemory", uri)
    assert "# IMI memory for src/app.py" in shown_text(client)
    assert all(doc.uri.startswith((project.root.parent / "cache").as_uri()) for doc in client.shown_documents)


async def test_record_a_lesson_here_anchors_it_to_the_file_and_selection(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/other.py")
    selection = {"start": {"line": 5, "character": 0}, "end": {"line": 7, "character": 0}}  # lines 6-7 selected
    result = await command(client, "imi.recordLesson", {
        "text": "retries hid the timeout", "correctBehavior": "fail fast and log", "verifiedBy": "ci run 42",
        "uri": uri, "range": selection})
    assert result["kind"] == "lesson"
    shown = project.json("show", result["id"])
    assert [f["path"] for f in shown["files"]] == ["src/other.py"]
    assert (shown["files"][0]["line_start"], shown["files"][0]["line_end"]) == (6, 7)
    assert shown["verified_by"] == "ci run 42" and shown["agent"] == "tester"
    assert f"Recorded lesson {result['id']} (src/other.py:6-7)" in messages(client)
    found = await lenses(client, uri)
    assert [lens.range.start.line for lens in found] == [0, 5]
    if client.editor == "visual-studio-code":
        assert client.refreshes >= 1  # lenses refresh at once where the client supports it


async def test_record_a_decision_and_a_note(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "docs/readme.md")
    decision = await command(client, "imi.recordDecision", {"what": "docs in markdown", "why": "renders on forges",
                                                            "uri": uri})
    note = await command(client, "imi.recordNote", "look at the docs again")  # positional, no anchor
    await command(client, "imi.recordNote", "the cause is in src/gone.py")
    assert "not linked: src/gone.py does not exist" in messages(client)  # said, never dropped silently
    assert project.json("show", decision["id"])["files"][0]["path"] == "docs/readme.md"
    assert project.json("show", note["id"])["content"] == "look at the docs again"
    [top] = await lenses(client, uri)
    assert top.command.title == "⚑ 1 decision"


BAD_ARGUMENTS = [
    ([42], "text must be text"),
    ([{"text": "x"}], "correctBehavior is required"),
    ([{"text": "x", "correctBehavior": "y", "range": {"start": 1}}], "range must be an LSP range"),
    ([{"text": "x", "correctBehavior": "y", "uri": "file:///elsewhere/x.py"}], "not in a workspace folder"),
    ([[1, 2]], "takes one object"),
    (["x", "y", "z", "too many"], "takes one object"),
]


async def test_wrong_arguments_get_one_message_each_and_write_nothing(client, memory):
    project, _ = memory
    before = project.checksum()
    await start(client, project.root)
    for arguments, expected in BAD_ARGUMENTS:
        assert await command(client, "imi.recordLesson", *arguments) is None
        assert expected in client.messages[-1].message, arguments
        assert client.messages[-1].type == types.MessageType.Error
    assert len(client.messages) == len(BAD_ARGUMENTS)
    assert await command(client, "imi.showRecords", {"uri": 3}) is None
    assert "uri must be text" in client.messages[-1].message
    assert project.checksum() == before
    assert await lenses(client, open_doc(client, project.root / "src/app.py"))  # still serving


async def test_start_from_the_palette_offers_the_ready_tasks_then_complete_with_arguments(client, project):
    goal = project.new("goal", "g")
    task = project.new("task", goal, "write the docs")
    await start(client, project.root)
    started = await command(client, "imi.startTask")
    assert [a.title for a in client.asked[0].actions] == [f"write the docs ({task})"]
    assert started["status"] == "in_progress" and started["claimant"] == "tester"
    await command(client, "imi.completeTask")  # no summary from the palette: says how
    assert "needs its id and a summary" in messages(client) and task in messages(client)
    done = await command(client, "imi.completeTask", task, "docs written")
    assert done["status"] == "done"
    assert project.json("show", task)["summary"] == "docs written"


async def test_search_and_show_record(client, memory):
    project, ids = memory
    await start(client, project.root)
    result = await command(client, "imi.search", "mutex")
    assert [hit["id"] for hit in result["results"]] == [ids["lesson"]]
    assert ids["lesson"] in shown_text(client)
    await command(client, "imi.showRecord", ids["decision"][:8])  # a unique prefix is enough
    assert "readers must never block writers" in shown_text(client)
    assert await command(client, "imi.showRecord", "nosuchid") is None
    assert "no record" in messages(client)


async def test_an_unknown_command_is_an_error_reply_and_the_server_keeps_serving(client, memory):
    project, _ = memory
    await start(client, project.root)
    with pytest.raises(JsonRpcException, match="imi.nope"):
        await command(client, "imi.nope")
    assert any("unknown command 'imi.nope'" in m.message for m in client.log_messages)
    assert await lenses(client, open_doc(client, project.root / "src/app.py"))
