"""Real VS Code (code-server 4.139 = VS Code 1.139) in headless Chromium, with the IMI extension built from
editors/vscode and installed as a .vsix, on a workspace whose memory the real CLI wrote.

The browser session (vscode_session.mjs) acts as the user and writes down what they saw; these
tests read it, and read the database through the CLI to see what the commands wrote.
Screenshots land in tests/editors/artifacts/vscode/ (the best are copied to docs/img/).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from editor_demo import LESSON_FIX, LESSON_LINES, LESSON_TEXT
from tools import VSCODE, chromium, code_server, extension_deps, node24, npm, require

pytestmark = pytest.mark.slow
SESSION = Path(__file__).with_name("vscode_session.mjs")
ARTIFACTS = Path(__file__).with_name("artifacts") / "vscode"

SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": True,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Stop a process we started in its own session, with everything it started (by its pid's group)."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    else:  # the leader is gone: its group may not be
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run(cmd: list[str], *, cwd: Path, env: dict, timeout: float, what: str) -> str:
    """Run a command in its own process group; its output, or a failure that shows it."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        out, _ = proc.communicate()
        pytest.fail(f"{what} took more than {timeout} s:\n{out[-3000:]}")
    finally:
        stop(proc)
    if proc.returncode != 0:
        pytest.fail(f"{what} failed ({proc.returncode}):\n{out[-3000:]}")
    return out


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"code-server did not answer on {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def test_extension_typechecks_and_its_unit_tests_pass(editor_env):
    """tsc --strict over the sources, then node --test over the pure modules (launch, settings, model, args)."""
    require(npm(), extension_deps())
    run(["npm", "run", "typecheck"], cwd=VSCODE, env=editor_env, timeout=300, what="npm run typecheck")
    out = run(["npm", "test"], cwd=VSCODE, env=editor_env, timeout=300, what="npm test")
    assert "# fail 0" in out and "# pass 0" not in out, out[-2000:]


@pytest.fixture(scope="module")
def vsix(module_tmp, editor_env) -> Path:
    """The extension built and packaged as a user's VS Code or Cursor installs it."""
    require(npm(), extension_deps())
    run(["npm", "run", "package"], cwd=VSCODE, env=editor_env, timeout=300, what="npm run package")
    built = VSCODE / "imi-memory.vsix"
    assert built.is_file() and built.stat().st_size > 10_000
    return shutil.copy(built, module_tmp / "imi-memory.vsix")


@pytest.fixture(scope="module")
def session(demo, module_tmp, editor_env, vsix):
    """code-server with the extension, opened on the demo workspace in Chromium by the scripted user."""
    node, server, browser = node24(), code_server(), chromium()
    require(node, server, browser)
    data, extensions = module_tmp / "vscode-data", module_tmp / "vscode-extensions"
    (data / "User").mkdir(parents=True)
    (data / "User" / "settings.json").write_text(json.dumps(SETTINGS, indent=2))
    env = dict(editor_env)
    # VS Code's server takes its environment from a login shell: PATH must come through the profile,
    # as a user's does (that is where their venv or pipx puts imi-lsp)
    Path(env["HOME"], ".profile").write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    base = [str(node), str(server), "--user-data-dir", str(data), "--extensions-dir", str(extensions)]
    run([*base, "--install-extension", str(vsix)], cwd=module_tmp, env=env, timeout=120, what="installing the .vsix")
    assert list(extensions.glob("imi.imi-memory-*")), "the extension is not installed"

    port = free_port()
    log = module_tmp / "code-server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*base, "--auth", "none", "--bind-addr", f"127.0.0.1:{port}", "--disable-telemetry",
                                 "--disable-update-check", "--disable-workspace-trust", str(demo.root)],
                                cwd=demo.root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc, log)
        shots = ARTIFACTS
        shutil.rmtree(shots, ignore_errors=True)
        shots.mkdir(parents=True)
        seen_file = module_tmp / "seen-vscode.json"
        session_env = {**env, "IMI_URL": f"http://127.0.0.1:{port}/?folder={demo.root}", "IMI_OUT": str(seen_file),
                       "IMI_SHOTS": str(shots), "IMI_VSCODE_DIR": str(VSCODE), "IMI_CHROMIUM": str(browser),
                       "IMI_PYTHON": sys.executable, "IMI_WS": str(demo.root)}
        proc_out = None
        try:
            proc_out = run([str(node), str(SESSION)], cwd=module_tmp, env=session_env, timeout=300,
                           what="the VS Code session")
        finally:
            seen = json.loads(seen_file.read_text()) if seen_file.is_file() else {}
            if seen.get("failed") or proc_out is None:
                logs = "\n".join(p.read_text()[-2000:] for p in data.glob("logs/*/exthost*/imi.imi-memory/*.log"))
                pytest.fail(f"the session stopped at {seen.get('failed')} (screenshot in {shots}); "
                            f"extension log:\n{logs}")
        # what the user would find in Output: the extension's channel, and the extension host's log
        seen["imi_log"] = "\n".join(p.read_text() for p in data.glob("logs/*/exthost*/imi.imi-memory/*.log"))
        seen["exthost_log"] = "\n".join(p.read_text() for p in data.glob("logs/*/exthost*/*exthost.log"))
        yield seen, demo
    finally:
        stop(proc)


