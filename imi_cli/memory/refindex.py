"""An in-memory index of file references: which records name a repo-relative path.

Long-lived readers (the language server) load every reference once, with the short
summaries a lens or a warning needs, and then answer "what names this file?" without
touching the database: a dict lookup for exact paths plus the glob references whose
literal folder prefix contains the path. `LiveIndex` reloads when another process
commits (`PRAGMA data_version`). Pure Python: no editor protocol here.
"""

from __future__ import annotations

import gc
from typing import Iterable, NamedTuple

from .paths import GLOB_CHARS, compile_glob
from .opening import open_store
from .store import Store, queries
from .store.records import FileRef

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

TITLE_CHARS = 160
# Kinds the index knows about; memories (checkpoints, completion notes) are not shown in files.
KINDS = ("lesson", "decision", "task", "goal", "note")
_SUMMARY_SQL = {
    "lesson": "SELECT id, substr(what_went_wrong, 1, {n}), NULL, agent, created_at, substr(correct_behavior, 1, {n}), "
              "verified_by FROM lessons",
    "decision": "SELECT id, substr(what, 1, {n}), kind, agent, created_at, NULL, NULL FROM decisions",
    "task": "SELECT id, substr(title, 1, {n}), status, agent_id, created_at, NULL, NULL FROM tasks",
    "goal": "SELECT id, substr(name, 1, {n}), status, agent, created_at, NULL, NULL FROM goals",
    "note": "SELECT id, substr(content, 1, {n}), kind, author, created_at, NULL, NULL FROM direction_notes",
}


class Summary(NamedTuple):
    """What a lens, a warning or a symbol shows of a record without loading it in full.

    `state` is a task's or goal's status, a decision's kind ("decision"/"killed") or a
    note's kind; `who` is a task's claimant, otherwise the author. For lessons,
    `detail` is the correct behaviour and `verified_by` who verified it.
    """

    kind: str
    id: str
    title: str
    state: str | None = None
    who: str | None = None
    created_at: int | None = None
    detail: str | None = None
    verified_by: str | None = None


class Hit(NamedTuple):
    """One reference of one record to a path: the record's summary and the reference itself.

    Tuples rather than dataclasses: the index holds one per reference, tens of thousands.
    """

    record: Summary
    ref: FileRef

    @property
    def anchored(self) -> bool:
        """True when the reference names a line range (an area of the file, not the whole file)."""
        return self.ref.line_start is not None and not self.ref.is_glob

    def lines(self) -> tuple[int, int] | None:
        """The anchored range as 1-based inclusive (start, end) lines, or None for the whole file."""
        if not self.anchored:
            return None
        start = self.ref.line_start
        return start, max(start, self.ref.line_end or start)


