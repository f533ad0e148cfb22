"""What one agent session has already been shown, so hooks say each thing once per session.

A small JSON file per (project, host session) in the user's cache folder
(`$XDG_CACHE_HOME/imi/hook-sessions`, else `~/.cache/...`): whether the session got
the start context, a stamp per record shown (a record comes again only when it
changed), and the tasks it was reminded of. Nothing here is project memory: losing
the folder only means a lesson may be shown twice. Files older than two days go.
"""

from __future__ import annotations

from ..memory import cache_checksum, cache_folder, read_cached, write_cached

KEEP_SECONDS = 2 * 24 * 3600


def digest(text: str) -> str:
    """16 hex digits that change when the text does."""
    return cache_checksum(text.encode("utf-8", "replace"))


class SessionState:
    """The shown-so-far record of one session; `save()` writes it back (atomically)."""

    def __init__(self, project: str, session: str | None):
        self.path = None
        self.data = {"context": False, "records": {}, "reminded": []}
        if not session:
            return  # a host without session ids: nothing can be remembered, so nothing is held back
        key = digest(f"{project}\0{session}")
        self.path = f"{cache_folder('hook-sessions')}/{key}.json"
        self.data.update(read_cached(self.path))

    @property
    def remembers(self) -> bool:
        """Whether this session can be remembered (the host sent a session id)."""
        return self.path is not None

    def save(self) -> None:
        """Write the state back (a read-only cache only means the session may see a lesson twice)."""
        if self.path is not None:
            write_cached(self.path, self.data, KEEP_SECONDS)
