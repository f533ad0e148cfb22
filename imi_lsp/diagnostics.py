"""Lesson warnings: an edit that touches an area with a recorded lesson gets a warning at the edited lines.

"Touches" means an edited line range (from `didChange`'s content changes) overlaps
a lesson's anchored lines as they are now in the document (anchoring.py moves them
with every edit), or the file is named by a lesson as a whole (by path, glob or
folder). An edit elsewhere publishes nothing, unless it moves a diagnostic already
shown. One warning per lesson and document, moved to the latest touching edit and
along with the lines around it; it stays until the lesson is acknowledged, archived,
or the document is closed. The same publish carries the stale-anchor diagnostics
(anchoring.py), so opening a file publishes only when one of its anchors is stale.
"""

from __future__ import annotations

from lsprotocol import types

from imi_cli.memory import GONE, Edit, Hit, Summary, lines_overlap, shift, shorten

from . import anchoring
from .base import ImiLanguageServer, guarded

SOURCE = "imi"
CODE = "lesson"
EVERYTHING = (0, 1 << 30)


def edited_lines(change) -> tuple[tuple[int, int], tuple[int, int]]:
    """For one content change: the 0-based lines it replaced before the edit, and where the new text sits after.

    Lines after the replaced ones are not touched: they move (anchoring.py shifts the
    anchors with them). A whole-document replacement (no range) touches every line and
    is reported on line 0.
    """
    rng = getattr(change, "range", None)
    if rng is None:
        return EVERYTHING, (0, 0)
    start = rng.start.line
    return (start, rng.end.line), (start, start + change.text.count("\n"))


def touched(hits: list[Hit], edits: list[tuple[int, int]], where=None) -> dict[str, tuple[Summary, int]]:
    """Lessons touched by edits (0-based inclusive line ranges): lesson id -> (summary, index of the edit).
    `where` (anchoring.Where) gives the lines a reference has now; by default those stored."""
    found: dict[str, tuple[Summary, int]] = {}
    for hit in hits:
        if hit.record.kind != "lesson":
            continue
        lines = where.lines(hit) if where is not None else hit.lines()
        if lines is GONE:
            continue
        for i, (start, end) in enumerate(edits):
            if lines is None or lines_overlap(start, end, lines[0] - 1, lines[1] - 1):
                found[hit.record.id] = (hit.record, i)
                break
    return found


def message(lesson: Summary) -> str:
    """What the warning says: the lesson, its correct behaviour, who verified it."""
    text = f"Lesson: {shorten(lesson.title, 300)}"
    if lesson.detail:
        text += f"\nCorrect behaviour: {shorten(lesson.detail, 300)}"
    verified = f"Verified by: {lesson.verified_by}" if lesson.verified_by else "Not verified"
    return text + f"\n{verified} · {lesson.id}"


def warning(lesson: Summary, first: int, last: int, line_count: int,
            severity: types.DiagnosticSeverity) -> types.Diagnostic:
    """A warning over whole lines first..last (0-based), which is exact in every position encoding."""
    end = min(last + 1, line_count)
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=first, character=0), end=types.Position(line=end, character=0)),
        message=message(lesson), severity=severity, source=SOURCE, code=CODE,
        data={"kind": "lesson", "id": lesson.id},
    )


def publish(ls: ImiLanguageServer, uri: str) -> None:
    """Send a document's lesson warnings and stale-anchor diagnostics (all of them: each publish replaces the last)."""
    doc = ls.workspace.text_documents.get(uri)
    version = doc.version if doc is not None and ls.supports("text_document.publish_diagnostics.version_support") \
        else None
    stale = anchoring.stale_diagnostics(ls, uri)
    followed = ls.documents.get(uri)
    if followed is not None:
        followed.shown = stale
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, diagnostics=list(ls.warnings.get(uri, {}).values()) + stale, version=version))


def _shifted(rng: types.Range, edit: Edit) -> types.Range | None:
    """A whole-line diagnostic range moved through an edit (its lines deleted: one line where they were);
    None when the edit leaves it where it is."""
    if edit.start_line == edit.end_line and "\n" not in edit.text:
        return None  # typing within a line moves no line
    first = rng.start.line + 1
    last = max(first, rng.end.line)
    start, end = shift(first, last, edit)
    end = max(start, end)
    if (start, end) == (first, last):
        return None
    return types.Range(start=types.Position(line=start - 1, character=0), end=types.Position(line=end, character=0))


