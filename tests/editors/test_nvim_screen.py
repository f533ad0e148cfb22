"""Neovim 0.11 on a real terminal (tmux): what is drawn on the screen, and screenshots for docs/editors.md.

The headless test (test_nvim.py) checks what Neovim holds; this one checks what it draws:
the lens text above the lesson's lines and the warning after an edit there, as a user reads
them. The screen is also saved as PNG (tests/editors/artifacts/nvim/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from editor_demo import LESSON_LINES
from terminal import Tmux, save_screen
from tools import NVIM_RUNTIME, nvim, require, tmux

pytestmark = pytest.mark.slow
INIT = Path(__file__).with_name("nvim_screen_init.lua")
ARTIFACTS = Path(__file__).with_name("artifacts") / "nvim"
WIDTH, HEIGHT = 118, 30


@pytest.fixture(scope="module")
def screen(demo, module_tmp, editor_env):
    binary = nvim()
    require(binary, tmux())
    env = {**editor_env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    command = f"{binary} --cmd 'set runtimepath^={NVIM_RUNTIME}' -u {INIT} src/cache.py"
    term = Tmux(module_tmp / "tmux.sock", command, cwd=demo.root, env=env, width=WIDTH, height=HEIGHT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield term, env
    finally:
        term.close()


def save(term: Tmux, env: dict, name: str) -> None:
    save_screen(term, env, ARTIFACTS, name, WIDTH, HEIGHT)


def test_lenses_are_drawn_and_an_edit_in_the_lessons_area_shows_the_warning(screen):
    term, env = screen
    start, end = LESSON_LINES
    shown = term.wait_for(f"⚑ 1 lesson (lines {start}-{end})")
    assert "⚑ 1 lesson" in shown.splitlines()[0]  # the file's lens, at the end of line 1
    term.keys("13G")
    term.keys("A")
    term.keys("  # read without the lock", literal=True)
    term.keys("Escape")
    shown = term.wait_for("Lesson: ")
    line = next(row for row in shown.splitlines() if "read without the lock" in row)
    # the warning's text at the end of the line, with Neovim's defaults (the plugin turns on
    # virtual text for imi's diagnostics only)
    assert "Lesson: Readers saw" in line
    save(term, env, "nvim-lens-and-warning")


def test_a_write_says_so_in_one_line_without_a_press_enter_prompt(screen):
    term, env = screen
    term.keys(":ImiLog Focus on the importer this week, then on the cache; the CSV format is documented first", "Enter")
    shown = term.wait_for("Recorded note")
    assert "Press ENTER" not in shown
    last = [row for row in shown.splitlines() if row.strip()][-1]
    assert "Recorded note" in last  # on the command line, one line


def test_hover_shows_the_lesson(screen):
    term, env = screen
    term.keys(f"{LESSON_LINES[0]}G")
    term.keys("K")
    shown = term.wait_for("Correct behaviour")
    assert "Verified by" in shown
    save(term, env, "nvim-hover")
    term.keys("Escape")
