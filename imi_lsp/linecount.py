"""How many lines each open document has, kept up to date by its edits.

Counting the newlines of a 200,000-line text takes about 10 ms, too much to do on every
keystroke; an incremental change tells how the count moves (newlines typed minus lines
joined), so the count is taken once and then followed. A change whose characters lie past
the end of their line (no editor sends one) could make it drift, so it is counted afresh
every RECOUNT_EDITS edits anyway.
"""

from __future__ import annotations

from typing import Callable

RECOUNT_EDITS = 256


class LineCounts:
    """uri -> (document version, line count, edits followed); an entry lives while its document is open."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[int | None, int, int]] = {}

    def get(self, uri: str, version: int | None, text: Callable[[], str]) -> int:
        """The document's line count (1 for an empty one); its `text()` is counted only when the count was not
        followed up to `version`."""
        known = self._known.get(uri)
        if known is not None and known[0] == version:
            return known[1]
        count = text().count("\n") + 1
        self._known[uri] = (version, count, 0)
        return count

    def edited(self, uri: str, version: int | None, change) -> None:
        """Follow one content change (already applied to the text); a whole-text change is counted afresh."""
        known = self._known.pop(uri, None)
        rng = getattr(change, "range", None)
        if (known is None or rng is None or rng.end.line >= known[1] or rng.start.line > rng.end.line
                or known[2] >= RECOUNT_EDITS):
            return  # counted again when next asked (a range past the end is clamped by pygls: not followed)
        count = known[1] + change.text.count("\n") - (rng.end.line - rng.start.line)
        self._known[uri] = (version, count, known[2] + 1)

    def forget(self, uri: str) -> None:
        self._known.pop(uri, None)
