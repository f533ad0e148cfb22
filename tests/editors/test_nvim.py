"""Neovim 0.11 with editors/nvim on its runtimepath, headless, against the real imi-lsp and a workspace the CLI made.

The Lua session (nvim_session.lua) acts as the user and writes down what they would have
seen; these tests read it, and read the database through the CLI to see what the commands wrote.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from editor_demo import LESSON_LINES, LESSON_TEXT, LESSON_FIX
from tools import NVIM_RUNTIME, nvim, require

pytestmark = pytest.mark.slow
SESSION = __file__.replace("test_nvim.py", "nvim_session.lua")


@pytest.fixture(scope="module")
def session(demo, module_tmp):
    """Run the scripted session once; (what the user saw, the demo project)."""
    binary = nvim()
    require(binary)
    out = module_tmp / "seen.json"
    env = {**demo.env, "IMI_WS": str(demo.root), "IMI_OUT": str(out)}
    proc = subprocess.run([str(binary), "--clean", "--cmd", f"set runtimepath^={NVIM_RUNTIME}", "-l", SESSION],
                          cwd=demo.root, env=env, capture_output=True, text=True, timeout=180)
    seen = json.loads(out.read_text()) if out.is_file() else {}
    assert proc.returncode == 0, (f"nvim exited {proc.returncode} after steps {seen.get('steps')}\n"
                                  f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    assert seen["steps"][-1] == "done", seen
    return seen, demo


def test_client_attaches_from_lsp_config(session):
    seen, demo = session
    assert seen["attached"]
    assert seen["root_dir"] == str(demo.root)  # found by the .imi root marker
    assert seen["cmd"] == ["imi-lsp"]


def test_user_commands_exist(session):
    seen, _ = session
    assert seen["commands"] == {name: True for name in
                                ("ImiContext", "ImiLesson", "ImiDecide", "ImiLog", "ImiSearch", "ImiStart", "ImiComplete",
                                 "ImiReview", "ImiAccept", "ImiReject")}


def test_lenses_appear_on_a_file_a_lesson_names(session):
    seen, _ = session
    start, end = LESSON_LINES
    lenses = seen["lenses"]
    assert [lens["line"] for lens in lenses] == [0, start - 1]
    assert lenses[0]["title"] == "⚑ 1 lesson"
    assert lenses[1]["title"] == f"⚑ 1 lesson (lines {start}-{end})"


def test_an_edit_in_the_lessons_area_warns_and_one_elsewhere_does_not(session):
    seen, demo = session
    assert seen["diagnostics_elsewhere"] == []
    [warning] = seen["diagnostics"]
    assert warning["severity"] == "WARN"
    assert (warning["source"], warning["code"]) == ("imi", "lesson")
    assert warning["lnum"] == 12
    assert LESSON_TEXT in warning["message"]
    assert LESSON_FIX in warning["message"]
    assert "test_cache_concurrency" in warning["message"]
    assert demo.ids["lesson"] in warning["message"]


def test_recording_commands_write_to_the_memory_with_the_anchor(session):
    seen, demo = session
    assert seen["lesson_recorded"] and seen["decision_recorded"] and seen["note_recorded"], seen["messages"]
    assert seen["prompts"][:1] == ["Correct behaviour: "]
    [hit] = [h for h in demo.imi("search", "checkpoints")["results"] if h["kind"] == "lesson"]
    record = demo.imi("show", hit["id"])
    assert record["text"] == "A second connect() broke WAL checkpoints"
    assert record["correct_behavior"] == "Reuse the connection; call connection() instead of sqlite3.connect"
    assert [(f["path"], f["line_start"], f["line_end"]) for f in record["files"]] == [("src/db.py", 9, 12)]
    [decision] = [h for h in demo.imi("search", "batches")["results"] if h["kind"] == "decision"]
    decision = demo.imi("show", decision["id"])
    assert (decision["what"], decision["why"]) == ("Import in batches of 500 rows", "The importer must not stall readers")
    assert [f["path"] for f in decision["files"]] == ["src/db.py"]  # no range given: the whole file
    # the lens on db.py now counts the new lesson, without reopening the file
    assert not any("lesson" in lens["title"] for lens in seen["db_lenses_before"])
    assert any("lesson" in lens["title"] for lens in seen["db_lenses_after"]), seen["db_lenses_after"]


def test_task_commands_pick_claim_and_complete(session):
    seen, demo = session
    todo, wip = demo.ids["task_todo"], demo.ids["task_wip"]
    assert seen["start_completion"] == [todo]  # <Tab> after :ImiStart offers the ready task
    # :ImiStart with no id offered the ready task (the picker's first choice was taken) ...
    assert seen["start_select"]["prompt"] == "Start which task?"
    assert seen["start_select"]["items"] == [f"Document the import format ({todo})"]
    # ... and :ImiComplete the tasks in progress, the user's own before claude-1's
    assert seen["complete_select"]["items"] == [f"Document the import format ({todo}, tester)",
                                                f"Write rows in one transaction ({wip}, claude-1)"]
    assert seen["task_started"] and seen["task_completed"], seen["messages"]
    task = demo.tasks()[todo]
    assert task["status"] == "done"
    assert demo.tasks()[wip]["status"] == "in_progress"  # claude-1's is untouched


def test_reading_commands_open_views_in_scratch_buffers_without_a_second_server(session):
    seen, demo = session
    # :ImiSearch offers the results in vim.ui.select (Telescope, fzf-lua replace it) ...
    assert seen["search_select"]["prompt"] == "IMI memory: checkpoints"
    assert seen["search_select"]["items"][0].startswith("lesson: A second connect() broke WAL checkpoints · src/db.py:9")
    # ... and the chosen record opens rendered from the server, in a buffer that is no file
    search = seen["search"]
    assert search["name"].startswith("imi://Lesson: A second connect()")
    assert (search["buftype"], search["filetype"]) == ("nofile", "markdown")
    assert "**Correct behaviour:** Reuse the connection" in search["text"]
    assert "#### History" in search["text"]
    assert seen["actions_select"]["items"] == ["Verify (still true)", "Supersede…", "Archive"]  # `ga` in the view
    assert seen["verified"], seen["messages"]  # ... and the chosen one ran
    assert seen["link"] == {"name": "db.py", "line": 9}  # <CR> on its file link: the code at its lines
    assert "Keep one SQLite connection per process" in seen["context"]["text"]
    assert seen["context"]["buftype"] == "nofile"
    assert "Readers saw half-written entries" in seen["lens_view"]["text"]  # the lens, run
    assert seen["clients"] == 1  # the views started no second server
    assert not any((demo.root.parent / "cache").rglob("*.md"))  # and wrote no file


def test_a_refused_command_is_one_message_and_the_server_lives(session):
    seen, _ = session
    assert seen["refused"], seen["messages"]
    assert seen["alive_after"]


def test_a_captured_session_is_counted_and_reviewed_in_neovim(session):
    seen, demo = session
    assert seen["capture_code"] == 0
    assert seen["review_arrived"] and seen["review_status"] == "IMI: 2 to review"  # pushed by the server
    view = seen["review_view"]
    assert view["buftype"] == "nofile" and "Pending review: 2 proposals" in view["text"]
    assert "Session `sess-7` (2)" in view["text"]
    assert "Lesson (proposed, pending review)" in seen["proposal_view"]["text"]
    assert seen["proposal_actions"] == ["Accept", "Accept edited…", "Reject", "Accept all 2 from this session"]
    assert seen["accepted"], seen["messages"]
    [text_default, correct_default] = seen["edit_defaults"]  # the prompts start from the proposed text
    assert text_default.startswith("`pytest tests/test_cache.py` failed until")
    assert "Accepted by **tester**" in seen["proposal_after"]["text"]
    assert seen["rejected"], seen["messages"]
    assert seen["reject_select"]["prompt"] == "Reject which proposal?" and len(seen["reject_select"]["items"]) == 1
    assert seen["review_status_after"] == ""
    assert seen["pushed"][-3:] == [2, 1, 0]
    listed = {p["kind"]: p for p in demo.imi("review", "--all")["proposals"]}
    assert (listed["lesson"]["status"], listed["summary"]["status"]) == ("accepted", "rejected")
    lesson = demo.imi("show", listed["lesson"]["record_id"])
    assert lesson["text"] == "tests/test_cache.py failed until get() took cache_lock"
    assert lesson["correct_behavior"] == correct_default
    assert lesson["agent"] == "claude-1" and lesson["provenance"]["approved_by"] == "tester"
