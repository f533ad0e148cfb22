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

import copy
import json
from dataclasses import dataclass, field

from ..store import Store
from ..store.queries import TABLES
from . import bulk, incremental, layout, rows, share, state, vanished

APPLY_ORDER = ("goal", "task", "decision", "lesson", "note", "memory")
UNREPORTED = "text_unreported_conflicts"  # settings: conflicts a catch-up found, for the next `imi sync` to show
UNREPORTED_CLAIMS = "text_unreported_claims"  # settings: the same for concurrent claims of one task
DANGLING = state.DANGLING  # settings: "kind:id" -> ids it links to that are not here (yet)
_BULK = 200  # more records than this: read all versions in one query


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
        return (f"{self.kind} {self.record_id} was changed on both sides: kept the winning version "
                f"({self.winner} by {self.winner_agent or '?'}); {losers} kept in its history")

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.record_id, "winner": self.winner, "winner_agent": self.winner_agent,
                "others": [{"hlc": s, "agent": a} for s, a in self.others]}

    @classmethod
    def from_json(cls, data: dict) -> Conflict:
        return cls(data["kind"], data["id"], data["winner"], data.get("winner_agent"),
                   [(o["hlc"], o.get("agent")) for o in data.get("others", [])])


@dataclass(slots=True)
class SyncReport:
    imported: int = 0            # version files read
    forgotten: int = 0           # version files gone from disk
    records: int = 0             # records whose state changed
    exported: int = 0            # records written to text for the first time
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unreadable files
    restored: list[str] = field(default_factory=list)  # vanished version files written back
    set_aside: dict[str, int] = field(default_factory=dict)  # stash entry -> version files it took
    claims: list[dict] = field(default_factory=list)  # concurrent claims of one task (claim_race)
    unresolved: list[str] = field(default_factory=list)  # version files git left with conflict markers

    def merged(self, later: SyncReport) -> SyncReport:
        """This report followed by a later one, as one."""
        aside = dict(self.set_aside)
        for where, count in later.set_aside.items():
            aside[where] = aside.get(where, 0) + count
        return SyncReport(self.imported + later.imported, self.forgotten + later.forgotten,
                          self.records + later.records, self.exported + later.exported,
                          self.conflicts + later.conflicts, list(dict.fromkeys(self.skipped + later.skipped)),
                          self.restored + later.restored, aside, self.claims + later.claims,
                          list(dict.fromkeys(self.unresolved + later.unresolved)))

    def to_json(self) -> dict:
        return {"imported_versions": self.imported, "forgotten_versions": self.forgotten,
                "records_updated": self.records, "records_exported": self.exported,
                "conflicts": [c.to_json() for c in self.conflicts], "skipped_files": self.skipped,
                "restored_files": self.restored, "set_aside": self.set_aside, "concurrent_claims": self.claims,
                "conflict_marker_files": self.unresolved}

    def claim_lines(self) -> list[str]:
        """One line per concurrent claim of a task."""
        return [describe_claim_race(race) for race in self.claims]

    def notices(self) -> list[str]:
        """What a user must hear about, whichever command noticed it: files written back, files
        with conflict markers, records that went into a stash."""
        lines = []
        if self.restored:
            lines.append(f"restored {_files(len(self.restored))} that vanished from {layout.RECORDS}/ "
                         "(only `imi delete` removes a record; commit them to keep them in git)")
        lines += [f"{layout.RECORDS}/{name} has conflict markers: resolve it by hand (keep one side), then "
                  "`git add` it; its record keeps its last state until then" for name in self.unresolved]
        for where, count in self.set_aside.items():
            lines.append(f"{_files(count)} went into {where}: their records are out of memory until "
                         "`git stash pop` brings them back")
        return lines


def _files(count: int) -> str:
    return f"{count} version file{'' if count == 1 else 's'}"


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