def test_the_extension_starts_the_server_and_shows_the_task_in_progress(session):
    seen, demo = session
    assert seen["steps"][-1] == "done"
    assert seen["status_before"] == "Write rows in one transaction"  # claude-1's task, from the CLI
    assert seen["console_errors"] == []


def test_lens_text_over_a_file_a_lesson_names(session):
    seen, _ = session
    start, end = LESSON_LINES
    assert seen["lenses"] == ["⚑ 1 lesson", f"⚑ 1 lesson (lines {start}-{end})"]


def test_hover_shows_the_lesson(session):
    seen, _ = session
    assert LESSON_TEXT in seen["hover"]
    assert LESSON_FIX in seen["hover"]


def test_a_write_by_the_cli_shows_up_in_lens_and_view(session):
    seen, _ = session
    assert seen["lenses_after_cli"][0] == "⚑ 1 lesson · 1 decision"
    assert seen["live_lens_ms"] < 5000 and seen["live_view_ms"] < 5000, (seen["live_lens_ms"], seen["live_view_ms"])


def test_typing_in_the_lessons_area_puts_a_warning_in_problems(session):
    seen, demo = session
    assert seen["problems_before"] == "No Problems"
    assert seen["problems_after"] == "Warnings: 1"
    [header, warning] = seen["problems"]
    assert "cache.py" in header
    assert warning.startswith(f"Warning: Lesson: {LESSON_TEXT}")
    assert LESSON_FIX in warning
    assert warning.index(demo.ids["lesson"]) > warning.index(LESSON_FIX)  # the id comes last
    assert "at line 13" in warning
    assert seen["squiggles"] == 1


def test_project_memory_view_shows_goals_tasks_decisions_lessons(session):
    seen, _ = session
    rows = [(r["level"], r["label"], r["description"]) for r in seen["memory_rows"]]
    assert rows == [
        (1, "Goals", "1"),
        (2, "Ship the CSV importer", "1/3 done · high"),
        (3, "Parse CSV rows", "done"),
        (3, "Write rows in one transaction", "in progress · claude-1"),
        (3, "Document the import format", "todo"),
        (1, "Decisions", "1"),
        (2, "Keep one SQLite connection per process", "src/db.py"),
        (1, "Lessons", "1"),
        # labels fit the default side bar; the tooltip has the whole lesson
        (2, LESSON_TEXT[:43] + "…", f"src/cache.py:{LESSON_LINES[0]}-{LESSON_LINES[1]}"),
    ]


def test_start_task_from_the_palette_claims_it_and_the_status_bar_follows(session):
    seen, demo = session
    assert len(seen["start_choices"]) == 1 and "Document the import format" in seen["start_choices"][0]
    assert seen["status_after_start"] == "Document the import format +1"  # mine first, then claude-1's
    task = demo.tasks()[demo.ids["task_todo"]]
    assert task["status"] == "in_progress"
    assert task["agent_id"] == "tester"


def test_record_lesson_here_anchors_to_the_selected_lines(session):
    seen, demo = session
    assert "Recorded lesson" in seen["lesson_toast"]
    [hit] = [h for h in demo.imi("search", "checkpoints")["results"] if h["kind"] == "lesson"]
    record = demo.imi("show", hit["id"])
    assert record["text"] == "A second connect() broke WAL checkpoints"
    assert record["correct_behavior"] == "Reuse the connection: call connection(), never sqlite3.connect"
    assert [(f["path"], f["line_start"], f["line_end"]) for f in record["files"]] == [("src/db.py", 8, 11)]


def test_show_context_renders_the_context_in_a_view(session):
    seen, _ = session
    assert seen["context_tab"].replace("\n", "") == "context"
    assert seen["context_has_heading"] >= 1  # rendered markdown, not the source in an editor
    text = seen["context_text"].replace("\u00a0", " ")
    assert text.startswith("IMI context (shop)")
    assert "A second connect() broke WAL checkpoints" in text  # written a moment ago, in the editor


