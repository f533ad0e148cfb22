"""What one agent session has already been shown, so hooks say each thing once per session.

A small JSON file per (project, host session) in the user's cache folder
(`$XDG_CACHE_HOME/imi/hook-sessions`, else `~/.cache/...`): whether the session got
the start context, a stamp per record shown (a record comes again only when it
changed), and the tasks it was reminded of. Nothing here is project memory: losing
the folder only means a lesson may be shown twice. Files older than two days go.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..memory import json_dumps, json_loads


def digest(text: str) -> str:
    """16 hex digits that change when the text does: two checksums of it (zlib, which the symbol-span
    cache loads anyway; a cryptographic hash module is a library more to load on every hook)."""
    import zlib

    data = text.encode("utf-8", "replace")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"

KEEP_SECONDS = 2 * 24 * 3600


def _folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "imi" / "hook-sessions"


class SessionState:
    """The shown-so-far record of one session; `save()` writes it back (atomically)."""

    def __init__(self, project: str, session: str | None):
        self.path = None
        self.data = {"context": False, "records": {}, "reminded": []}
        if not session:
            return  # a host without session ids: nothing can be remembered, so nothing is held back
        key = digest(f"{project}\0{session}")
        self.path = _folder() / f"{key}.json"
        try:
            loaded = json_loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.data.update(loaded)
        except (OSError, ValueError):
            pass

    @property
    def remembers(self) -> bool:
        """Whether this session can be remembered (the host sent a session id)."""
        return self.path is not None

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.parent / f".session.{os.getpid()}.{os.urandom(4).hex()}"  # not tempfile: its import
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)       # costs more than the hook
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json_dumps(self.data))
            os.replace(tmp, self.path)
            _prune(self.path.parent)
        except OSError:
            pass  # a read-only cache: the session may see a lesson twice, nothing worse


def _prune(folder: Path) -> None:
    """Drop state of sessions untouched for two days (checked on about one save in twenty)."""
    if os.urandom(1)[0] > 12:
        return
    import time

    cutoff = time.time() - KEEP_SECONDS
    try:
        entries = list(os.scandir(folder))  # not Path.glob: its pattern matching would import `re`
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name.endswith(".json") and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass
