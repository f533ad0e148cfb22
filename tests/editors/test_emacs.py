"""Emacs 28 with eglot (Debian's emacs-nox and elpa-eglot) and editors/emacs/imi.el, in batch mode,
against the real imi-lsp on the demo workspace: the client attaches, lenses appear (eglot has none:
imi.el draws the server's), the hover shows the lesson, an edit in its lines gives the Flymake
warning, and a write by the CLI shows up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from editor_demo import LESSON_FIX, LESSON_LINES, LESSON_TEXT
from tools import EDITORS, emacs, require

pytestmark = pytest.mark.slow
SESSION = __file__.replace("test_emacs.py", "emacs_session.el")


@pytest.fixture(scope="module")
def session(demo, module_tmp):
    binary = emacs()
    require(binary)
    out = module_tmp / "seen-emacs.json"
    env = {**demo.env, "IMI_WS": str(demo.root), "IMI_OUT": str(out), "IMI_EMACS_DIR": str(EDITORS / "emacs"),
           "IMI_PYTHON": sys.executable}
    proc = subprocess.run([str(binary), "--batch", "-l", SESSION], cwd=demo.root, env=env,
                          capture_output=True, text=True, timeout=180)
    seen = json.loads(out.read_text()) if out.is_file() else {}
    assert proc.returncode == 0, f"emacs exited {proc.returncode}: {seen}\n{proc.stderr[-3000:]}"
    return seen, demo


def test_eglot_attaches_to_imi_lsp_at_the_folder_with_the_memory(session):
    seen, demo = session
    assert seen["mode"] == "python-mode"
    assert seen["server"] == "imi-lsp"
    assert seen["project"].rstrip("/") == str(demo.root)  # found by its .imi/ (no git here)


def test_lenses_appear_at_the_end_of_their_lines(session):
    seen, _ = session
    start, end = LESSON_LINES
    assert seen["lenses"] == [[0, "⚑ 1 lesson"], [start - 1, f"⚑ 1 lesson (lines {start}-{end})"]]


def test_hover_shows_the_lesson(session):
    seen, _ = session
    assert LESSON_TEXT in seen["hover"] and LESSON_FIX in seen["hover"]


def test_an_edit_in_the_lessons_lines_gives_the_warning(session):
    seen, _ = session
    warnings = [d for d in seen["diagnostics"] if "warning" in d[1]]
    [(line, _kind, text)] = warnings
    assert line == 12
    assert text.startswith(f"imi [lesson]: Lesson: {LESSON_TEXT}")  # eglot puts the source and code first


def test_a_write_by_the_cli_reaches_the_lens(session):
    seen, _ = session
    assert seen["lenses_after_cli"][0] == [0, "⚑ 1 lesson · 1 decision"]


def test_the_context_opens_in_a_read_only_view(session):
    seen, _ = session
    assert seen["context_buffer"].startswith("*imi: context")
    assert seen["context"].startswith("# IMI context (shop)")
