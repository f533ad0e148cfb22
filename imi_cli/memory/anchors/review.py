"""Anchors across the project: which are stale, and re-anchoring a record that is verified."""

from __future__ import annotations

from pathlib import Path

from ..store import Store, queries
from ..store.records import FileRef
from ..typed import RecordType
from .gitrenames import renames_since
from .renames import follow_renames
from .status import Anchor, Located, locate, snapshot
from .text import fingerprint, read_lines


class Renames:
    """git's renames since each commit, asked only when an anchored file is missing, once per commit."""

    def __init__(self, root: Path, known: dict[str, str] | None = None):
        self.root = root
        self._by_commit: dict[str | None, dict[str, str]] = {}
        self.known = known or {}  # what `follow_renames` found but could not store: git need not be asked again

    def since(self, commit: str | None) -> dict[str, str]:
        if self.known:
            return self.known
        if commit not in self._by_commit:
            self._by_commit[commit] = renames_since(self.root, commit)
        return self._by_commit[commit]


class Files:
    """Each file read once per review (many anchors share a file); `reader` may serve some files from
    elsewhere (an editor's open documents)."""

    def __init__(self, reader=read_lines):
        self._lines: dict[Path, list[str] | None] = {}
        self._reader = reader

    def read(self, path: Path) -> list[str] | None:
        if path not in self._lines:
            self._lines[path] = self._reader(path)
        return self._lines[path]


def locate_ref(root: Path, ref: FileRef, renames: Renames, files: Files | None = None) -> Located | None:
    """Where an anchored reference is now (None for a plain file or glob reference)."""
    if not ref.is_anchor:
        return None
    read = (files or Files()).read
    anchor = Anchor(ref.path, ref.line_start, ref.line_end, ref.symbol, ref.anchor_text, ref.commit)
    found = locate(anchor, root, read=read)
    if found.status == "orphaned" and read(root / ref.path) is None:
        found = locate(anchor, root, renames.since(ref.commit), read=read)
    return found


class AnchorState(metaclass=RecordType):
    """One anchored reference of a live record and where it is now."""

    kind: str
    record_id: str
    ref: FileRef
    now: Located

    def to_json(self) -> dict:
        return {"id": self.record_id, "kind": self.kind, "path": self.ref.path, "line_start": self.ref.line_start,
                "line_end": self.ref.line_end, "symbol": self.ref.symbol, "status": self.now.status,
                "now": self.now.to_json()}


def all_anchors(store: Store) -> list[AnchorState]:
    """Every anchor of a live (not archived) record, with its status."""
    live: set[str] = set()
    for kind, table in queries.TABLES.items():
        archived = "" if kind == "memory" else " WHERE archived_at IS NULL"
        live.update(row[0] for row in store.execute(f"SELECT id FROM {table}{archived}"))
    followed = follow_renames(store)  # files git renamed: their references move first (quietly)
    renames, files = Renames(store.root, None if followed.stored else followed.paths), Files()
    states = []
    for kind, record_id, ref in queries.file_refs(store):
        if record_id not in live or not ref.is_anchor:
            continue
        now = locate_ref(store.root, ref, renames, files)
        if ref.ref_id in followed.ref_ids and now.status in ("fresh", "moved"):
            now = Located("renamed", now.path, now.line_start, now.line_end, now.similarity)
        states.append(AnchorState(kind, record_id, ref, now))
    return states


def verify(store: Store, kind: str, record_id: str, read=read_lines) -> list[tuple[FileRef, Located, str]]:
    """Accept a record as still true: move each of its anchors to where the code is now, with a new
    snapshot. An anchor whose code is gone becomes a reference to the file (dropped if the file is
    gone too). Returns (old ref, where it is, what was done). Caller holds a write transaction.
    `read` gives a file's lines: an editor passes its open documents' text, saved or not."""
    from ..gitinfo import head_commit
    from ..redaction import redact

    record = queries.get(store, kind, record_id)
    commit = head_commit(store.root)
    renames = Renames(store.root)
    files = Files(read)
    done = []
    for ref in record.files:
        now = locate_ref(store.root, ref, renames, files)
        if now is None:
            continue
        if now.status == "orphaned":
            if (store.root / now.path).is_file() or files.read(store.root / now.path) is not None:
                store.execute("UPDATE refs SET line_start = NULL, line_end = NULL, symbol = NULL, anchor_text = NULL, "
                              "fingerprint = NULL, path = ? WHERE id = ?", (now.path, ref.ref_id))
                done.append((ref, now, "kept as a reference to the file (the code is gone)"))
            else:
                store.execute("DELETE FROM refs WHERE id = ?", (ref.ref_id,))
                done.append((ref, now, "dropped (the file is gone)"))
            continue
        start, end, text = snapshot(store.root, now.path, now.line_start, now.line_end, ref.symbol, files.read)
        text = redact(text, "anchored code") if text else None
        store.execute("UPDATE refs SET path = ?, line_start = ?, line_end = ?, anchor_text = ?, fingerprint = ?, "
                      "commit_sha = ? WHERE id = ?",
                      (now.path, start, end, text, fingerprint(text.splitlines()) if text else None, commit,
                       ref.ref_id))
        done.append((ref, now, "re-anchored" if now.status != "fresh" else "unchanged"))
    store.touch(kind, record_id)
    return done


