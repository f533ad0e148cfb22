"""Anchors in open documents: lenses, lesson warnings and stale-anchor diagnostics follow the code as it is typed.

On `didOpen` every anchored reference naming the document (and those naming a file
git renamed to it) is located in the document's text, not on disk, so code that
moved is followed (`imi_cli.memory.anchors.live`). Each `didChange` shifts the ranges
(arithmetic only, nothing is read); `didSave` locates them again, which is when an
edit in this session can make an anchor stale. A changed or orphaned anchor shows an
Information diagnostic (`source` imi, `code` stale-anchor) whose quick fixes live in
`fixes.py`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from dataclasses import dataclass, field

from lsprotocol import types

from imi_cli.memory import DocumentAnchors, Edit, Hit, LiveAnchor, RefIndex, read_lines, renamed_paths, shorten

from .folders import FolderMemory
from .base import ImiLanguageServer

log = logging.getLogger(__name__)

SOURCE = "imi"
STALE_CODE = "stale-anchor"
RENAME_CHECK_SECONDS = 1.0   # how often opening a file may look for anchored files that went missing
GIT_AGAIN_SECONDS = 10.0     # how often the same missing files may be asked about again (a later `git add`)
LABEL = {"lesson": "Lesson", "decision": "Decision", "task": "Task", "goal": "Goal", "note": "Note"}


@dataclass(eq=False)
class OpenDocument:
    """What the server keeps for one open document with memory."""

    memory: FolderMemory
    rel: str
    anchors: DocumentAnchors
    index: RefIndex | None = None           # the path index its anchors were taken from
    renamed: list[Hit] = field(default_factory=list)  # references to files git renamed to this one
    renames_seen: int = -1
    shown: list[types.Diagnostic] = field(default_factory=list)  # stale-anchor diagnostics last published


class Where:
    """Where references' lines are in a document now: live in an open document, else as stored.

    `lines(hit)` is 1-based (start, end), None for a reference to the whole file, or GONE
    when the anchored code is not in the document (orphaned, or deleted while editing).
    """

    __slots__ = ("ranges",)

    def __init__(self, doc: OpenDocument | None):
        self.ranges = doc.anchors.ranges() if doc is not None else {}

    def lines(self, hit: Hit):
        found = self.ranges.get(hit.ref.ref_id, _STORED)
        return hit.lines() if found is _STORED else found


_STORED = object()
STORED = Where(None)


def where(ls: ImiLanguageServer, uri: str) -> Where:
    return Where(ls.documents.get(uri))


def hits(ls: ImiLanguageServer, memory: FolderMemory, rel: str, uri: str) -> list[Hit]:
    """What names a document: the path index's references plus those of files git renamed to it."""
    found = memory.index.hits(rel)
    doc = ls.documents.get(uri)
    if doc is not None and doc.renamed and doc.memory is memory:
        return found + doc.renamed
    return found


def text_lines(ls: ImiLanguageServer, uri: str) -> list[str]:
    """The open document's lines as the CLI splits a file (so both judge an anchor alike)."""
    doc = ls.workspace.text_documents.get(uri)
    return doc.source.splitlines() if doc is not None else []


def edit_of(change) -> Edit | None:
    """An incremental content change as an Edit; None for a whole-document replacement."""
    rng = getattr(change, "range", None)
    if rng is None:
        return None
    return Edit(rng.start.line, rng.start.character, rng.end.line, rng.end.character, change.text)


# following documents ------------------------------------------------------------------------------
def opened(ls: ImiLanguageServer, uri: str) -> OpenDocument | None:
    """Start following a document: locate its anchors in its text."""
    where_ = ls.locate(uri)
    if where_ is None:
        ls.documents.pop(uri, None)
        return None
    memory, rel = where_
    doc = OpenDocument(memory, rel, DocumentAnchors(rel))
    ls.documents[uri] = doc
    _sync(ls, uri, doc)
    look_for_renames(ls, memory)
    return doc


def closed(ls: ImiLanguageServer, uri: str) -> OpenDocument | None:
    return ls.documents.pop(uri, None)


def follow_edit(ls: ImiLanguageServer, uri: str, edit: Edit) -> None:
    """Move the document's anchors through one edit."""
    doc = ls.documents.get(uri)
    if doc is not None:
        doc.anchors.edit(edit)