def sync(store: Store, *, export_untracked: bool = False, catch_up: bool = False) -> SyncReport:
    """Import new and forget vanished version files; with `export_untracked`, also write a first
    version for every record the text does not have yet (an IMI 0.3 database, say). A `catch_up`
    (any command noticing that git changed the files) keeps the conflicts it finds for `imi sync`."""
    report = SyncReport()
    root = store.root
    with store.write():
        if catch_up and state.is_current(store):
            return report  # the writer we waited for had already brought the database up to date
        head = incremental.head(store)
        only = incremental.scope(store, head) if incremental.requested() else None
        # A load that looks large starts its helper at once: it lists the files while this process does.
        helper = share.start(store) if only is None and share.likely(store) else None
        try:
            on_disk, known = _listing(store, only)
            new = [name for name in on_disk if name not in known]
            fresh = not known and bulk.empty(store)  # a rebuild, a fresh clone
            shared = share.names_for(on_disk, new) if fresh and len(new) > _BULK else None
            if shared is None and helper is not None:  # smaller than it looked
                helper.close(store)
                helper = None
            elif shared is not None:
                # (started before git is asked for conflict markers: it asks git itself)
                helper = helper or share.start(store)
                if helper is not None:
                    helper.expect(new, shared)
            new += _fixed_by_hand(store, known, on_disk, report)
        except BaseException:
            if helper is not None:
                helper.close(store)
            raise
        gone = [name for name in known if name not in on_disk]
        affected: dict[str, str] = {}
        if gone:  # absence is not deletion: only what git moved elsewhere is forgotten
            settled = vanished.settle(store, gone, known)
            report.restored, report.set_aside = settled.restored, settled.set_aside
            gone = settled.forget
            store.conn.executemany("DELETE FROM text_versions WHERE name = ?", [(name,) for name in gone])
        for name in gone:
            affected[known[name][1]] = known[name][0]
        report.forgotten = len(gone)
        loading = len(new) > _BULK and fresh
        marked = {rel.rpartition("/")[2] for rel in report.unresolved}
        with bulk.collector_paused(loading):
            if helper is not None:
                before, affected_before = copy.deepcopy(report), dict(affected)
                store.execute("SAVEPOINT shared_load")
                try:
                    _take_in(store, new, on_disk, marked, report, affected, loading, helper)
                except share.Failed:  # the helper could not do its part: this process does it all, as without one
                    store.execute("ROLLBACK TO shared_load")
                    _restore(report, before)
                    affected.clear()
                    affected.update(affected_before)
                    helper.close(store)
                    helper = None
                finally:
                    store.execute("RELEASE shared_load")
                    if helper is not None:
                        helper.close(store)
            if helper is None:
                _take_in(store, new, on_disk, marked, report, affected, loading)
        if export_untracked and only is None:
            report.exported = _touch_untracked(store)
        incremental.remember(store, head)
        if catch_up and report.conflicts:
            kept = [c.to_json() for c in unreported(store)] + [c.to_json() for c in report.conflicts]
            state.put(store, UNREPORTED, json.dumps(kept))
        if catch_up and report.claims:
            state.put(store, UNREPORTED_CLAIMS, json.dumps(unreported_claims(store) + report.claims))
        _watch_unreadable(store, report)
        state.mark_current(store)
        bulk.check_foreign_keys(store)
    return report


@dataclass(slots=True)
class NewVersions:
    """What reading new version files found: their contents, their rows for text_versions, the
    records they touch (in the order met), the newest stamp, and (name, file) of those unreadable."""

    payloads: dict[str, dict] = field(default_factory=dict)
    inserts: list[tuple] = field(default_factory=list)
    affected: dict[str, str] = field(default_factory=dict)
    newest: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_new(root, names: list[str], on_disk: dict, marked: set[str], everything: dict) -> NewVersions:
    """Read these new versions (`everything`: contents already read, by name)."""
    found = NewVersions()
    payloads = found.payloads  # read once: the winner is usually one of the new files
    for name in names:
        kind, record_id, stamp = on_disk[name]
        if name in marked:
            continue  # reported as holding conflict markers
        payload = payloads.get(name) or everything.get(name) or layout.read_named(root, kind, name)
        if payload is None or payload.get("id") != record_id or payload.get("hlc") != stamp:
            found.skipped.append((name, layout.locate(root, kind, name) or layout.loose_rel(kind, name)))
            continue
        payloads[name] = payload
        base = payload.get("base") if isinstance(payload.get("base"), str) else None
        found.inserts.append((name, kind, record_id, stamp, base, int(bool(payload.get("deleted"))),
                              _text(payload.get("agent"))))
        found.affected[record_id] = kind
        found.newest = max(found.newest or stamp, stamp)
    found.inserts.sort()  # in name order: each page of the index is filled once (a fresh clone: 100k rows)
    return found


INSERT_VERSIONS = ("INSERT OR REPLACE INTO text_versions(name, kind, record_id, hlc, base, deleted, agent) "
                   "VALUES (?,?,?,?,?,?,?)")


