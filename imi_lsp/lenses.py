"""Code lenses: one on the first line of a file that records name, one above each anchored range.

In an open document the ranges are where the anchored code is now, moved with every
edit before anything is saved (anchoring.py).

The first answer only places the lenses (a dict lookup in the path index); the
title and the command come with `codeLens/resolve`.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from lsprotocol import types

from imi_cli.memory import GONE, Hit, Summary

from . import anchoring
from .anchoring import STORED, Where
from .base import ImiLanguageServer, guarded

SHOW_RECORDS = "imi.showRecords"
PLURAL = {"lesson": "lessons", "decision": "decisions", "goal": "goals", "note": "notes", "killed": "killed"}


def shown(record: Summary, kinds: Iterable[str]) -> bool:
    """Whether a record belongs in lenses and hovers: a wanted kind, and not a finished task."""
    return record.kind in kinds and not (record.kind == "task" and record.state == "done")


def visible(hits: list[Hit], kinds: Iterable[str]) -> list[Hit]:
    kinds = tuple(kinds)
    return [h for h in hits if shown(h.record, kinds)]


def unique(records: Iterable[Summary]) -> list[Summary]:
    """Records in first-seen order without repeats (a record may name a file twice)."""
    return list({(r.kind, r.id): r for r in records}.values())


def title(records: list[Summary]) -> str:
    """"⚑ 2 lessons · 1 decision · task in progress by claude-1" for a set of records."""
    counts: Counter[str] = Counter()
    working: list[str] = []
    open_tasks = 0
    for record in records:
        if record.kind == "task":
            if record.state == "in_progress":
                working.append(record.who or "someone")
            else:
                open_tasks += 1
        elif record.kind == "decision" and record.state == "killed":
            counts["killed"] += 1
        else:
            counts[record.kind] += 1
    parts = []
    for kind in ("lesson", "decision", "killed", "goal", "note"):
        n = counts[kind]
        if n:
            parts.append(f"{n} {kind if n == 1 and kind != 'killed' else PLURAL[kind]}")
    if working:
        who = ", ".join(dict.fromkeys(working))
        parts.append(f"task in progress by {who}" if len(working) == 1 else f"{len(working)} tasks in progress ({who})")
    if open_tasks:
        parts.append(f"{open_tasks} open task" + ("s" if open_tasks > 1 else ""))
    return "⚑ " + " · ".join(parts) if parts else "⚑ project memory"


def place(hits: list[Hit], uri: str, line_count: int, where: Where = STORED) -> list[types.CodeLens]:
    """Unresolved lenses: line 0 for the file, plus one per distinct anchored range (clamped into the file).
    `where` gives each reference's lines now (live in an open document); code that is gone gets no range lens."""
    if not hits:
        return []
    lenses = [types.CodeLens(range=_line(0), data={"uri": uri})]
    ranges = sorted({lines for h in hits if (lines := where.lines(h)) is not None and lines is not GONE})
    for start, end in ranges:
        line = min(start - 1, max(line_count - 1, 0))
        lenses.append(types.CodeLens(range=_line(line), data={"uri": uri, "start": start, "end": end}))
    return lenses


def records_for(hits: list[Hit], start: int | None, end: int | None, where: Where = STORED) -> list[Summary]:
    """The records a lens stands for: all of the file's, or those anchored at exactly that range (as it is now)."""
    if start is None:
        return unique(h.record for h in hits)
    return unique(h.record for h in hits if where.lines(h) == (start, end))


def _line(line: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0))


@guarded(default=[])
def code_lens(ls: ImiLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    uri = params.text_document.uri
    ls.last_uri = uri
    where = ls.locate(uri)
    if where is None or not ls.settings.code_lens:
        return []
    memory, rel = where
    hits = visible(anchoring.hits(ls, memory, rel, uri), ls.settings.kinds)
    where_now = anchoring.where(ls, uri)
    ranged = any(where_now.lines(h) is not None for h in hits)
    return place(hits, uri, ls.line_count(uri) if ranged else 1, where_now)


def _lens_data(data) -> tuple[str, int | None, int | None] | None:
    """(uri, start, end) from a lens this server placed; None for data it never gave out."""
    if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
        return None
    start, end = data.get("start"), data.get("end")
    if start is None and end is None:
        return data["uri"], None, None
    if all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in (start, end)):
        return data["uri"], start, end
    return None


@guarded()
def code_lens_resolve(ls: ImiLanguageServer, lens: types.CodeLens) -> types.CodeLens:
    known = _lens_data(lens.data)
    where = ls.locate(known[0]) if known is not None else None
    if where is None:  # a title and nothing to click: a command that cannot run fails when clicked
        lens.command = types.Command(title="⚑ no memory here any more", command="")
        return lens
    uri, start, end = known
    memory, rel = where
    records = records_for(visible(anchoring.hits(ls, memory, rel, uri), ls.settings.kinds), start, end,
                          anchoring.where(ls, uri))
    text = title(records) if records else "⚑ no memory here any more"
    if start is not None and records:
        text += f" (lines {start}-{end})" if end != start else f" (line {start})"
    arguments = [uri] + ([start, end] if start is not None else [])
    lens.command = types.Command(title=text, command=SHOW_RECORDS, arguments=arguments)
    return lens


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS)(code_lens)
    server.feature(types.CODE_LENS_RESOLVE)(code_lens_resolve)
