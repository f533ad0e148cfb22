"""Hover: the records in markdown on the first line, the anchored records inside their range, nothing elsewhere."""

from __future__ import annotations

from lsprotocol import types

from lsp_helpers import hover, open_doc, start


async def test_hover_shows_the_records_in_markdown_on_the_first_line_and_in_anchored_ranges(client, memory):
    project, ids = memory
    await start(client, project.root)
    uri = open_doc(client, project.root / "src/app.py")
    found = await hover(client, uri, 0)
    assert found.contents.kind == types.MarkupKind.Markdown
    text = found.contents.value
    assert "### Lesson: the mutex was dropped before the write" in text  # the lesson leads, not its id
    assert f"· `{ids['lesson']}`" in text  # its id at the end
    assert "**Correct behaviour:** hold the lock across the write" in text
    assert "Verified by **test_writer_lock**" in text
    assert "**Why:** readers must never block writers" in text
    assert "in progress, claimed by **claude-1**" in text
    assert "recorded by **tester**" in text  # who recorded the lesson
    assert "remember that src/app.py is hot" in text

    # inside the anchored range: only its records, over the range
    found = await hover(client, uri, 3)  # line 4, inside 3-4
    assert "the mutex was dropped before the write" in found.contents.value
    assert "use WAL mode" not in found.contents.value
    assert (found.range.start.line, found.range.end.line) == (2, 4)
    assert await hover(client, uri, 6) is None  # elsewhere: nothing


async def test_hover_respects_the_kinds_setting(client, memory):
    project, ids = memory
    await start(client, project.root, options={"imi": {"kinds": ["decision"]}})
    uri = open_doc(client, project.root / "src/app.py")
    text = (await hover(client, uri, 0)).contents.value
    assert "use WAL mode" in text and "mutex" not in text
    assert await hover(client, uri, 3) is None