def _take_in(store: Store, new: list[str], on_disk: dict, marked: set[str], report: SyncReport,
             affected: dict[str, str], loading: bool, helper: share.Helper | None = None) -> None:
    """Import the new versions and set every record they touch to its winning version. With a
    `helper` (a large bulk load), another process does the records of its kinds meanwhile."""
    root = store.root
    kinds = None if helper is None else [kind for kind in layout.KIND_DIRS if kind not in helper.kinds]
    # Loading everything: one pass over the loose files and packs, not a search for each version.
    everything = {v.name: v.payload for v in layout.iter_versions(root, kinds)} if loading else {}
    found = read_new(root, new if helper is None else [n for n in new if on_disk[n][0] in kinds], on_disk,
                     marked, everything)
    if helper is not None:
        helper.read_here(found.skipped, len(report.skipped))
    report.skipped += [rel for _name, rel in found.skipped]
    if found.inserts:
        store.conn.executemany(INSERT_VERSIONS, found.inserts)
    for record_id, kind in found.affected.items():
        affected[record_id] = kind
    report.imported = len(found.inserts)
    if found.newest:
        state.observe(store, found.newest)
    _apply(store, affected, report, set(found.payloads), found.payloads, found.inserts if loading else None, helper)


def _restore(report: SyncReport, before: SyncReport) -> None:
    for name in report.__slots__:
        setattr(report, name, getattr(before, name))


def marked_files(root) -> list[str]:
    """Version files (relative to .imi/records) that git left with conflict markers."""
    from . import gitview

    prefix = f"{layout.RECORDS}/"
    return [path[len(prefix):] for path in gitview.conflicted(root, layout.RECORDS) if path.startswith(prefix)]


def _fixed_by_hand(store: Store, known: dict, on_disk: dict, report: SyncReport) -> list[str]:
    """Known version files to read again: those git left with conflict markers are reported (the
    database keeps the version it had); those last found unreadable are read again once readable."""
    marked = set(marked_files(store.root))
    report.unresolved += sorted(marked)
    again = []
    for rel in state.watched(store):
        name = rel.rsplit("/", 1)[-1]
        if rel in marked or name not in known or name not in on_disk:
            continue
        payload = layout.read_version(layout.records_dir(store.root) / rel)
        if payload is None:
            report.skipped.append(rel)
        else:
            again.append(name)  # read as new: its row is replaced
    return again


def _watch_unreadable(store: Store, report: SyncReport) -> None:
    """Follow the files just found unreadable, so a fix by hand is noticed by the next command."""
    base = layout.records_dir(store.root)
    names = [rel for rel in dict.fromkeys(report.unresolved + report.skipped) if (base / rel).is_file()]
    if names or state.watched(store):
        state.watch(store, names)


def unreported(store: Store, *, clear: bool = False) -> list[Conflict]:
    """Conflicts found while catching up that `imi sync` has not shown yet (with `clear`: now it has;
    the caller holds a write transaction)."""
    raw = state.get(store, UNREPORTED)
    if raw and clear:
        store.execute("DELETE FROM settings WHERE key = ?", (UNREPORTED,))
    try:
        return [Conflict.from_json(item) for item in json.loads(raw)] if raw else []
    except (ValueError, KeyError, TypeError):
        return []


def unreported_claims(store: Store, *, clear: bool = False) -> list[dict]:
    """Claim races found while catching up that `imi sync` has not shown yet (see `unreported`)."""
    raw = state.get(store, UNREPORTED_CLAIMS)
    if raw and clear:
        store.execute("DELETE FROM settings WHERE key = ?", (UNREPORTED_CLAIMS,))
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [r for r in found if isinstance(r, dict) and {"task", "claimants", "status", "holder"} <= r.keys()]


def forget_all(store: Store) -> None:
    """Drop every record and every version the database knows (`imi rebuild`, in its transaction)."""
    with bulk.search_triggers_off(store):  # not a trigger per row: the index is emptied with the tables
        for table in ("task_deps", "refs", "text_versions", *reversed(list(TABLES.values()))):
            store.execute(f"DELETE FROM {table}")
        bulk.empty_search_index(store)
    store.execute("DELETE FROM settings WHERE key IN (?, ?, ?)", (DANGLING, UNREPORTED, UNREPORTED_CLAIMS))


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


Version = tuple  # (stamp, base, deleted, agent)