def relocate(ls: ImiLanguageServer, uri: str) -> None:
    """Judge the document's anchors against its text again (on save, or after a whole-text replacement)."""
    doc = ls.documents.get(uri)
    if doc is not None:
        doc.anchors.relocate(text_lines(ls, uri))


def _sync(ls: ImiLanguageServer, uri: str, doc: OpenDocument) -> None:
    index = doc.memory.index
    state = _renames.get(doc.memory)
    doc.renamed = list(state.by_new.get(doc.rel, ())) if state is not None else []
    doc.renames_seen = state.version if state is not None else -1
    refs = [(h.record.kind, h.record.id, h.ref) for h in index.hits(doc.rel) + doc.renamed if h.ref.is_anchor]
    doc.anchors.sync(refs, text_lines(ls, uri))
    doc.index = index


def resync(ls: ImiLanguageServer) -> None:
    """After the memory changed (a write here or elsewhere, a reload, a folder change): follow the new
    references, keep the ranges of those whose snapshot did not change."""
    for uri, doc in list(ls.documents.items()):
        where_ = ls.locate(uri)
        if where_ is None:
            doc.anchors.sync([], [])
            doc.renamed, doc.index = [], None
            continue
        memory, rel = where_
        if memory is not doc.memory or rel != doc.rel:
            doc.memory, doc.rel, doc.anchors = memory, rel, DocumentAnchors(rel)
        state = _renames.get(memory)
        if doc.index is not memory.index or doc.renames_seen != (state.version if state else -1):
            _sync(ls, uri, doc)
            look_for_renames(ls, memory)


# stale-anchor diagnostics ---------------------------------------------------------------------------
def stale_diagnostics(ls: ImiLanguageServer, uri: str) -> list[types.Diagnostic]:
    """One Information diagnostic per changed or orphaned anchor of a live record shown in this document."""
    doc = ls.documents.get(uri)
    settings = ls.settings
    if doc is None or not settings.diagnostics or not settings.stale_anchors:
        return []
    stale = doc.anchors.stale()
    if not stale:
        return []
    line_count = ls.line_count(uri)
    out = []
    for live in stale:
        summary = doc.memory.index.summary(live.kind, live.record_id)
        hidden = summary is None or summary.kind not in settings.kinds
        if hidden or (summary.kind == "task" and summary.state == "done"):
            continue
        if live.status == "changed" and not live.gone:
            first, last = live.start - 1, min(live.end, line_count)
        else:
            first, last = 0, min(1, line_count)
        out.append(types.Diagnostic(
            range=types.Range(start=types.Position(line=first, character=0),
                              end=types.Position(line=max(last, first), character=0)),
            message=stale_message(live, summary.title), severity=types.DiagnosticSeverity.Information,
            source=SOURCE, code=STALE_CODE,
            data={"kind": live.kind, "id": live.record_id, "ref": live.ref.ref_id, "status": live.status}))
    return out


def stale_message(live: LiveAnchor, title: str) -> str:
    """What a stale-anchor diagnostic says: the record, what happened to its code, what to do."""
    # the record first, its id last (as in the lesson warnings)
    head = f"{LABEL.get(live.kind, live.kind)}: {shorten(title, 200)}"
    if live.status == "changed" and not live.gone:
        what = f"The code it is anchored to ({live.ref.label()}) changed since it was recorded."
    else:
        what = f"The code it is anchored to ({live.ref.label()}) is gone from this file."
    return f"{head}\n{what}\nVerify it if it still holds, re-anchor it, or supersede it. · {live.record_id}"


def stale_of(ls: ImiLanguageServer, uri: str, diagnostic: types.Diagnostic) -> LiveAnchor | None:
    """The anchor a stale-anchor diagnostic is about: by its data, or (clients that drop data) its message."""
    doc = ls.documents.get(uri)
    if doc is None:
        return None
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    ref_id = data.get("ref")
    if isinstance(ref_id, int) and not isinstance(ref_id, bool):
        return doc.anchors.get(ref_id)
    for shown in doc.shown:
        if shown.message == diagnostic.message and isinstance(shown.data, dict):
            return doc.anchors.get(shown.data.get("ref"))
    return None


# files git renamed ----------------------------------------------------------------------------------
@dataclass(eq=False)
class RenameState:
    """Which anchored files of one folder's memory went missing, and where git says they went."""

    index: RefIndex | None = None
    checked_at: float = 0.0
    missing: frozenset = frozenset()
    git_at: float = 0.0
    by_new: dict[str, list[Hit]] = field(default_factory=dict)
    version: int = 0
    running: bool = False


