"""Hover: on the first line, every record naming the file; inside an anchored range, that range's records."""

from __future__ import annotations

from lsprotocol import types

from imi_cli.store import queries

from . import render
from .lenses import unique, visible
from .server import ImiLanguageServer, guarded

HOVER_LIMIT = 12


def chosen(hits, line: int):
    """The hits a hover at 0-based `line` shows, and the 0-based lines it covers (or None)."""
    if line == 0:
        return hits, (0, 0)
    inside = [h for h in hits if h.anchored and h.lines()[0] <= line + 1 <= h.lines()[1]]
    if not inside:
        return [], None
    return inside, (min(h.lines()[0] for h in inside) - 1, max(h.lines()[1] for h in inside) - 1)


@guarded()
def hover(ls: ImiLanguageServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    ls.last_uri = uri
    where = ls.locate(uri)
    if where is None:
        return None
    memory, rel = where
    hits, lines = chosen(visible(memory.index.hits(rel), ls.settings.kinds), params.position.line)
    if not hits:
        return None
    summaries = unique(h.record for h in hits)
    found = [r for s in summaries[:HOVER_LIMIT] if (r := queries.get(memory.store, s.kind, s.id)) is not None]
    if not found:
        return None
    text = render.records(found, HOVER_LIMIT)
    if len(summaries) > HOVER_LIMIT:
        text += f"\n\n… and {len(summaries) - HOVER_LIMIT} more: click the lens to see them all"
    first, last = lines
    end_line = min(last + 1, ls.line_count(uri))
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=types.Range(start=types.Position(line=first, character=0),
                          end=types.Position(line=end_line, character=0)),
    )


def register(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