def _versions(store: Store, record_ids) -> dict[str, list[Version]]:
    """Every version the database knows of these records, oldest first."""
    found: dict[str, list[Version]] = {}
    if len(record_ids) > _BULK:
        wanted = set(record_ids)
        for record_id, *version in store.execute(
                "SELECT record_id, hlc, base, deleted, agent FROM text_versions ORDER BY record_id, hlc"):
            if record_id in wanted:
                found.setdefault(record_id, []).append(tuple(version))
        return found
    for record_id in record_ids:
        found[record_id] = [tuple(row) for row in store.execute(
            "SELECT hlc, base, deleted, agent FROM text_versions WHERE record_id = ? ORDER BY hlc", (record_id,))]
    return found


def apply_kinds(store: Store, affected: dict[str, str], versions_of: dict[str, list[Version]], links: Links,
                report: SyncReport, new_names: set[str], payloads: dict[str, dict]) -> dict[str, dict | None]:
    """Set each affected record to its winning version, kind by kind in APPLY_ORDER; returns the
    tasks' states, for their blockers."""
    by_kind: dict[str, list[str]] = {}
    for record_id, kind in affected.items():
        by_kind.setdefault(kind, []).append(record_id)
    task_states: dict[str, dict | None] = {}
    for kind in APPLY_ORDER:
        for record_id in by_kind.get(kind, []):
            versions = versions_of.get(record_id, [])
            while True:
                chosen, record = _winning_record(store, kind, record_id, versions, payloads, report)
                if links.apply(kind, record_id, record, report, deleted=chosen is None or chosen[2]):
                    break
                # The winning file cannot be stored (hand-made, or from a foreign tool): it was
                # reported; forget it so the next sync reads and reports it again, and let the
                # next version hold.
                store.execute("DELETE FROM text_versions WHERE name = ?", (layout.file_name(record_id, chosen[0]),))
                versions = [v for v in versions if v[0] != chosen[0]]
            if kind == "task":
                task_states[record_id] = record
                race = _claim_race(store, record_id, versions, chosen, payloads, new_names)
                if race:
                    report.claims.append(race)
            report.records += 1
            conflict = _conflict(kind, record_id, versions, chosen, new_names)
            if conflict:
                report.conflicts.append(conflict)
    return task_states


def _winning_record(store: Store, kind: str, record_id: str, versions: list[Version], payloads: dict[str, dict],
                    report: SyncReport) -> tuple[tuple | None, dict | None]:
    """The winning version of a record and the record it holds (None when it is deleted or unreadable)."""
    chosen = winner([(v[0], v[1], bool(v[2])) for v in versions])
    if not chosen or chosen[2]:
        return chosen, None
    payload = _payload(store, kind, record_id, chosen[0], payloads)
    if payload is None:
        name = layout.file_name(record_id, chosen[0])
        report.skipped.append(layout.locate(store.root, kind, name) or layout.loose_rel(kind, name))
    record = payload.get("record") if payload else None
    if kind == "task" and record is not None and record.get("status") not in FINISHED:
        finished = [h for h in _concurrent_heads(versions, chosen[0])
                    if (_task_state(store, record_id, h, payloads) or {}).get("status") in FINISHED]
        if finished:  # finished work beats a claim or an edit made without seeing it
            stamp = max(finished)
            return next(v[:3] for v in versions if v[0] == stamp), _task_state(store, record_id, stamp, payloads)
    return chosen, record


FINISHED = ("done", "failed")  # task statuses a concurrent claim or edit never undoes


def _payload(store: Store, kind: str, record_id: str, stamp: str, payloads: dict[str, dict]) -> dict | None:
    name = layout.file_name(record_id, stamp)
    if name not in payloads:
        payloads[name] = layout.read_named(store.root, kind, name)
    return payloads[name]


def _task_state(store: Store, task_id: str, stamp: str, payloads: dict[str, dict]) -> dict | None:
    payload = _payload(store, "task", task_id, stamp, payloads)
    return payload.get("record") if payload and not payload.get("deleted") else None


def _concurrent_heads(versions: list[Version], stamp: str) -> list[str]:
    """The newest version of every other branch of the record's history: versions no later version
    is based on, other than `stamp` and its ancestors (a branch that saw them all is not concurrent)."""
    bases = {v[1] for v in versions}
    base_of = {v[0]: v[1] for v in versions}
    seen, current = set(), stamp
    while current in base_of and current not in seen:
        seen.add(current)
        current = base_of[current]
    return [v[0] for v in versions if v[0] not in bases and v[0] not in seen and not v[2]]


