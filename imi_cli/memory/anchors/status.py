"""An anchor's status, computed from the code as it is now: fresh, moved, changed, orphaned, renamed.

- fresh: the anchored code is where it was.
- moved: the same code is elsewhere in the file; the anchor follows it.
- renamed: the file moved (git's rename detection); the code is there unchanged.
- changed: the code is there (the symbol, or a close match near the old place) but edited.
- orphaned: the file or the code is gone.
Moved and renamed anchors are still true; changed and orphaned ones are stale.
"""

from __future__ import annotations

from pathlib import Path

from ..typed import RecordType
from .text import line_matchers, normalized, read_lines, same_code

STALE = ("changed", "orphaned")
SIMILAR_ENOUGH = 0.6
SEARCH_RADIUS = 300  # lines around the old place searched for a changed block
BIG_BLOCK = 60       # blocks longer than this are searched for more coarsely (see _closest)


class Anchor(metaclass=RecordType):
    """What a record pointed at when it was written."""

    path: str
    line_start: int | None = None
    line_end: int | None = None
    symbol: str | None = None
    text: str | None = None        # the anchored lines as they were
    commit: str | None = None


class Located(metaclass=RecordType):
    """Where an anchor is now, and its status."""

    status: str
    path: str
    line_start: int | None = None
    line_end: int | None = None
    similarity: float = 1.0

    @property
    def stale(self) -> bool:
        return self.status in STALE

    def to_json(self) -> dict:
        return {"status": self.status, "path": self.path, "line_start": self.line_start, "line_end": self.line_end,
                "similarity": round(self.similarity, 3)}


def _block_positions(lines: list[str]) -> tuple[list[int], list[str]]:
    """Indexes and stripped text of the non-blank lines."""
    index = [i for i, line in enumerate(lines) if line.strip()]
    return index, [lines[i].strip() for i in index]


def _exact(lines: list[str], snapshot: str, near: int) -> tuple[int, int] | None:
    """(first, last) 0-based lines of the occurrence of the snapshot's block nearest to `near`."""
    wanted = line_matchers(normalized(snapshot.splitlines()))
    if not wanted:
        return None
    index, text = _block_positions(lines)
    size, best = len(wanted), None
    plain = all(isinstance(w, str) for w in wanted)
    first = wanted[0]
    for pos in range(len(text) - size + 1):
        if plain:
            if text[pos] != first or text[pos:pos + size] != wanted:
                continue
        elif not all(w == t if isinstance(w, str) else w.fullmatch(t) for w, t in zip(wanted, text[pos:pos + size])):
            continue
        candidate = (index[pos], index[pos + size - 1])
        if not plain and not same_code(snapshot, lines[candidate[0]:candidate[1] + 1]):
            continue
        if best is None or abs(candidate[0] - near) < abs(best[0] - near):
            best = candidate
    return best


