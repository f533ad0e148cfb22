"""Bringing the database up to date with the version files (after git pull, merge, checkout, rebase).

Only what changed is read: version files not yet in the database are imported,
files that disappeared (a branch switch) are forgotten, and each record they
touch is set to its winning version:
- the newest version by clock stamp wins; the others stay as its history;
- a deletion loses to an edit it never saw (an edit made on another branch
  after the version the deletion was based on): nothing written is lost.
Two versions made from the same base are a conflict; `imi sync` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import Store
from ..store.queries import TABLES
from . import layout, rows, state

APPLY_ORDER = ("goal", "task", "decision", "lesson", "note", "memory")


@dataclass(slots=True)
class Conflict:
    """A record changed on two branches from the same version."""

    kind: str
    record_id: str
    winner: str            # stamp of the version that now holds
    winner_agent: str | None
    others: list[tuple[str, str | None]] = field(default_factory=list)  # (stamp, agent) kept as history

    def describe(self) -> str:
        losers = ", ".join(f"{stamp} by {agent or '?'}" for stamp, agent in self.others)
        return (f"{self.kind} {self.record_id} was changed on both sides: kept the newer version "
                f"({self.winner} by {self.winner_agent or '?'}); {losers} kept in its history")


@dataclass(slots=True)
class SyncReport:
    imported: int = 0            # version files read
    forgotten: int = 0           # version files gone from disk
    records: int = 0             # records whose state changed
    exported: int = 0            # records written to text for the first time
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unreadable files

    def to_json(self) -> dict:
        return {"imported_versions": self.imported, "forgotten_versions": self.forgotten,
                "records_updated": self.records, "records_exported": self.exported,
                "conflicts": [{"kind": c.kind, "id": c.record_id, "winner": c.winner, "winner_agent": c.winner_agent,
                               "others": [{"hlc": s, "agent": a} for s, a in c.others]} for c in self.conflicts],
                "skipped_files": self.skipped}


def winner(versions: list[tuple[str, str | None, bool]]) -> tuple[str, str | None, bool] | None:
    """The version that holds among (stamp, base, deleted) versions of one record."""
    if not versions:
        return None
    ordered = sorted(versions)
    best = ordered[-1]
    if best[2]:
        unseen_edits = [v for v in ordered if not v[2] and v[0] > (best[1] or "")]
        if unseen_edits:
            return unseen_edits[-1]
    return best


def sync(store: Store, *, export_untracked: bool = False) -> SyncReport:
    """Import new and forget vanished version files; with `export_untracked`, also write a first
    version for every record the text does not have yet (an IMI 0.3 database, say)."""
    report = SyncReport()
    root = store.root
    with store.write():
        on_disk = layout.list_versions(root)
        known = {row[0]: (row[1], row[2]) for row in store.execute("SELECT name, kind, record_id FROM text_versions")}
        new = [name for name in on_disk if name not in known]
        gone = [name for name in known if name not in on_disk]
        affected: dict[str, str] = {}
        for name in gone:
            kind, record_id = known[name]
            store.execute("DELETE FROM text_versions WHERE name = ?", (name,))
            affected[record_id] = kind
        report.forgotten = len(gone)
        newest = None
        for name in new:
            kind, record_id, stamp = on_disk[name]
            payload = layout.read_version(layout.version_path(root, kind, record_id, stamp))
            if payload is None or payload.get("id") != record_id or payload.get("hlc") != stamp:
                report.skipped.append(f"{layout.KIND_DIRS[kind]}/{name}")
                continue
            base = payload.get("base") if isinstance(payload.get("base"), str) else None
            store.execute("INSERT OR REPLACE INTO text_versions(name, kind, record_id, hlc, base, deleted, agent) "
                          "VALUES (?,?,?,?,?,?,?)", (name, kind, record_id, stamp, base,
                                                     int(bool(payload.get("deleted"))), _text(payload.get("agent"))))
            affected[record_id] = kind
            newest = max(newest or stamp, stamp)
            report.imported += 1
        if newest:
            state.observe(store, newest)
        _apply(store, affected, report, new_names=set(new))
        if export_untracked:
            report.exported = _touch_untracked(store)
        state.put(store, "text_signature", layout.signature(root))
    return report


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _apply(store: Store, affected: dict[str, str], report: SyncReport, new_names: set[str]) -> None:
    by_kind: dict[str, list[str]] = {}
    for record_id, kind in affected.items():
        by_kind.setdefault(kind, []).append(record_id)
    task_states: dict[str, dict | None] = {}
    for kind in APPLY_ORDER:
        for record_id in by_kind.get(kind, []):
            versions = [(row[0], row[1], bool(row[2])) for row in store.execute(
                "SELECT hlc, base, deleted FROM text_versions WHERE record_id = ? ORDER BY hlc", (record_id,))]
            chosen = winner(versions)
            record = None
            if chosen and not chosen[2]:
                payload = layout.read_version(layout.version_path(store.root, kind, record_id, chosen[0]))
                record = payload.get("record") if payload else None
            rows.apply_record(store, kind, record_id, record)
            if kind == "task":
                task_states[record_id] = record
            report.records += 1
            conflict = _conflict(store, kind, record_id, versions, chosen, new_names)
            if conflict:
                report.conflicts.append(conflict)
    for task_id, record in task_states.items():
        rows.apply_blockers(store, task_id, record)


def _conflict(store: Store, kind: str, record_id: str, versions, chosen, new_names: set[str]) -> Conflict | None:
    """Siblings (versions from the same base) where at least one just arrived."""
    by_base: dict[str | None, list[str]] = {}
    for stamp, base, _deleted in versions:
        by_base.setdefault(base, []).append(stamp)
    agents = dict(store.execute("SELECT hlc, agent FROM text_versions WHERE record_id = ?", (record_id,)))
    names = {stamp: layout.file_name(record_id, stamp) for stamp, _, _ in versions}
    for base, stamps in by_base.items():
        if len(stamps) > 1 and any(names[s] in new_names for s in stamps) and chosen:
            others = [(s, agents.get(s)) for s in sorted(stamps) if s != chosen[0]]
            return Conflict(kind, record_id, chosen[0], agents.get(chosen[0]), others)
    return None


def _touch_untracked(store: Store) -> int:
    count = 0
    for kind, table in TABLES.items():
        for (record_id,) in store.execute(
                f"SELECT id FROM {table} WHERE id NOT IN (SELECT record_id FROM text_versions)").fetchall():
            store.touch(kind, record_id)
            count += 1
    return count


def check(store: Store) -> SyncReport | None:
    """On opening the database: import when the record folders changed since the last sync
    (a few stat calls when nothing did)."""
    if store.readonly or state.get(store, "text_signature") == layout.signature(store.root):
        return None
    return sync(store)
