"""Anchors in a document being edited: where each one is now, moved with every edit before anything is saved.

An editor reports each edit as a replaced range and its new text (LSP's incremental
`didChange`). `shift` maps an anchored line range through one such edit: lines
inserted or deleted above move it, an edit inside grows or shrinks it, an edit
below leaves it alone, and deleting all of its lines empties it. Shifting is pure
arithmetic on positions, cheap enough for every keystroke; `DocumentAnchors.relocate`
runs the full comparison of `status.locate` against the document's text (when it is
opened or saved), the same comparison `imi check --stale` makes against the file.
Pure Python: no editor protocol here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, NamedTuple

from ..store.records import FileRef
from ..typed import RecordType
from .status import STALE, Anchor, locate


GONE = "gone"  # the lines of an anchor whose code is not in the document


class Edit(NamedTuple):
    """One replaced range (0-based lines and characters, end exclusive) and the text put there."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int
    text: str


def _text_end(edit: Edit) -> tuple[int, int]:
    """Where the new text ends (line, character) once it is in the document."""
    newlines = edit.text.count("\n")
    if not newlines:
        return edit.start_line, edit.start_char + len(edit.text)
    return edit.start_line + newlines, len(edit.text) - edit.text.rfind("\n") - 1


def _moved(pos: tuple[int, int], edit: Edit, text_end: tuple[int, int]) -> tuple[int, int]:
    """A position at or after the end of the replaced range, after the edit."""
    if pos[0] == edit.end_line:
        return text_end[0], text_end[1] + pos[1] - edit.end_char
    return pos[0] + text_end[0] - edit.end_line, pos[1]


def shift(start: int, end: int, edit: Edit) -> tuple[int, int]:
    """Where the whole lines start..end (1-based, inclusive) are after `edit`.

    An emptied range (every line deleted) comes back as (n, n - 1): it stays where its
    lines were, so a later relocation can look for the code near there.
    """
    first, after = (start - 1, 0), (max(end, start - 1), 0)  # [first, after): positions, 0-based
    replaced_from, replaced_to = (edit.start_line, edit.start_char), (edit.end_line, edit.end_char)
    text_end = _text_end(edit)
    if first < replaced_from:
        new_first = first
    elif first >= replaced_to:  # the edit ends before the range (insertions at its first column included)
        new_first = _moved(first, edit, text_end)
    else:  # the edit began above and ran into the range: it starts where the edit did
        new_first = replaced_from
    if after <= replaced_from:
        new_after = after
    elif after >= replaced_to:
        new_after = _moved(after, edit, text_end)
    else:  # the edit began inside and ran past the range: it ends where the new text does
        new_after = text_end
    last = new_after[0] if new_after[1] else new_after[0] - 1  # a partly covered last line counts
    return new_first[0] + 1, max(last + 1, new_first[0])


class LiveAnchor(metaclass=RecordType):
    """One anchored reference in an open document: where it is in the document's current text."""

    kind: str
    record_id: str
    ref: FileRef
    path: str                  # the document's path (not ref.path when git renamed the file)
    start: int | None = None   # 1-based lines; None: the reference names the file as a whole
    end: int | None = None
    status: str = "fresh"      # from the last relocation: fresh, moved, renamed, changed, orphaned

    @property
    def gone(self) -> bool:
        """The code is not in the document: orphaned when last located, or every line deleted since."""
        return self.status == "orphaned" or (self.start is not None and self.end < self.start)

    @property
    def stale(self) -> bool:
        return self.status in STALE

    def lines(self) -> tuple[int, int] | None:
        """1-based (start, end), None for the whole file."""
        return None if self.start is None else (self.start, max(self.start, self.end))


def snapshot_key(ref: FileRef) -> tuple:
    """What a reference's location is judged by: when it changes (verify, re-anchor), locate it again."""
    return ref.path, ref.anchor_text, ref.symbol, ref.line_start if not ref.anchor_text and not ref.symbol else None