def _closest(lines: list[str], wanted: list[str], near: int) -> tuple[tuple[int, int], float] | None:
    """The window most like the block within SEARCH_RADIUS lines of `near`, with its similarity.

    Windows are ranked by how many lines they share with the block, then the best few
    are compared character by character: a one-line edit in a two-line block is a
    change to it, not a different block. A big block (a whole class) is ranked on every
    few windows by shared lines only and compared line by line: exact enough to tell
    changed from gone, and bounded in time however big the block.
    """
    if not wanted:
        return None
    from difflib import SequenceMatcher  # only stale-looking anchors get here

    index, text = _block_positions(lines)
    size = len(wanted)
    big = size > BIG_BLOCK
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    ranked = []
    last_start = max(len(text) - size, 0)  # a file shorter than the block is one window
    step = max(1, size // BIG_BLOCK) if big else 1
    nearest = min(range(min(last_start + 1, len(text))), key=lambda p: abs(index[p] - near), default=None)
    for pos in sorted({*range(0, min(last_start + 1, len(text)), step), *([nearest] if nearest is not None else [])}):
        if abs(index[pos] - near) > SEARCH_RADIUS:
            continue
        matcher.set_seq1(text[pos:pos + size])
        if matcher.real_quick_ratio() > 0:
            ranked.append((matcher.quick_ratio() if big else matcher.ratio(), -abs(index[pos] - near), pos))
    best, best_ratio = None, 0.0
    chars = SequenceMatcher(autojunk=False)
    chars.set_seq2("\n".join(wanted))
    for _, _, pos in sorted(ranked, reverse=True)[:3 if big else 5]:
        if big:
            matcher.set_seq1(text[pos:pos + size])
            ratio = matcher.ratio()
        else:
            chars.set_seq1("\n".join(text[pos:pos + size]))
            ratio = chars.ratio()
        if ratio > best_ratio:
            best, best_ratio = (index[pos], index[min(pos + size, len(index)) - 1]), ratio
    return (best, best_ratio) if best is not None else None


def locate(anchor: Anchor, root: Path, renames: dict[str, str] | None = None, read=read_lines) -> Located:
    """Where the anchored code is now. Reads the file (through `read`, which callers may cache);
    writes nothing."""
    path = anchor.path
    lines = read(root / path)
    renamed = False
    if lines is None and renames and anchor.path in renames:
        path, renamed = renames[anchor.path], True
        lines = read(root / path)
    if lines is None:
        return Located("orphaned", path, anchor.line_start, anchor.line_end, 0.0)
    same = "renamed" if renamed else "fresh"
    wanted = normalized((anchor.text or "").splitlines())
    old = (anchor.line_start or 1) - 1

    if anchor.symbol:
        from .spans import find_symbol  # only symbol anchors pay for the outliner, and once per file content

        span = find_symbol(lines, path, anchor.symbol)
        if span:
            if not wanted or same_code(anchor.text, lines[span[0] - 1:span[1]]):
                moved = (span[0], span[1]) != (anchor.line_start, anchor.line_end)
                return Located("moved" if moved and not renamed else same, path, *span)
            from difflib import SequenceMatcher

            now = normalized(lines[span[0] - 1:span[1]])
            ratio = SequenceMatcher(None, wanted, now, autojunk=False).ratio()
            return Located("changed", path, *span, ratio)
    if not wanted:  # nothing recorded to compare with (an old reference): judge by the lines existing
        if anchor.line_start and anchor.line_start > len(lines):
            return Located("orphaned", path, anchor.line_start, anchor.line_end, 0.0)
        return Located(same, path, anchor.line_start, anchor.line_end)
    if anchor.line_start and same_code(anchor.text, lines[old:anchor.line_end or anchor.line_start]):
        return Located(same, path, anchor.line_start, anchor.line_end)
    found = _exact(lines, anchor.text, old)
    if found:
        return Located(same if renamed else "moved", path, found[0] + 1, found[1] + 1)
    close = _closest(lines, wanted, old)
    if close and close[1] >= SIMILAR_ENOUGH:
        (first, last), ratio = close
        return Located("changed", path, first + 1, last + 1, ratio)
    return Located("orphaned", path, anchor.line_start, anchor.line_end, close[1] if close else 0.0)


def snapshot(root: Path, path: str, line_start: int | None, line_end: int | None,
             symbol: str | None, read=read_lines) -> tuple[int | None, int | None, str | None]:
    """(line_start, line_end, text) to store for a new anchor; a symbol is resolved to its lines.
    The text is None when the file or lines cannot be read (the reference is kept without a snapshot).
    The whole range is kept, however long: a snapshot cut short would never match its code again.
    `read` gives a file's lines (an editor passes the text of its open documents)."""
    lines = read(root / path)
    if lines is None:
        return line_start, line_end, None
    if symbol:
        from .spans import find_symbol

        span = find_symbol(lines, path, symbol)
        if span is None:
            return line_start, line_end, None
        line_start, line_end = span
    if not line_start or line_start > len(lines):
        return line_start, line_end, None
    end = min(line_end or line_start, len(lines))
    return line_start, end, "\n".join(lines[line_start - 1:end])