_renames: weakref.WeakKeyDictionary[FolderMemory, RenameState] = weakref.WeakKeyDictionary()


def _missing(index: RefIndex, root) -> dict[str, set[str | None]]:
    """Anchored paths whose file is not there, with the commits their anchors were made at."""
    missing: dict[str, set[str | None]] = {}
    for path, anchored in index.anchored_paths().items():
        if not os.path.isfile(os.path.join(root, path)):
            missing[path] = {h.ref.commit for h in anchored}
    return missing


def _find_renames(index: RefIndex, root, state: RenameState, now: float) -> tuple[frozenset, dict | None]:
    """(missing paths, {new path: hits}) — the second None when git need not be asked again."""
    missing = _missing(index, root)
    key = frozenset(missing)
    if not missing:
        return key, {}
    if key == state.missing and index is state.index and now - state.git_at < GIT_AGAIN_SECONDS:
        return key, None
    moved = renamed_paths(root, missing)
    anchored = index.anchored_paths()
    by_new: dict[str, list[Hit]] = {}
    for old, new in moved.items():
        by_new.setdefault(new, []).extend(anchored.get(old, ()))
    return key, by_new


def look_for_renames(ls: ImiLanguageServer, memory: FolderMemory) -> None:
    """Notice anchored files that git renamed (at most once a second; git only when files are missing).
    Runs in a worker thread; documents at a new path then show the old path's anchors."""
    if memory.project is None:
        return
    state = _renames.setdefault(memory, RenameState())
    now = time.monotonic()
    if state.running or (state.index is memory.index and now - state.checked_at < RENAME_CHECK_SECONDS):
        return
    index, root = memory.index, memory.root
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # called outside the server's loop (benchmarks): do it now
        _apply_renames(ls, memory, state, index, now, *_find_renames(index, root, state, now))
        return
    state.running = True

    async def run() -> None:
        try:
            found = await loop.run_in_executor(None, _find_renames, index, root, state, now)
            if _apply_renames(ls, memory, state, index, now, *found):
                await ls.memory_changed()
        finally:
            state.running = False

    ls.run_task(run())


def _apply_renames(ls: ImiLanguageServer, memory: FolderMemory, state: RenameState, index: RefIndex,
                   now: float, missing: frozenset, by_new: dict | None) -> bool:
    """Install what a rename check found; True when documents must follow."""
    state.index, state.checked_at = index, now
    if by_new is None:
        return False
    state.missing = missing
    if missing:
        state.git_at = now
    changed = {k: [h.ref.ref_id for h in v] for k, v in by_new.items()} != \
        {k: [h.ref.ref_id for h in v] for k, v in state.by_new.items()}
    state.by_new = by_new
    if changed:
        state.version += 1
        if by_new:
            log.info("imi: anchored files renamed (git): %s", ", ".join(sorted(by_new)))
    return changed


# writing from the editor -------------------------------------------------------------------------------
def document_reader(ls: ImiLanguageServer, memory: FolderMemory):
    """A file reader for the data layer that answers with the open documents' text (saved or not)."""
    open_docs = {memory.root / doc.rel: uri for uri, doc in ls.documents.items() if doc.memory is memory}

    def read(path):
        uri = open_docs.get(path)
        return text_lines(ls, uri) if uri is not None else read_lines(path)

    return read


def snapshot_document(ls: ImiLanguageServer, memory: FolderMemory, kind: str, record_id: str, uri: str | None) -> int:
    """A record just anchored "here" was snapshotted from the file on disk; when the open document differs
    (unsaved edits), take its line anchors in that document from the text the user sees. Returns how many."""
    doc = ls.documents.get(uri) if uri else None
    if doc is None or doc.memory is not memory or memory.project is None:
        return 0
    lines = text_lines(ls, uri)
    project = memory.project
    found = project.get(kind, record_id)
    redo = [ref for ref in getattr(found, "files", ())
            if ref.path == doc.rel and not ref.is_glob and ref.line_start and not ref.symbol
            and (ref.line_end or ref.line_start) <= len(lines)
            and ref.anchor_text != "\n".join(lines[ref.line_start - 1:ref.line_end or ref.line_start])]
    if redo:
        with project.transaction():
            for ref in redo:
                project.reanchor(kind, record_id, ref.ref_id, doc.rel, lines, ref.line_start,
                                 ref.line_end or ref.line_start)
    return len(redo)
