"""Commands that answer editor clients with data and open nothing: imi.memoryTree, imi.readContext, imi.readFileMemory."""

from __future__ import annotations

from lsp_helpers import command, start


async def test_memory_tree_has_goals_with_tasks_decisions_and_lessons(client, memory, tmp_path):
    project, ids = memory
    bare = tmp_path / "bare"
    bare.mkdir()
    await start(client, project.root, bare)
    tree = await command(client, "imi.memoryTree")
    assert tree["agent"] == "tester"
    by_name = {f["name"]: f for f in tree["folders"]}
    assert by_name["bare"]["memory"] is False and "goals" not in by_name["bare"]
    folder = by_name[project.root.name]
    assert folder["memory"] is True and folder["folder"] == str(project.root)
    [goal] = folder["goals"]
    assert goal["id"] == ids["goal"] and goal["name"] == "ship the server"
    [task] = goal["tasks"]
    assert (task["id"], task["status"], task["claimant"], task["ready"]) == (ids["task"], "in_progress", "claude-1", False)
    assert [f["path"] for f in task["files"]] == ["src/app.py"]
    assert folder["tasks"] == []
    [decision] = folder["decisions"]
    assert decision["what"] == "use WAL mode" and decision["files"][0]["glob"] is True
    [lesson] = folder["lessons"]
    assert lesson["id"] == ids["lesson"]
    assert (lesson["files"][0]["line_start"], lesson["files"][0]["line_end"]) == (3, 4)
    assert client.shown_documents == []  # data only: nothing opened in the editor


async def test_ready_tasks_are_marked(client, memory):
    project, ids = memory
    todo = project.new("task", ids["goal"], "write the docs")
    blocked = project.new("task", ids["goal"], "publish the docs", "--blocked-by", todo)
    await start(client, project.root)
    tree = await command(client, "imi.memoryTree")
    tasks = {t["id"]: t for t in tree["folders"][0]["goals"][0]["tasks"]}
    assert (tasks[todo]["status"], tasks[todo]["ready"]) == ("todo", True)
    assert (tasks[blocked]["status"], tasks[blocked]["ready"]) == ("todo", False)


async def test_read_context_and_file_memory_return_text(client, memory):
    project, ids = memory
    await start(client, project.root)
    answer = await command(client, "imi.readContext", {"uri": project.root.joinpath("src/app.py").as_uri()})
    assert "# IMI context" in answer["text"] and "use WAL mode" in answer["text"]
    answer = await command(client, "imi.readFileMemory", {"uri": project.root.joinpath("src/app.py").as_uri()})
    assert answer["path"] == "src/app.py"
    assert "the mutex was dropped before the write" in answer["text"]


async def test_read_commands_answer_problems_as_text_for_agents(client, memory, tmp_path):
    project, _ = memory
    await start(client, project.root)
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x\n")
    answer = await command(client, "imi.readFileMemory", {"uri": outside.as_uri()})
    assert "not in a workspace folder with project memory" in answer["error"]
    answer = await command(client, "imi.readFileMemory")
    assert "uri is required" in answer["error"]
    answer = await command(client, "imi.readContext", {"budget": 3})
    assert "budget" in answer["error"]