def test_memory_for_this_file_follows_the_active_editor(session):
    seen, _ = session
    [section, lesson] = seen["this_file_rows"]
    assert (section["label"], section["description"]) == ("Memory for this file", "src/cache.py · 1")
    assert lesson["label"].startswith("Readers saw half-written entries")


def test_search_shows_results_as_you_type_and_opens_the_record(session):
    seen, demo = session
    [hit] = [r for r in seen["search_rows"] if "Readers saw" in r["label"]]
    assert hit["icon"]  # the kind's icon
    assert hit["detail"].startswith(f"src/cache.py:{LESSON_LINES[0]}-{LESSON_LINES[1]} · lesson · ")  # file, kind, age
    assert hit["detail"].endswith(demo.ids["lesson"])
    assert not any((demo.root.parent / "cache").rglob("*.md"))  # no markdown files written and opened


def test_a_record_opens_rendered_with_links_history_and_actions(session):
    seen, demo = session
    text = seen["record_view"].replace("\u00a0", " ")
    assert text.startswith(f"Lesson: {LESSON_TEXT}")
    assert f"Correct behaviour: {LESSON_FIX}" in text
    assert "History" in text and "created by tester" in text
    assert seen["record_buttons"] == ["Verify (still true)", "Supersede…", "Archive"]
    assert seen["record_tab"].startswith("Lesson: Readers saw")  # the lesson names the tab, not its id
    assert "cache.py" in seen["link_opened"].replace("\n", "")  # the link opened the code
    # lines 10-16 selected: the cursor ends at the start of line 17
    assert seen["link_selection"].startswith("Ln 17, Col 1") and "selected" in seen["link_selection"], seen["link_selection"]


def test_archive_from_the_record_view_removes_it_from_the_view(session):
    seen, demo = session
    assert seen["archived_gone"]
    [hit] = [h for h in demo.imi("search", "max_age")["results"] if h["kind"] == "decision"]
    assert demo.imi("show", hit["id"])["archived_at"]


def test_records_can_be_grouped_by_file(session):
    seen, _ = session
    labels = [label for label, _ in seen["by_file_rows"]]
    assert labels[0] == "Goals"
    assert "src/cache.py" in labels and "src/db.py" in labels


def test_the_output_channel_carries_no_noise(session):
    seen, _ = session
    assert "starting" in seen["imi_log"]  # the log is there, and read
    assert "Cancel notification" not in seen["imi_log"]  # pygls's note on requests cancelled after their answer
    assert "memory stale from" not in seen["imi_log"]  # routine reloads stay in the server's own log
    assert seen["exthost_log"] and "will be dropped" not in seen["exthost_log"]  # code actions only of the kinds VS Code asked for


def test_a_captured_session_shows_up_for_review_and_is_accepted_edited_and_rejected(session):
    seen, demo = session
    assert seen["review_status"] == "2 to review"  # in the status bar, pushed by the server
    assert seen["live_review_ms"] < 10000, seen["live_review_ms"]
    assert [(r["level"], r["label"], r["description"]) for r in seen["review_rows"]] == [
        (1, "Pending review", "2"),
        # the summary for the task claude-1 holds, then the lesson, in the order the hook proposed them
        (2, "Write rows in one transaction: No file chan…", "task summary · sess-42"),
        (2, "`pytest tests/test_cache.py` failed until s…", "lesson · sess-42"),
    ]
    view = seen["proposal_view"].replace("\u00a0", " ")
    assert view.startswith("Lesson (proposed, pending review)") and "session sess-42" in view
    assert "Proposed by claude-1" in view
    assert seen["proposal_buttons"] == ["Accept", "Accept edited…", "Reject", "Accept all 2 from this session"]
    assert seen["edit_prompt_value"].startswith("`pytest tests/test_cache.py` failed until")
    assert "Accepted: lesson" in seen["accept_toast"]
    assert "Accepted by tester" in seen["proposal_after"]
    assert seen["review_done"]
    listed = {p["kind"]: p for p in demo.imi("review", "--all")["proposals"]}
    assert listed["lesson"]["status"] == "accepted" and listed["summary"]["status"] == "rejected"
    lesson = demo.imi("show", listed["lesson"]["record_id"])
    assert lesson["text"] == "tests/test_cache.py failed until get() took cache_lock"
    assert lesson["correct_behavior"] == seen["edit_second_value"]
    assert lesson["agent"] == "claude-1"
    assert (lesson["provenance"]["approved_by"], lesson["provenance"]["session"]) == ("tester", "sess-42")
