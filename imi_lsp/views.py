"""Read-only markdown views (context, a file's memory, records, search results) opened in the editor.

A view is a file under the user's cache folder, opened with `window/showDocument`,
which VS Code and Neovim both support; a client without it gets the text as a
message instead. Nothing is written inside the workspace.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from lsprotocol import types
from pygls import uris

from .base import ImiLanguageServer

MESSAGE_LIMIT = 4000


def view_dir() -> Path:
    """`$XDG_CACHE_HOME/imi-lsp/views` (else `~/.cache/...`, else the temp folder), created on first use."""
    import tempfile  # only when a view is written: it costs start-up time otherwise

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for candidate in (Path(base) / "imi-lsp" / "views", Path(tempfile.gettempdir()) / f"imi-lsp-{os.getuid()}"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            return candidate
        except OSError:
            continue
    raise OSError("no writable cache folder for IMI views")


def file_name(name: str, scope: str = "") -> str:
    """A safe file name for a view: readable part plus a short hash of the scope (the workspace folder)."""
    readable = re.sub(r"[^\w.-]+", "_", name).strip("_")[:80] or "view"
    digest = hashlib.sha1(f"{scope}\0{name}".encode()).hexdigest()[:8]
    return f"{readable}-{digest}.md"


def write(name: str, text: str, scope: str = "") -> str:
    """Write a view and return its URI."""
    path = view_dir() / file_name(name, scope)
    text = text if text.endswith("\n") else text + "\n"
    try:
        unchanged = path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        unchanged = False
    if not unchanged:  # symbol search asks for views on every keystroke: write only what changed
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return uris.from_fs_path(str(path))


async def show(ls: ImiLanguageServer, name: str, text: str, scope: str = "") -> str | None:
    """Open a view in the editor; returns its URI (None when the client could only take a message)."""
    if not ls.supports("window.show_document.support"):
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Info,
            message=text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "\n…"))
        return None
    uri = write(name, text, scope)
    result = await ls.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=True))
    if result is not None and not result.success:
        ls.note(f"the editor did not open {uri}", types.MessageType.Warning)
    return uri
