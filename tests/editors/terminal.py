"""A terminal program under a private tmux server: keys in, the screen out (text, and a PNG via Chromium).

The screen comes from `tmux capture-pane -e` (text with SGR colour codes); `to_html` turns
it into a page of coloured spans that headless Chromium renders to a PNG.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import time
from pathlib import Path

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
# xterm's 16 colours (the palette of a default terminal)
BASIC = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
         "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]
FG, BG = "#e0e2ea", "#14161b"  # Neovim 0.10+'s default dark scheme


def xterm256(n: int) -> str:
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (level, level, level)


class Tmux:
    """One tmux server on its own socket, with one window running `command`."""

    def __init__(self, socket: Path, command: str, *, cwd: Path, env: dict, width: int = 120, height: int = 32):
        self.socket = socket
        self.env = env
        self.cwd = cwd
        self.tmux(["new-session", "-d", "-s", "imi", "-x", str(width), "-y", str(height), command])

    def tmux(self, args: list[str]) -> str:
        return subprocess.run(["tmux", "-S", str(self.socket), "-f", "/dev/null", *args], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=30, check=True).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux(["send-keys", "-t", "imi", *(["-l"] if literal else []), *keys])

    def screen(self, colours: bool = False) -> str:
        return self.tmux(["capture-pane", "-p", "-t", "imi", *(["-e"] if colours else [])])

    def wait_for(self, text: str, timeout: float = 20) -> str:
        """The screen once `text` is on it (or an AssertionError showing the screen)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear on the screen within {timeout} s:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, timeout=30)


def to_html(ansi: str, title: str) -> str:
    """A page showing the captured screen with its colours, bold and reverse video."""
    fg, bg, bold, reverse, italic, underline = None, None, False, False, False, False
    out: list[str] = []
    for line in ansi.rstrip("\n").split("\n"):
        pos = 0
        parts: list[str] = []
        for match in [*SGR.finditer(line), None]:
            end = match.start() if match else len(line)
            text = line[pos:end]
            if text:
                f, b = (bg or BG, fg or FG) if reverse else (fg or FG, bg or BG)
                style = f"color:{f};background:{b}"
                style += ";font-weight:bold" if bold else ""
                style += ";font-style:italic" if italic else ""
                style += ";text-decoration:underline" if underline else ""
                parts.append(f'<span style="{style}">{html.escape(text)}</span>')
            if match is None:
                break
            pos = match.end()
            codes = [c for c in re.split(r"[;:]", match.group(1))] or ["0"]
            i = 0
            while i < len(codes):
                code = int(codes[i] or 0)
                if code == 0:
                    fg, bg, bold, reverse, italic, underline = None, None, False, False, False, False
                elif code == 1:
                    bold = True
                elif code == 3:
                    italic = True
                elif code == 4:
                    underline = True
                elif code == 7:
                    reverse = True
                elif code == 22:
                    bold = False
                elif code == 23:
                    italic = False
                elif code == 24:
                    underline = False
                elif code == 27:
                    reverse = False
                elif code in (38, 48) and i + 1 < len(codes):
                    if codes[i + 1] == "2" and i + 4 < len(codes):
                        colour = "#%02x%02x%02x" % tuple(int(c or 0) for c in codes[i + 2:i + 5])
                        i += 4
                    else:
                        colour = xterm256(int(codes[i + 2] or 0))
                        i += 2
                    fg, bg = (colour, bg) if code == 38 else (fg, colour)
                elif code == 39:
                    fg = None
                elif code == 49:
                    bg = None
                elif 30 <= code <= 37 or 90 <= code <= 97:
                    fg = BASIC[code - 30 if code < 90 else code - 90 + 8]
                elif 40 <= code <= 47 or 100 <= code <= 107:
                    bg = BASIC[code - 40 if code < 100 else code - 100 + 8]
                i += 1
        out.append("".join(parts))
    body = "\n".join(out)
    return (f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>body{{margin:0;background:{BG}}}pre{{margin:0;padding:10px;font:15px/1.25 'DejaVu Sans Mono',"
            f"monospace;color:{FG};background:{BG}}}</style><pre>{body}</pre>")


def screenshot(chromium: Path, page: Path, png: Path, width: int, height: int, env: dict) -> None:
    """Render a local page to a PNG with headless Chromium (no network, no profile left behind)."""
    profile = png.parent / f".chromium-{png.stem}"
    subprocess.run([str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
                    f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
                   env=env, capture_output=True, timeout=120, check=True)
    shutil.rmtree(profile, ignore_errors=True)


def save_screen(term: Tmux, env: dict, folder: Path, name: str, width: int, height: int) -> None:
    """The screen as HTML, and as a PNG for the docs when Chromium is there (assertions never need it)."""
    from tools import chromium

    browser = chromium()
    page = folder / f"{name}.html"
    page.write_text(to_html(term.screen(colours=True), name))
    if isinstance(browser, Path):
        screenshot(browser, page, folder / f"{name}.png", 20 + width * 9 + 12, 20 + height * 19, env)
