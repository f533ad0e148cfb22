"""What editor clients render themselves: record pages (imi.readView), search as you type (imi.find),
a file's records (imi.fileRecords), the view's data with true counts and stale marks (imi.memoryTree),
archiving from a page (imi.archive), and code actions filtered by the kinds the client asked for."""

from __future__ import annotations

from lsprotocol import types

from lsp_helpers import command, messages, open_doc, start


async def test_a_record_page_links_its_files_lists_its_history_and_offers_actions(client, memory):
    project, ids = memory
    await start(client, project.root)
    page = await command(client, "imi.readView", {"view": "record", "id": ids["lesson"]})
    md = page["markdown"]
    assert md.startswith("### Lesson: the mutex was dropped before the write")
    assert "[`src/app.py:3-4`](src/app.py#L3-L4)" in md  # a link to the file at its lines, from the page's root
    assert page["root"] == str(project.root)
    assert "#### History" in md and "created by tester" in md
    titles = [a["title"] for a in page["actions"]]
    assert titles == ["Verify (still true)", "Supersede…", "Archive"]
    assert page["title"] == "Lesson: the mutex was dropped before the write"  # the lesson, not its id
    assert client.shown_documents == []  # a page opens nothing and writes no file

    task = await command(client, "imi.readView", {"view": "record", "id": ids["task"]})
    assert "claimed by claude-1" in task["markdown"]
    assert [a["command"] for a in task["actions"]][:1] == ["imi.completeTask"]


async def test_text_views_come_back_as_pages(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = (project.root / "src/app.py").as_uri()
    context = await command(client, "imi.readView", {"view": "context", "uri": uri})
    assert "# IMI context" in context["markdown"] and "use WAL mode" in context["markdown"]
    lens = await command(client, "imi.readView", {"view": "records", "uri": uri, "start": 3, "end": 4})
    assert "the mutex was dropped" in lens["markdown"] and "use WAL mode" not in lens["markdown"]
    await command(client, "imi.readView", {"view": "nonsense"})
    assert "view must be one of record, records, file, context, search" in messages(client)
    assert client.shown_documents == []


async def test_find_answers_each_keystroke_with_kind_title_file_and_age(client, memory):
    project, ids = memory
    await start(client, project.root)
    answer = await command(client, "imi.find", {"query": "mut"})  # a prefix, as typed so far
    [hit] = answer["results"]
    assert (hit["kind"], hit["id"], hit["title"]) == ("lesson", ids["lesson"], "the mutex was dropped before the write")
    assert hit["file"]["path"] == "src/app.py" and hit["file"]["line_start"] == 3
    assert hit["file"]["uri"] == (project.root / "src/app.py").as_uri()
    assert hit["age"] == "just now" or hit["age"].endswith("m ago")  # the memory was made in this test session
    assert (await command(client, "imi.find", {"query": ""}))["results"] == []
    assert client.shown_documents == []


async def test_archive_from_a_page_hides_the_record(client, memory):
    project, ids = memory
    await start(client, project.root)
    await command(client, "imi.archive", {"id": ids["decision"]})
    assert f"Archived decision {ids['decision']}" in messages(client)
    assert (await command(client, "imi.find", {"query": "WAL"}))["results"] == []
    tree = await command(client, "imi.memoryTree")
    assert tree["folders"][0]["decisions"] == [] and tree["folders"][0]["counts"]["decisions"] == 0
    await command(client, "imi.archive", {"id": ids["decision"]})
    assert "already archived" in messages(client)


async def test_the_tree_tells_the_true_count_pages_and_marks_stale_records(client, memory):
    project, ids = memory
    for i in range(3):
        project.new("decide", f"decision number {i}", "because")
    (project.root / "src/app.py").write_text("completely\ndifferent\ncontent\nnow\n")  # the lesson's lines are gone
    await start(client, project.root)
    folder = (await command(client, "imi.memoryTree", {"limits": {"decisions": 2}}))["folders"][0]
    assert len(folder["decisions"]) == 2 and folder["counts"]["decisions"] == 4  # not a silent cap
    [lesson] = folder["lessons"]
    assert lesson["id"] == ids["lesson"] and lesson["stale"] is True and folder["staleChecked"] is True
    assert all(d["stale"] is False for d in folder["decisions"])
    assert await command(client, "imi.memoryTree", {"limits": {"decisions": "all"}}) == {"folders": []}
    assert any("limits.decisions must be a positive whole number" in m.message for m in client.log_messages)


async def test_file_records_follow_the_file(client, memory):
    project, ids = memory
    await start(client, project.root)
    answer = await command(client, "imi.fileRecords", {"uri": (project.root / "src/app.py").as_uri()})
    assert answer["path"] == "src/app.py"
    assert {r["id"] for r in answer["records"]} >= {ids["lesson"], ids["decision"], ids["task"]}
    other = await command(client, "imi.fileRecords", {"uri": (project.root / "docs/readme.md").as_uri()})
    assert other["records"] == []


async def test_code_actions_are_only_of_the_kinds_asked_for(client, memory):
    project, _ = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    rng = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))

    async def kinds(only):
        found = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
            context=types.CodeActionContext(diagnostics=[], only=only)))
        return [a.kind for a in found or []]

    assert await kinds(None) == ["source.imi.showFileMemory"]
    assert await kinds([types.CodeActionKind.QuickFix]) == []  # no "will be dropped" in the editor's log
    assert await kinds([types.CodeActionKind.Source]) == ["source.imi.showFileMemory"]


async def test_reading_a_record_in_a_view_renews_it_like_a_hover(client, memory):
    project, ids = memory
    project.sql("UPDATE lessons SET created_at = created_at - 120 * 86400000 WHERE id = ?", (ids["lesson"],))
    aging = lambda: [i["id"] for s in project.json("think")["signals"] if s["key"] == "aging" for i in s["items"]]  # noqa: E731
    assert ids["lesson"] in aging()
    await start(client, project.root)
    await command(client, "imi.readView", {"view": "record", "id": ids["lesson"]})
    assert ids["lesson"] not in aging()
