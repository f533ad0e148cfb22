"""Emacs (emacs-nox) with eglot and imi.el on a real terminal (tmux): what is drawn (the lenses at the
end of their lines, the Flymake warning in its list), and screenshots for docs/editors.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from editor_demo import LESSON_LINES
from terminal import Tmux, save_screen
from tools import EDITORS, emacs, require, tmux

pytestmark = pytest.mark.slow
INIT = Path(__file__).with_name("emacs_screen_init.el")
ARTIFACTS = Path(__file__).with_name("artifacts") / "emacs"
WIDTH, HEIGHT = 118, 34


@pytest.fixture(scope="module")
def screen(demo, module_tmp, editor_env):
    binary = emacs()
    require(binary, tmux())
    env = {**editor_env, "TERM": "xterm-256color", "COLORTERM": "truecolor", "IMI_EMACS_DIR": str(EDITORS / "emacs")}
    term = Tmux(module_tmp / "tmux-emacs.sock", f"{binary} -nw -q -l {INIT} src/cache.py", cwd=demo.root, env=env,
                width=WIDTH, height=HEIGHT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield term, env
    finally:
        term.close()


def save(term: Tmux, env: dict, name: str) -> None:
    save_screen(term, env, ARTIFACTS, name, WIDTH, HEIGHT)


def test_lenses_are_drawn_and_an_edit_in_the_lessons_area_is_flagged(screen):
    term, env = screen
    start, end = LESSON_LINES
    shown = term.wait_for(f"⚑ 1 lesson (lines {start}-{end})", timeout=40)
    assert "⚑ 1 lesson" in shown.splitlines()[0]
    term.keys("M-g", "g")
    term.keys("13", literal=True)
    term.keys("Enter", "C-e")
    term.keys("  # read without the lock", literal=True)
    term.keys("M-x")
    term.keys("flymake-show-buffer-diagnostics", literal=True)
    term.keys("Enter")
    shown = term.wait_for("Lesson: Readers saw", timeout=40)
    assert "warning" in shown.lower()
    save(term, env, "emacs-lens-and-warning")