class DocumentAnchors:
    """The anchors of one open document, kept at their current lines while it is edited.

    Keyed by reference id (the `refs` row), so a reloaded index keeps the ranges of
    references whose snapshot did not change.
    """

    def __init__(self, path: str):
        self.path = path
        self.anchors: dict[int, LiveAnchor] = {}
        self.keys: dict[int, tuple] = {}
        self._ranges: dict[int, tuple[int, int] | str | None] | None = None

    def __len__(self) -> int:
        return len(self.anchors)

    def get(self, ref_id: int | None) -> LiveAnchor | None:
        return self.anchors.get(ref_id) if ref_id is not None else None

    def sync(self, refs: Iterable[tuple[str, str, FileRef]], lines: list[str]) -> list[int]:
        """Track exactly these anchored references: keep those already tracked with the same snapshot,
        locate the new or re-anchored ones in `lines` (the document's text). Returns the ids located."""
        wanted: dict[int, tuple[str, str, FileRef]] = {}
        for kind, record_id, ref in refs:
            if ref.is_anchor and ref.ref_id is not None:
                wanted[ref.ref_id] = (kind, record_id, ref)
        for ref_id in [r for r in self.anchors if r not in wanted]:
            del self.anchors[ref_id]
            del self.keys[ref_id]
        located = []
        self._ranges = None
        for ref_id, (kind, record_id, ref) in wanted.items():
            key = snapshot_key(ref)
            known = self.anchors.get(ref_id)
            if known is not None and self.keys[ref_id] == key:
                known.kind, known.record_id, known.ref = kind, record_id, ref
                continue
            live = LiveAnchor(kind, record_id, ref, self.path, ref.line_start, ref.line_end)
            self._locate(live, lines, ref.line_start, ref.line_end)
            self.anchors[ref_id], self.keys[ref_id] = live, key
            located.append(ref_id)
        return located

    def edit(self, edit: Edit) -> None:
        """Move every anchor through one edit (cheap: arithmetic only)."""
        if edit.start_line == edit.end_line and "\n" not in edit.text:
            return  # typing within a line moves no line (most keystrokes)
        self._ranges = None
        for live in self.anchors.values():
            if live.start is not None and live.status != "orphaned":
                live.start, live.end = shift(live.start, live.end, edit)

    def relocate(self, lines: list[str]) -> None:
        """Judge every anchor against the document's text again, near where it is now (on open and save,
        or after an edit the ranges could not follow)."""
        self._ranges = None
        for live in self.anchors.values():
            if live.status == "orphaned" or live.start is None:
                hint = live.ref.line_start, live.ref.line_end
            else:
                hint = live.start, max(live.start, live.end)
            self._locate(live, lines, *hint)

    def _locate(self, live: LiveAnchor, lines: list[str], start: int | None, end: int | None) -> None:
        ref = live.ref
        anchor = Anchor(self.path, start, end, ref.symbol, ref.anchor_text, ref.commit)
        root = Path("/")
        found = locate(anchor, root, read=lambda _path: lines)
        live.status = found.status
        if found.status in ("fresh", "moved") and ref.path != self.path:
            live.status = "renamed"
        elif found.status == "fresh" and (found.line_start, found.line_end) != (ref.line_start, ref.line_end):
            live.status = "moved"
        if found.status == "orphaned":
            live.start, live.end = start, end
        else:
            live.start, live.end = found.line_start, found.line_end

    def ranges(self) -> dict[int, tuple[int, int] | str | None]:
        """Reference id -> its 1-based (start, end) lines now, None for the whole file, or GONE
        (kept until the next edit: lenses and warnings ask for every reference of a file)."""
        if self._ranges is None:
            self._ranges = {ref_id: GONE if live.gone else live.lines() for ref_id, live in self.anchors.items()}
        return self._ranges

    def stale(self) -> list[LiveAnchor]:
        """The anchors whose code changed or is gone, as last located."""
        return [a for a in self.anchors.values() if a.stale]
