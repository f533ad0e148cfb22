"""An anchor to lines a file does not have is refused with one clear line, and nothing is written."""

from __future__ import annotations

import pytest

SEVEN = "".join(f"line {i}\n" for i in range(1, 8))


@pytest.mark.parametrize("spec", ["src/app.py:900-901", "src/app.py:8", "src/app.py:8-9"])
@pytest.mark.parametrize("command", [("decide", "cache the index", "it is hot"),
                                     ("lesson", "the lock was dropped", "--correct-behavior", "hold it"),
                                     ("log", "look at this")])
def test_lines_past_the_end_of_the_file_are_refused(project, spec, command):
    project.file("src/app.py", SEVEN)
    result = project.fail(*command, "--files", spec, code=2)
    assert "src/app.py has 7 lines" in result.err, result.err


def test_lines_inside_the_file_and_a_range_running_past_its_end_are_kept(project):
    project.file("src/app.py", SEVEN)
    assert project.json("decide", "a", "b", "--files", "src/app.py:7")["files"]
    second = project.run("decide", "c", "d", "--files", "src/app.py:6-40", "--json")  # stderr: it shares line 7
    assert second.code == 0, str(second)
    files = second.json()["files"]
    assert (files[0]["line_start"], files[0]["line_end"]) == (6, 7)  # clamped to the file, as before


def test_a_file_that_does_not_exist_yet_can_still_be_named(project):
    project.ok("decide", "a", "b", "--files", "src/planned.py:10-12")


async def test_mcp_refuses_lines_past_the_end_too(project):
    mcp = pytest.importorskip("mcp")
    from mcp.client.stdio import StdioServerParameters

    from imi_testing import IMI

    project.file("src/app.py", SEVEN)
    before = project.checksum()
    params = StdioServerParameters(command=IMI[0], args=[*IMI[1:], "mcp"], cwd=str(project.root),
                                   env=project.process_env())
    async with mcp.Client(params, read_timeout_seconds=60) as client:
        result = await client.call_tool("decide", {"what": "cache it", "why": "hot", "files": ["src/app.py:900-901"]})
    text = "\n".join(block.text for block in result.content if block.type == "text")
    assert result.is_error, text
    assert "src/app.py has 7 lines" in text
    assert project.checksum() == before


def test_a_range_named_in_free_text_does_not_refuse_the_record(project):
    project.file("src/app.py", SEVEN)
    note = project.json("log", "the limiter at src/app.py:40-47 ignores refresh")
    assert [(f["path"], f["origin"]) for f in note["files"]] == [("src/app.py", "text")]
