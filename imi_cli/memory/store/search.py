"""Search over every record: full-text for words, literal substrings for the rest.

The full-text index splits text into words of letters and digits, so on its own it
cannot find an emoji, `C++` (it would match every "C"), or a few characters inside a
run of Chinese or Japanese text (no spaces between words there). Such queries are
looked for literally instead (case-insensitive for ASCII).
"""

from __future__ import annotations

from .connection import Store
from .records import SearchHit

OPEN, CLOSE = "\x02", "\x03"  # match markers: control characters, which stored text never holds
_JOINERS = "-.'/:_"  # inside ordinary words ("rate-limit", "don't"): still a word search
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
CONTEXT = 50  # characters shown either side of a literal match


def search(store: Store, query: str, limit: int = 20) -> list[SearchHit]:
    """Records matching the query, best first: words by the full-text index (the last word as a
    prefix), symbols and emoji literally, and non-Latin text also literally when words miss."""
    query = " ".join((query or "").split())
    words = word_runs(query)
    if not query:
        return []
    literal = any(not (c.isalnum() or c.isspace() or c in _JOINERS) for c in query)
    hits = [] if literal or not words else _words(store, words, limit)
    if len(hits) < limit and (literal or not query.isascii()):
        seen = {(hit.kind, hit.id) for hit in hits}
        hits += [hit for hit in _literal(store, query, limit) if (hit.kind, hit.id) not in seen][:limit - len(hits)]
    return hits


def word_runs(text: str) -> list[str]:
    """The runs of word characters (letters, digits, `_`: what `\\w` matches), in order."""
    words, start = [], None
    for index, char in enumerate(text):
        if char.isalnum() or char == "_":
            if start is None:
                start = index
        elif start is not None:
            words.append(text[start:index])
            start = None
    if start is not None:
        words.append(text[start:])
    return words


def _words(store: Store, words: list[str], limit: int) -> list[SearchHit]:
    expr = " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'
    rows = store.execute(
        f"SELECT kind, record_id, snippet(search_index, 2, '{OPEN}', '{CLOSE}', '…', 12), rank FROM search_index "
        "WHERE search_index MATCH ? ORDER BY rank LIMIT ?", (expr, int(limit)))
    return [SearchHit(kind, rid, *_unmark(snippet), rank) for kind, rid, snippet, rank in rows]


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet without its markers, and where the matches are in it."""
    plain, marks, start, length = [], [], 0, 0
    for index, part in enumerate(marked.replace(CLOSE, OPEN).split(OPEN)):
        if index:  # a marker came before this part: where it was in `marked` tells which one
            if marked[length + index - 1] == OPEN:
                start = length
            else:
                marks.append((start, length))
        plain.append(part)
        length += len(part)
    return _flat("".join(plain)), tuple(marks)


def _flat(snippet: str) -> str:
    """A snippet on one line (same length, so match offsets hold): a hit is one line in every list."""
    return snippet.replace("\n", " ").replace("\t", " ")


def _literal(store: Store, query: str, limit: int) -> list[SearchHit]:
    needle = query.translate(_ASCII_LOWER)
    rows = store.execute("SELECT kind, record_id, body FROM search_index WHERE instr(lower(body), ?) > 0 "
                         "ORDER BY rowid DESC LIMIT ?", (needle, int(limit)))
    hits = []
    for kind, rid, body in rows:
        at = body.translate(_ASCII_LOWER).find(needle)
        begin, end = max(0, at - CONTEXT), min(len(body), at + len(needle) + CONTEXT)
        prefix = "…" if begin else ""
        snippet = prefix + body[begin:end] + ("…" if end < len(body) else "")
        start = len(prefix) + at - begin
        hits.append(SearchHit(kind, rid, _flat(snippet), ((start, start + len(needle)),), 0.0))
    return hits