def _claim_race(store: Store, task_id: str, versions: list[Version], chosen, payloads: dict[str, dict],
                new_names: set[str]) -> dict | None:
    """Two clones claimed (or one claimed while another finished) the task concurrently, and one of
    those versions just arrived: what `imi sync` reports."""
    if not chosen or chosen[2] or len(versions) < 2:
        return None
    heads = [chosen[0], *_concurrent_heads(versions, chosen[0])]
    if len(heads) < 2 or not any(layout.file_name(task_id, h) in new_names for h in heads):
        return None
    states = {h: _task_state(store, task_id, h, payloads) or {} for h in heads}
    claimants = sorted({str(s.get("agent_id")) for s in states.values()
                        if s.get("status") == "in_progress" and s.get("agent_id")})
    held = states[chosen[0]]
    if not claimants or (len(claimants) < 2 and held.get("status") not in FINISHED):
        return None
    return {"task": task_id, "claimants": claimants, "status": held.get("status"), "holder": held.get("agent_id")}


def describe_claim_race(race: dict) -> str:
    """One line for a claim race."""
    who = " and ".join(race["claimants"])
    if race["status"] in FINISHED:
        return (f"task {race['task']} was claimed by {who} in another clone while {race['holder'] or 'someone'} "
                f"finished it: it stays {race['status']}")
    return f"task {race['task']} was claimed in two clones at once, by {who}: {race['holder']}'s claim holds (the newer)"


def _apply(store: Store, affected: dict[str, str], report: SyncReport, new_names: set[str],
           payloads: dict[str, dict], loading: list[tuple] | None = None, helper: share.Helper | None = None) -> None:
    """Set every affected record to its winning version. `loading`: the rows of every version of an
    empty database, loaded in bulk (a row the bulk write cannot store sends the whole load the
    per-record way, which skips that record); `helper`: the process doing the records of its kinds."""
    if loading or helper is not None:
        import apsw

        before = copy.deepcopy(report)
        store.execute("SAVEPOINT bulk_load")
        try:
            with bulk.large_cache(store):
                _apply_versions(store, affected, report, new_names, payloads,
                                bulk.BulkLoad(store, loading or [], helper))
        except apsw.Error as exc:
            store.execute("ROLLBACK TO bulk_load")
            _restore(report, before)
            if helper is not None:  # the load is done again without the helper, which goes record by record
                raise share.Failed(f"the bulk write failed: {exc}") from exc
        else:
            return
        finally:
            store.execute("RELEASE bulk_load")
    _apply_versions(store, affected, report, new_names, payloads, None)


def _apply_versions(store: Store, affected: dict[str, str], report: SyncReport, new_names: set[str],
                    payloads: dict[str, dict], loader: bulk.BulkLoad | None) -> None:
    helper = loader.helper if loader else None
    if not affected and helper is None:
        return
    versions_of = loader.versions() if loader else _versions(store, list(affected))
    links = Links(store, loader)
    task_states = apply_kinds(store, affected, versions_of, links, report, new_names, payloads)
    for task_id, record in task_states.items():
        links.blockers(task_id, record)
    if loader is not None:
        # with a helper: its kinds come last in APPLY_ORDER (blockers add nothing to the report), so
        # its results join in that order, once this process's rows are written
        loader.write(lambda: helper.join(store, loader, links, report, Conflict.from_json) if helper else None)
        links.loader = None  # in the database now: what follows reads and writes it
    # Records linking to one that was missing and has now arrived (a task cherry-picked before its
    # goal, a goal back after a branch switch): apply them again so the link holds, as a rebuild would.
    for kind, record_id in links.waiting():
        versions = _versions(store, [record_id]).get(record_id, [])
        chosen, record = _winning_record(store, kind, record_id, versions, {}, report)
        if links.apply(kind, record_id, record, report, deleted=chosen is None or chosen[2]) and kind == "task":
            links.blockers(record_id, record)  # (a version that cannot be stored keeps the record as it was)
    links.save()