def annotate(root: Path, records, renames: Renames | None = None, files: Files | None = None) -> None:
    """Set `ref.now` on every anchored reference of these records (for context and hooks); `renames` and
    `files` may be shared by several calls (each file read once, git asked once)."""
    renames, files = renames or Renames(root), files or Files()
    for item in records:
        for ref in getattr(item, "files", ()):
            if ref.is_anchor and (ref.anchor_text or ref.symbol):  # a bare line number has nothing to compare
                ref.now = locate_ref(root, ref, renames, files)


def follow(store: Store, states: list[AnchorState]) -> int:
    """Move anchors whose code moved or whose file was renamed to where it is now (the code is the
    same, so the memory still holds). Caller holds a write transaction; returns how many moved."""
    moved = 0
    for state in states:
        now = state.now
        if now.status not in ("moved", "renamed"):
            continue
        store.execute("UPDATE refs SET path = ?, line_start = ?, line_end = ? WHERE id = ?",
                      (now.path, now.line_start, now.line_end, state.ref.ref_id))
        store.touch(state.kind, state.record_id)
        moved += 1
    return moved


def reanchor(store: Store, kind: str, record_id: str, ref_id: int, path: str, lines: list[str],
             line_start: int, line_end: int) -> FileRef:
    """Anchor one reference of a record to lines line_start..line_end of `path`, whose text is `lines`
    (an editor passes its document, saved or not): a new snapshot at the current commit. A symbol
    is kept only if it still spans exactly those lines. Caller holds a write transaction."""
    from ..errors import NotFound, UsageError
    from ..gitinfo import head_commit
    from ..redaction import redact
    from .spans import find_symbol

    found = queries.get(store, kind, record_id)
    ref = next((r for r in getattr(found, "files", ()) if r.ref_id == ref_id), None) if found else None
    if ref is None:
        raise NotFound(f"{kind} {record_id} has no file reference {ref_id}")
    if not 1 <= line_start <= line_end <= len(lines):
        raise UsageError(f"lines {line_start}-{line_end} are not in {path} ({len(lines)} lines): nothing was written")
    text = redact("\n".join(lines[line_start - 1:line_end]), "anchored code")
    symbol = ref.symbol if ref.symbol and find_symbol(lines, path, ref.symbol) == (line_start, line_end) else None
    store.execute("UPDATE refs SET path = ?, is_glob = 0, line_start = ?, line_end = ?, symbol = ?, anchor_text = ?, "
                  "fingerprint = ?, commit_sha = ? WHERE id = ?",
                  (path, line_start, line_end, symbol, text, fingerprint(text.splitlines()), head_commit(store.root),
                   ref_id))
    store.touch(kind, record_id)
    return FileRef(path, False, line_start, line_end, symbol, ref.origin, text, head_commit(store.root), ref_id)


SUPERSEDABLE = ("decision", "lesson", "note")


def supersede(store: Store, prov, kind: str, record_id: str, what: str, why: str | None,
              affects: str | None = None, files: list[str] = ()) -> str:
    """Record a decision that replaces a record, and archive the old one (it stays readable by id).

    The new decision's `supersedes` column names the old record, so context shows only the
    newest of the chain, with a pointer to its history (`imi show`). Returns the new decision's
    id; nothing is written if either step fails.
    """
    from .. import recording
    from ..errors import Conflict, UsageError

    if kind not in SUPERSEDABLE:
        raise UsageError(f"only a decision, lesson or note can be superseded, not a {kind}")
    old = queries.get(store, kind, record_id)
    if old is None:
        from ..errors import NotFound

        raise NotFound(f"no {kind} with id {record_id!r}")
    if getattr(old, "archived_at", None):
        raise Conflict(f"{kind} {record_id} is archived already: nothing was written")
    # the old text stays out of the new record: context would show the replaced record again
    return recording.add_decision(store, prov, what, why, affects, files=list(files), supersedes=record_id)
