"""`imi mcp`: a real MCP client session over stdio (the `mcp` package's own client), and raw
JSON-RPC lines for what no well-behaved client sends."""

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
        unlinked = await client.call_tool("log", {"note": "the fix belongs in src/gone.py"})
    assert not (decided.is_error or learned.is_error or logged.is_error), text_of(decided)
    assert "Note: not linked: src/gone.py does not exist" in text_of(unlinked)  # never dropped silently
    assert "Recorded decision" in text_of(decided) and "src/db.py" in text_of(decided)
    assert project.sql("SELECT what, why, agent FROM decisions") == [("use WAL mode", "readers never block",
                                                                      "cursor-agent")]
    assert project.sql("SELECT r.path FROM refs r JOIN decisions d ON d.id = r.record_id") == [("src/db.py",)]
    assert project.sql("SELECT what_went_wrong, correct_behavior FROM lessons") == [
        ("tests shared one database", "a tmp database per test")]
    assert project.sql("SELECT content FROM direction_notes WHERE kind = 'note'") == [
        ("focus on sync this week",), ("the fix belongs in src/gone.py",)]
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
    assert f"Goal {goal} is done: all its tasks are (sync)" in text_of(done)  # its last task closed it
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
    assert result.is_error and "No IMI project" in text_of(result)
    assert not bare.db.exists()


def raw_session(project, lines: list) -> list[dict]:
    """Send raw lines (dicts are JSON-encoded) to `imi mcp`, close stdin, return every response line."""
    def encoded(line) -> bytes:
        if isinstance(line, bytes):
            return line
        return (line if isinstance(line, str) else json.dumps(line)).encode("utf-8", "surrogatepass")

    data = b"".join(encoded(line) + b"\n" for line in lines)
    proc = subprocess.run([*IMI, "mcp"], cwd=project.root, input=data, capture_output=True, timeout=60,
                          env=project.process_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]  # strict UTF-8: fails if not


INIT = {"jsonrpc": "2.0", "id": "init", "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def call(request_id, name, arguments) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def test_a_lone_surrogate_in_arguments_gets_an_answer_and_writes_nothing(project):
    before = project.checksum()
    # "\ud800" as some JSON encoders emit it: an escape (valid JSON) and raw bytes (not UTF-8)
    escaped = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"decide","arguments":' \
              b'{"what":"use \\ud800 WAL","why":"speed"}}}'
    raw = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"log","arguments":{"note":"x\ud800"}}}'
    replies = raw_session(project, [INIT, INITIALIZED, escaped, raw, call(3, "context", {})])
    by_id = {reply["id"]: reply for reply in replies}
    assert by_id[1]["result"]["isError"] is True
    assert by_id[1]["result"]["content"][0]["text"] == (
        "`what` is not valid Unicode text: it holds a lone surrogate (\\ud800) at character 5.")
    assert by_id[2]["result"] == {"isError": True, "content": [{"type": "text", "text": (
        "`note` is not valid Unicode text: it holds a lone surrogate (\\ud800) at character 2.")}]}
    assert by_id[3]["result"]["isError"] is False  # and the server carries on
    assert project.checksum() == before


@pytest.mark.parametrize("arguments, message", [
    ({"budget": "big"}, "`budget` must be a whole number from 500 to 100000, not text."),
    ({"budget": 3}, "`budget` must be a whole number from 500 to 100000 (got 3)."),
    ({"colour": "red"}, "context has no argument `colour`; it takes goal_id, budget."),
    ([1, 2], "The arguments of context must be a JSON object of named values."),
])
def test_argument_errors_are_one_sentence_naming_the_argument(project, arguments, message):
    [_, reply] = raw_session(project, [INIT, INITIALIZED, call(1, "context", arguments)])
    assert reply["result"] == {"content": [{"type": "text", "text": message}], "isError": True}


def test_missing_empty_and_oversized_arguments_say_what_is_expected(project):
    replies = raw_session(project, [INIT, INITIALIZED, call(1, "decide", {"what": "x"}),
                                    call(2, "lesson", {"what_went_wrong": "x", "correct_behavior": "  "}),
                                    call(3, "log", {"note": "n" * 100_001}),
                                    call(4, "decide", {"what": "x", "why": "y", "files": "src/a.py"})])
    texts = [reply["result"]["content"][0]["text"] for reply in replies[1:]]
    assert texts == ["decide needs the argument `why` (the reason for it).",
                     "`correct_behavior` must not be empty (what to do instead).",
                     "`note` is too long: 100001 characters, the limit is 100000.",
                     "`files` must be a list of strings, not text."]
    for text in texts:
        assert "--" not in text and "\n" not in text and "http" not in text


def test_requests_before_initialize_get_the_protocol_error(project):
    replies = raw_session(project, [call(1, "context", {}), {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                                    {"jsonrpc": "2.0", "id": 3, "method": "ping"}, INIT])
    assert [r["id"] for r in replies] == [1, 2, 3, "init"]
    for reply in replies[:2]:
        assert reply["error"]["code"] == -32600
        assert "send `initialize`" in reply["error"]["message"]
    assert replies[2]["result"] == {}
    assert replies[3]["result"]["serverInfo"]["name"] == "imi"


def test_every_malformed_request_is_answered_and_notifications_are_not(project):
    lines = [b"not json", b"[1, 2]", b'"text"', {"id": 5, "method": "ping"}, {"jsonrpc": "2.0", "id": {"x": 1},
             "method": "ping"}, {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {}},
             {"jsonrpc": "2.0", "id": 6, "method": "no/such/method"}, INIT,
             {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "drop_tables"}},
             {"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": "context"}]
    replies = raw_session(project, lines)
    codes = [(r["id"], r.get("error", {}).get("code")) for r in replies]
    assert codes == [(None, -32700), (None, -32600), (None, -32600), (5, -32600), (None, -32600), (6, -32601),
                     ("init", None), (7, -32602), (8, -32602)]
    assert "Unknown tool: `drop_tables`" in replies[7]["error"]["message"]


def test_tools_list_is_answered_without_loading_the_data_layer():
    """Readiness for the first model turn: nothing heavy is imported before a tool is called."""
    code = ("import sys, io, json\n"
            "from imi_cli.agents import mcp_server\n"
            "server = mcp_server.create_server()\n"
            "out = server.handle_message({'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {}})\n"
            "out = server.handle_message({'jsonrpc': '2.0', 'id': 2, 'method': 'tools/list'})\n"
            "assert len(out['result']['tools']) == 10\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('apsw', 'click', 'mcp', 'pydantic')"
            " or m.startswith('imi_cli.memory.'))\n"
            "print(json.dumps(heavy))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
