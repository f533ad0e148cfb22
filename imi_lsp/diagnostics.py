"""Lesson warnings: an edit that touches an area with a recorded lesson gets a warning at the edited lines.

"Touches" means an edited line range (from `didChange`'s content changes) overlaps
a lesson's anchored lines, or the file is named by a lesson as a whole (by path,
glob or folder). Opening a file publishes nothing, and an edit elsewhere publishes
nothing. One warning per lesson and document, moved to the latest touching edit;
it stays until the lesson is acknowledged, archived, or the document is closed.
"""

from __future__ import annotations

from lsprotocol import types

from imi_cli.context import shorten
from imi_cli.refindex import Hit, Summary, lines_overlap

from .server import ImiLanguageServer, guarded

SOURCE = "imi"
CODE = "lesson"
EVERYTHING = (0, 1 << 30)


def edited_lines(change) -> tuple[tuple[int, int], tuple[int, int]]:
    """For one content change: the 0-based lines it touched before the edit, and where the new text sits after.

    A whole-document replacement (no range) touches every line and is reported on line 0.
    """
    rng = getattr(change, "range", None)
    if rng is None:
        return EVERYTHING, (0, 0)
    start = rng.start.line
    new_end = start + change.text.count("\n")
    return (start, max(rng.end.line, new_end)), (start, new_end)


def touched(hits: list[Hit], edits: list[tuple[int, int]]) -> dict[str, tuple[Summary, int]]:
    """Lessons touched by edits (0-based inclusive line ranges): lesson id -> (summary, index of the edit)."""
    found: dict[str, tuple[Summary, int]] = {}
    for hit in hits:
        if hit.record.kind != "lesson":
            continue
        lines = hit.lines()
        for i, (start, end) in enumerate(edits):
            if lines is None or lines_overlap(start, end, lines[0] - 1, lines[1] - 1):
                found[hit.record.id] = (hit.record, i)
                break
    return found


def message(lesson: Summary) -> str:
    """What the warning says: the lesson, its correct behaviour, who verified it."""
    text = f"Lesson {lesson.id}: {shorten(lesson.title, 300)}"
    if lesson.detail:
        text += f"\nCorrect behaviour: {shorten(lesson.detail, 300)}"
    return text + f"\nVerified by: {lesson.verified_by or 'human'}"


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
    doc = ls.workspace.text_documents.get(uri)
    version = doc.version if doc is not None and ls.supports("text_document.publish_diagnostics.version_support") \
        else None
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, diagnostics=list(ls.warnings.get(uri, {}).values()), version=version))


@guarded()
def did_change(ls: ImiLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.last_uri = uri
    if not ls.settings.diagnostics:
        return
    where = ls.locate(uri)
    if where is None:
        return
    memory, rel = where
    hits = [h for h in memory.index.hits(rel) if h.record.kind == "lesson" and h.record.id not in ls.acknowledged]
    if not hits:
        return
    changes = [edited_lines(c) for c in params.content_changes]
    found = touched(hits, [before for before, _after in changes])
    if not found:
        return
    current = ls.warnings.setdefault(uri, {})
    line_count = ls.line_count(uri)
    for lesson_id, (lesson, i) in found.items():
        first, last = changes[i][1]
        current[lesson_id] = warning(lesson, first, last, line_count, ls.settings.diagnostic_severity)
    publish(ls, uri)


@guarded()
def did_open(ls: ImiLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.last_uri = params.text_document.uri  # the lens is enough: opening publishes nothing


@guarded()
def did_close(ls: ImiLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    if ls.warnings.pop(params.text_document.uri, None):
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                           diagnostics=[]))


def republish(ls: ImiLanguageServer) -> None:
    """After the memory or the settings changed: update each shown warning, drop those whose lesson went."""
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
        if after != before:
            ls.warnings[uri] = after
            publish(ls, uri)
        if not after:
            ls.warnings.pop(uri, None)


def register(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