@guarded()
def did_change(ls: ImiLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    """Move anchors and shown warnings with each edit; warn where an edit touches a lesson's lines (as they are now)."""
    uri = params.text_document.uri
    ls.last_uri = uri
    followed = ls.documents.get(uri)
    lessons: list[Hit] = []
    located = ls.locate(uri)
    if located is not None and ls.settings.diagnostics:
        memory, rel = located
        lessons = [h for h in anchoring.hits(ls, memory, rel, uri)
                   if h.record.kind == "lesson" and h.record.id not in ls.acknowledged]
    shown = ls.warnings.get(uri, {})
    new: dict[str, tuple[Summary, tuple[int, int]]] = {}
    moved = whole = False
    for change in params.content_changes:
        edit = anchoring.edit_of(change)
        before, after = edited_lines(change)
        # against the lines as they are before this change (earlier changes in the list moved them)
        hit = touched(lessons, [before], anchoring.where(ls, uri)) if lessons else {}
        if edit is None:  # the whole text replaced: nothing to shift, everything is located again below
            whole = True
        else:
            anchoring.follow_edit(ls, uri, edit)
            for diagnostic in shown.values():
                rng = _shifted(diagnostic.range, edit)
                if rng is not None:
                    diagnostic.range, moved = rng, True
            for lesson_id, (lesson, (first, last)) in list(new.items()):  # warnings of earlier changes
                start, end = shift(first + 1, last + 1, edit)
                new[lesson_id] = (lesson, (start - 1, max(start, end) - 1))
        for lesson_id, (lesson, _i) in hit.items():
            new[lesson_id] = (lesson, after)
    if whole:
        anchoring.relocate(ls, uri)
    if new:
        current = ls.warnings.setdefault(uri, {})
        line_count = ls.line_count(uri)
        for lesson_id, (lesson, (first, last)) in new.items():
            current[lesson_id] = warning(lesson, first, last, line_count, ls.settings.diagnostic_severity)
    if new or moved or (followed is not None and anchoring.stale_diagnostics(ls, uri) != followed.shown):
        publish(ls, uri)


@guarded()
def did_open(ls: ImiLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    """Follow the document's anchors; publish only if one of them is stale (otherwise the lens is enough)."""
    uri = params.text_document.uri
    ls.last_uri = uri
    if anchoring.opened(ls, uri) is not None and anchoring.stale_diagnostics(ls, uri):
        publish(ls, uri)


@guarded()
def did_save(ls: ImiLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    """Judge the anchors against the saved text: an edit may have left one stale (or made it whole again)."""
    uri = params.text_document.uri
    followed = ls.documents.get(uri)
    if followed is None:
        return
    anchoring.relocate(ls, uri)
    if anchoring.stale_diagnostics(ls, uri) != followed.shown:
        publish(ls, uri)


@guarded()
def did_close(ls: ImiLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    followed = anchoring.closed(ls, uri)
    if ls.warnings.pop(uri, None) or (followed is not None and followed.shown):
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def republish(ls: ImiLanguageServer) -> None:
    """After the memory or the settings changed: follow the new references in open documents, update each
    shown warning (drop those whose lesson went) and stale-anchor diagnostic."""
    anchoring.resync(ls)
    for uri, followed in list(ls.documents.items()):
        if uri not in ls.warnings and anchoring.stale_diagnostics(ls, uri) != followed.shown:
            publish(ls, uri)
    for uri in list(ls.warnings):
        where = ls.locate(uri)
        before = ls.warnings[uri]
        after: dict[str, types.Diagnostic] = {}
        if where is not None and ls.settings.diagnostics:
            memory, _rel = where
            for lesson_id, old in before.items():
                lesson = memory.index.summary("lesson", lesson_id)
                if lesson is None or lesson_id in ls.acknowledged:
                    continue
                after[lesson_id] = types.Diagnostic(
                    range=old.range, message=message(lesson), severity=ls.settings.diagnostic_severity,
                    source=SOURCE, code=CODE, data=old.data)
        followed = ls.documents.get(uri)
        stale_changed = followed is not None and anchoring.stale_diagnostics(ls, uri) != followed.shown
        if after != before or stale_changed:
            ls.warnings[uri] = after
            publish(ls, uri)
        if not after:
            ls.warnings.pop(uri, None)


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(did_save)
    server.memory_listeners.append(republish)
