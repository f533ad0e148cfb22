"""Hover: on the first line, every record naming the file; inside an anchored range, that range's records."""

from __future__ import annotations

from lsprotocol import types

from imi_cli.memory import GONE

from . import anchoring, render
from .anchoring import STORED, Where
from .lenses import unique, visible
from .base import ImiLanguageServer, guarded

HOVER_LIMIT = 12


def chosen(hits, line: int, where: Where = STORED):
    """The hits a hover at 0-based `line` shows, and the 0-based lines it covers (or None).
    `where` gives each reference's lines now (live in an open document)."""
    if line == 0:
        return hits, (0, 0)
    inside = []
    for hit in hits:
        lines = where.lines(hit)
        if lines is not None and lines is not GONE and lines[0] <= line + 1 <= lines[1]:
            inside.append((hit, lines))
    if not inside:
        return [], None
    return [h for h, _ in inside], (min(r[0] for _, r in inside) - 1, max(r[1] for _, r in inside) - 1)


@guarded()
def hover(ls: ImiLanguageServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    ls.last_uri = uri
    where = ls.locate(uri)
    if where is None:
        return None
    memory, rel = where
    hits, lines = chosen(visible(anchoring.hits(ls, memory, rel, uri), ls.settings.kinds), params.position.line,
                         anchoring.where(ls, uri))
    if not hits:
        return None
    summaries = unique(h.record for h in hits)
    found = [r for s in summaries[:HOVER_LIMIT] if (r := memory.project.get(s.kind, s.id)) is not None]
    if not found:
        return None
    memory.project.mark_used([r.id for r in found])  # shown to a person: the memory stops aging
    approvals = {r.id: by for r in found if r.kind == "decision"
                 and (by := memory.project.origin(r.kind, r.id).get("approved_by"))}
    text = render.records(found, HOVER_LIMIT, approvals=approvals)
    if len(summaries) > HOVER_LIMIT:
        text += f"\n\n… and {len(summaries) - HOVER_LIMIT} more: click the lens to see them all"
    first, last = lines
    end_line = min(last + 1, ls.line_count(uri))
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=types.Range(start=types.Position(line=first, character=0),
                          end=types.Position(line=end_line, character=0)),
    )


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