def lines_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Whether two inclusive line ranges share a line (any base, as long as both use it)."""
    return a_start <= b_end and b_start <= a_end


def literal_prefix(pattern: str) -> str:
    """The folder part of a glob before its first wildcard: `src/db/*.py` -> `src/db/`, `**/x` -> ``."""
    cut = len(pattern)
    for i, char in enumerate(pattern):
        if char in GLOB_CHARS:
            cut = i
            break
    head = pattern[:cut]
    return head[: head.rfind("/") + 1]


def _folders(path: str) -> Iterable[str]:
    """Every folder prefix of a path, with a trailing slash, starting with the root ``."""
    yield ""
    start = 0
    while (slash := path.find("/", start)) != -1:
        yield path[: slash + 1]
        start = slash + 1


class RefIndex:
    """Every file reference of every live (not archived) record, by path.

    Exact paths are a dict lookup; glob references are grouped by their literal
    folder prefix, and within it by pattern, so a lookup runs each distinct pattern
    that could match once (however many records name it: `**/*.sql` named by a
    thousand decisions is one match). Answers are cached per path until the index
    is rebuilt.
    """

    CACHE_LIMIT = 20_000

    def __init__(self, refs: Iterable[tuple[str, str, FileRef]], summaries: dict[tuple[str, str], Summary]):
        self._exact: dict[str, list[Hit]] = {}
        self._globs: dict[str, dict[str, tuple[re.Pattern[str], list[Hit]]]] = {}
        self._summaries = summaries
        self._cache: dict[str, list[Hit]] = {}
        self._anchored: dict[str, list[Hit]] | None = None
        exact, globs, known = self._exact, self._globs, summaries.get
        count = 0
        for kind, record_id, ref in refs:
            summary = known((kind, record_id))
            if summary is None:  # archived, a memory, or a dangling reference
                continue
            count += 1
            if ref.is_glob:
                patterns = globs.setdefault(literal_prefix(ref.path), {})
                if (entry := patterns.get(ref.path)) is None:
                    entry = patterns[ref.path] = (compile_glob(ref.path), [])
                entry[1].append(Hit(summary, ref))
            elif (bucket := exact.get(ref.path)) is not None:
                bucket.append(Hit(summary, ref))
            else:
                exact[ref.path] = [Hit(summary, ref)]
        self.ref_count = count

    @classmethod
    def load(cls, store: Store) -> RefIndex:
        """Read every reference and the summaries of their records, in one read transaction (one snapshot)."""
        # The cycle collector would walk the growing index again and again while it is built (half of the
        # load time at 500,000 references); nothing built here forms a cycle, so it is paused meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with store.conn:
                return cls(queries.file_refs(store), load_summaries(store))
        finally:
            if collecting:
                gc.enable()

    def hits(self, path: str) -> list[Hit]:
        """Every reference naming the repo-relative `path`: exact ones first, then globs and folders."""
        found = self._cache.get(path)
        if found is not None:
            return found
        found = list(self._exact.get(path, ()))
        for folder in _folders(path):
            patterns = self._globs.get(folder)
            if patterns:
                for pattern, hits in patterns.values():
                    if pattern.match(path):
                        found.extend(hits)
        if len(self._cache) >= self.CACHE_LIMIT:
            self._cache.clear()
        self._cache[path] = found
        return found

    def records(self, path: str, kinds: Iterable[str] | None = None) -> list[Summary]:
        """The distinct records naming `path`, in reference order, optionally only some kinds."""
        wanted = set(kinds) if kinds is not None else None
        seen: dict[tuple[str, str], Summary] = {}
        for hit in self.hits(path):
            rec = hit.record
            if wanted is None or rec.kind in wanted:
                seen.setdefault((rec.kind, rec.id), rec)
        return list(seen.values())

    def anchored_paths(self) -> dict[str, list[Hit]]:
        """Exact paths named by anchored references (lines or a symbol), with those references; computed
        once per index (an editor asks which of these files git renamed)."""
        found = self._anchored
        if found is None:
            found = {}
            for path, hits in self._exact.items():  # exact references are never globs
                anchored = [h for h in hits if h[1].line_start or h[1].symbol]
                if anchored:
                    found[path] = anchored
            self._anchored = found
        return found

    def summary(self, kind: str, record_id: str) -> Summary | None:
        """The summary of one live record, or None if it is archived, gone or names no file."""
        return self._summaries.get((kind, record_id))

    def find(self, record_id: str) -> Summary | None:
        """A live record's summary by id alone (ids are unique across kinds)."""
        for kind in KINDS:
            found = self._summaries.get((kind, record_id))
            if found is not None:
                return found
        return None

    def __len__(self) -> int:
        return self.ref_count


def load_summaries(store: Store, kinds: Iterable[str] = KINDS) -> dict[tuple[str, str], Summary]:
    """Summaries of every live record that names at least one file."""
    out: dict[tuple[str, str], Summary] = {}
    for kind in kinds:
        sql = _SUMMARY_SQL[kind].format(n=TITLE_CHARS) + (
            " WHERE archived_at IS NULL AND id IN (SELECT record_id FROM refs)")
        for rid, title, state, who, created, detail, verified in store.execute(sql):
            out[(kind, rid)] = Summary(kind, rid, " ".join((title or "").split()), state, who,
                                       _int(created), detail, verified)
    return out


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class LiveIndex:
    """A RefIndex kept current: loaded on first use, and again when another connection commits.

    `PRAGMA data_version` changes only for commits by other connections, so after
    writing through `store` itself call `reload()`. `fetch()` reads a fresh index
    through a connection of its own, so it can run in a worker thread while the
    current index keeps answering; `install()` then swaps it in.
    """

    def __init__(self, store: Store):
        self.store = store
        self.version: int | None = None
        self._index: RefIndex | None = None
        self.generation = 0

    @property
    def index(self) -> RefIndex:
        if self._index is None:
            self.reload()
        return self._index

    @property
    def loaded(self) -> bool:
        return self._index is not None

    def current_version(self) -> int:
        """The database's data_version now (compare with `version`, the one the index was loaded at)."""
        return self.store.data_version()

    def changed(self) -> bool:
        """Whether another connection committed since the last load (one pragma read)."""
        return self._index is not None and self.store.data_version() != self.version

    def refresh(self) -> bool:
        """Reload if the database changed; True when it did."""
        if not self.changed():
            return False
        self.reload()
        return True

    def reload(self) -> None:
        """Load the index again, now, through the store's own connection."""
        version = self.store.data_version()  # read first: a commit during the load only causes one more reload
        self.install(version, RefIndex.load(self.store))

    def fetch(self) -> RefIndex:
        """A fresh index read through a separate read-only connection (safe in another thread)."""
        reader = open_store(self.store.db_path, readonly=True)
        try:
            return RefIndex.load(reader)
        finally:
            reader.close()

    def install(self, version: int, index: RefIndex) -> None:
        """Use `index`, loaded from the database as of `version` (a data_version of `store`)."""
        self.version = version
        self._index = index
        self.generation += 1
        # The index lives as long as the process (a server): move it, and what else is alive now, out of the
        # cycle collector's sight, or its next full collection walks the index's objects during a request
        # (a third of a second at 500,000 references). Reference counting still frees a replaced index.
        gc.freeze()
