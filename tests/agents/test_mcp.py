"""`imi mcp`: a real MCP client session over stdio with the `mcp` package's own client."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import asynccontextmanager

import pytest

from imi_testing import IMI

TOOLS = {"context", "file_memory", "search", "decide", "lesson", "propose", "log", "start", "checkpoint", "complete"}


@asynccontextmanager
async def session(project, env=None):
    """A connected client talking to `python -m imi_cli mcp` in the project folder."""
    mcp = pytest.importorskip("mcp")
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=IMI[0], args=[*IMI[1:], "mcp"], cwd=str(project.root),
                                   env=project.process_env(env))
    async with mcp.Client(params, read_timeout_seconds=60) as client:
        yield client


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_the_tool_list_is_complete_and_small(project):
    async with session(project) as client:
        listed = (await client.list_tools()).tools
    assert {tool.name for tool in listed} == TOOLS
    as_json = json.dumps([tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in listed])
    assert len(as_json) < 8_000, len(as_json)
    for tool in listed:
        assert tool.description and len(tool.description) <= 100, tool.name
        assert tool.input_schema["type"] == "object"
    by_name = {tool.name: tool for tool in listed}
    assert by_name["decide"].input_schema["required"] == ["what", "why"]
    assert by_name["search"].annotations.read_only_hint is True
    assert by_name["decide"].annotations.read_only_hint is False


@pytest.mark.slow
async def test_context_search_and_file_memory_read_the_project(project):
    project.file("src/auth/refresh.py")
    project.new("vision", "auth that never logs a user out")
    project.new("lesson", "two refreshes raced", "--correct-behavior", "use a single-flight mutex",
                "--files", "src/auth/refresh.py")
    async with session(project) as client:
        context = await client.call_tool("context", {})
        found = await client.call_tool("search", {"query": "mutex"})
        memory = await client.call_tool("file_memory", {"path": "src/auth/refresh.py"})
        absolute = await client.call_tool("file_memory", {"path": str(project.root / "src/auth/refresh.py")})
    assert not context.is_error
    assert "# IMI context" in text_of(context) and "auth that never logs a user out" in text_of(context)
    assert "lesson" in text_of(found) and "mutex" in text_of(found)
    assert "two refreshes raced" in text_of(memory)
    assert text_of(absolute) == text_of(memory)


@pytest.mark.slow
async def test_decide_lesson_and_log_land_in_the_database(project):
    project.file("src/db.py")
    async with session(project, env={"IMI_AGENT_ID": "cursor-agent"}) as client:
        decided = await client.call_tool("decide", {"what": "use WAL mode", "why": "readers never block",
                                                     "files": ["src/db.py"]})
        learned = await client.call_tool("lesson", {"what_went_wrong": "tests shared one database",
                                                     "correct_behavior": "a tmp database per test"})
        logged = await client.call_tool("log", {"note": "focus on sync this week"})
    assert not (decided.is_error or learned.is_error or logged.is_error), text_of(decided)
    assert "Recorded decision" in text_of(decided) and "src/db.py" in text_of(decided)
    assert project.sql("SELECT what, why, agent FROM decisions") == [("use WAL mode", "readers never block",
                                                                      "cursor-agent")]
    assert project.sql("SELECT r.path FROM refs r JOIN decisions d ON d.id = r.record_id") == [("src/db.py",)]
    assert project.sql("SELECT what_went_wrong, correct_behavior FROM lessons") == [
        ("tests shared one database", "a tmp database per test")]
    assert project.sql("SELECT content FROM direction_notes WHERE kind = 'note'") == [("focus on sync this week",)]
    assert "use WAL mode" in project.ok("context").out  # the CLI sees what the MCP client wrote


@pytest.mark.slow
async def test_propose_holds_a_lesson_for_review_and_never_records_it(project):
    project.file("src/db.py")
    async with session(project, env={"IMI_AGENT_ID": "cursor-agent", "IMI_SESSION_ID": "s-9"}) as client:
        first = await client.call_tool("propose", {"kind": "lesson", "text": "migrations ran twice",
                                                   "detail": "guard with user_version", "files": ["src/db.py"]})
        again = await client.call_tool("propose", {"kind": "lesson", "text": "Migrations  ran twice",
                                                   "detail": "guard with user_version"})
        wrong = await client.call_tool("propose", {"kind": "goal", "text": "x"})
    assert "Proposed lesson" in text_of(first) and "imi review" in text_of(first)
    assert "Already proposed" in text_of(again)
    assert wrong.is_error and "lesson or decision" in text_of(wrong)
    assert project.sql("SELECT count(*) FROM lessons") == [(0,)]
    assert "migrations ran twice" not in project.ok("context").out
    [row] = project.json("review")["proposals"]
    assert (row["kind"], row["session"], row["proposed_by"], row["source"]) == ("lesson", "s-9", "cursor-agent", "mcp")


@pytest.mark.slow
async def test_start_checkpoint_and_complete_a_task(project):
    goal = project.new("goal", "sync")
    task = project.new("task", goal, "merge without conflicts")
    async with session(project, env={"IMI_AGENT_ID": "copilot"}) as client:
        started = await client.call_tool("start", {"task_id": task[:8]})
        saved = await client.call_tool("checkpoint", {"task_id": task, "note": "merge driver written"})
        done = await client.call_tool("complete", {"task_id": task, "summary": "merge driver and tests",
                                                   "outcome": "tests/sync pass"})
        twice = await client.call_tool("complete", {"task_id": task, "summary": "again"})
    assert f"Started task {task}" in text_of(started)
    assert "saved" in text_of(saved)
    assert not done.is_error and "Completed task" in text_of(done)
    assert twice.is_error and "already completed" in text_of(twice)
    assert project.sql("SELECT status, agent_id, summary FROM tasks WHERE id = ?", (task,)) == [
        ("done", "copilot", "merge driver and tests")]


@pytest.mark.slow
async def test_errors_are_tool_errors_and_the_server_keeps_serving(project):
    goal = project.new("goal", "g")
    task = project.new("task", goal, "held by someone")
    project.ok("start", task, env={"IMI_AGENT_ID": "other-agent"})
    before = project.checksum()
    async with session(project, env={"IMI_AGENT_ID": "me"}) as client:
        results = [
            await client.call_tool("start", {"task_id": "no-such-task"}),
            await client.call_tool("start", {"task_id": task}),
            await client.call_tool("decide", {"what": "   ", "why": "empty what"}),
            await client.call_tool("file_memory", {"path": "/etc/passwd"}),
            await client.call_tool("context", {"budget": 3}),
            await client.call_tool("decide", {"what": "x"}),  # missing argument
        ]
        alive = await client.call_tool("context", {})
    for result in results:
        assert result.is_error, text_of(result)
        assert "Traceback" not in text_of(result)
    assert "claimed by other-agent" in text_of(results[1])
    assert "outside the workspace" in text_of(results[3])
    assert not alive.is_error
    assert project.checksum() == before  # nothing was written by the failed calls


@pytest.mark.slow
async def test_outside_a_project_the_tools_say_so(bare):
    async with session(bare) as client:
        result = await client.call_tool("context", {})
    assert result.is_error and "no IMI project" in text_of(result)
    assert not bare.db.exists()


def test_without_the_mcp_package_imi_mcp_says_how_to_install_it(project, tmp_path):
    shadow = tmp_path / "no-mcp"
    (shadow / "mcp").mkdir(parents=True)
    (shadow / "mcp" / "__init__.py").write_text("raise ImportError('No module named mcp')\n")
    proc = subprocess.run([*IMI, "mcp"], cwd=project.root, capture_output=True, text=True, timeout=60,
                          env=project.process_env({"PYTHONPATH": str(shadow)}), stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["imi: error: `imi mcp` needs the MCP package: "
                                                "pip install 'imi-memory[mcp]'"]
    assert proc.stdout == ""


def test_the_server_module_imports_without_the_mcp_package():
    code = ("import sys; sys.modules['mcp'] = None; sys.modules['pydantic'] = None\n"
            "import imi_cli.agents.mcp_server as m\n"
            "try:\n    m.create_server()\nexcept Exception as e:\n    print(type(e).__name__, e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ImiError `imi mcp` needs the MCP package")