class Links:
    """Links (a task's goal and blockers, a memory's goal and task) to records that are not in the
    database: cleared there, remembered here, restored when the record arrives."""

    def __init__(self, store: Store, loader: bulk.BulkLoad | None = None):
        self.store = store
        self.loader = loader  # with one, records are gathered for a bulk write, not written one at a time
        raw = state.get(store, DANGLING)
        try:
            self.dangling: dict[str, list[str]] = json.loads(raw) if raw else {}
        except ValueError:
            self.dangling = {}
        self.saved = raw
        self.present: set[str] = set()  # records that exist after this sync

    def apply(self, kind: str, record_id: str, record: dict | None, report: SyncReport, deleted: bool) -> bool:
        """Set the record's state; False when the winning version could not be stored (it is skipped)."""
        import apsw

        key = f"{kind}:{record_id}"
        if record is None:
            if not deleted:  # the winning file is unreadable: keep what the database has
                return False
            for dependent in rows.dependents(self.store, kind, record_id):
                targets = self.dangling.setdefault(dependent, [])
                if record_id not in targets:
                    targets.append(record_id)
            self.dangling.pop(key, None)
            self._write(kind, record_id, None)
            return True
        try:
            missing = self._write(kind, record_id, record)
        except (apsw.Error, TypeError, ValueError, OverflowError) as exc:  # a hand-made or foreign file
            report.skipped.append(f"{layout.KIND_DIRS[kind]}/{record_id} ({exc})")
            return False
        if missing:
            self.dangling[key] = missing
        else:
            self.dangling.pop(key, None)
        self.present.add(record_id)
        return True

    def _write(self, kind: str, record_id: str, record: dict | None) -> list[str]:
        if self.loader:
            return self.loader.apply_record(kind, record_id, record)
        return rows.apply_record(self.store, kind, record_id, record)

    def blockers(self, task_id: str, record: dict | None) -> None:
        missing = (self.loader.apply_blockers(task_id, record) if self.loader
                   else rows.apply_blockers(self.store, task_id, record))
        if missing:
            targets = self.dangling.setdefault(f"task:{task_id}", [])
            targets.extend(m for m in missing if m not in targets)

    def waiting(self) -> list[tuple[str, str]]:
        """(kind, id) of records that link to one that has just arrived."""
        if not self.present:
            return []
        found = [key for key, targets in self.dangling.items() if self.present.intersection(targets)]
        return [tuple(key.split(":", 1)) for key in found]

    def save(self) -> None:
        raw = json.dumps(self.dangling, sort_keys=True) if self.dangling else None
        if raw == self.saved:
            return
        if raw is None:
            self.store.execute("DELETE FROM settings WHERE key = ?", (DANGLING,))
        else:
            state.put(self.store, DANGLING, raw)


def _conflict(kind: str, record_id: str, versions: list[Version], chosen, new_names: set[str]) -> Conflict | None:
    """Versions made from the same base (two branches changed the record) where at least one just
    arrived. The losers named are the newest version of each other branch (the heads)."""
    if not chosen or len(versions) < 2:
        return None
    by_base: dict[str | None, list[str]] = {}
    for stamp, base, _deleted, _agent in versions:
        by_base.setdefault(base, []).append(stamp)
    siblings = next((stamps for stamps in by_base.values() if len(stamps) > 1
                     and any(layout.file_name(record_id, s) in new_names for s in stamps)), None)
    if siblings is None:
        return None
    agents = {v[0]: v[3] for v in versions}
    bases = {v[1] for v in versions}
    heads = [v[0] for v in versions if v[0] not in bases and v[0] != chosen[0]]
    others = heads or [s for s in siblings if s != chosen[0]]
    return Conflict(kind, record_id, chosen[0], agents.get(chosen[0]), [(s, agents.get(s)) for s in sorted(others)])


def _touch_untracked(store: Store) -> int:
    count = 0
    for kind, table in TABLES.items():
        for (record_id,) in store.execute(
                f"SELECT id FROM {table} WHERE id NOT IN (SELECT record_id FROM text_versions)").fetchall():
            store.touch(kind, record_id)
            count += 1
    return count


def _listing(store: Store, only: list[str] | None) -> tuple[dict, dict]:
    """(version files on disk, versions the database knows): all of them, or those among `only`."""
    if only is None:
        return layout.list_versions(store.root), {row[0]: (row[1], row[2]) for row in store.execute(
            "SELECT name, kind, record_id FROM text_versions")}
    on_disk = layout.versions_at(store.root, only)
    names = list(dict.fromkeys([*layout.names_in(only), *on_disk]))
    known = {}
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        known.update((row[0], (row[1], row[2])) for row in store.execute(
            f"SELECT name, kind, record_id FROM text_versions WHERE name IN ({','.join('?' * len(chunk))})",
            tuple(chunk)))
    return on_disk, known


def check(store: Store) -> SyncReport | None:
    """On opening the database: import when the record folders changed since the last sync
    (a few stat calls when nothing did)."""
    if store.readonly or state.is_current(store):
        return None
    return sync(store, catch_up=True)
