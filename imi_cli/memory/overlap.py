"""At write time: is a new decision or lesson a duplicate of an active one, or about the same code?

Two records that name overlapping lines or the same symbol of a file may contradict each other; an agent that reads both cannot tell which holds. The
writer is told at once, with both ids and the command that keeps only the newer one.
Nothing is refused: only a person can say whether they disagree.
"""

from __future__ import annotations

from .store import Store
from .store.queries import TABLES

CHECKED = ("decision", "lesson")
_TEXT = {"decision": "what", "lesson": "what_went_wrong"}
# looked up by id for each candidate (not a list of every archived id, which grows with history)
_ACTIVE = ("NOT EXISTS (SELECT 1 FROM decisions d WHERE d.id = o.record_id AND d.archived_at IS NOT NULL) "
           "AND NOT EXISTS (SELECT 1 FROM lessons l WHERE l.id = o.record_id AND l.archived_at IS NOT NULL)")
# Same code: the same symbol, or overlapping line ranges. Two records that name only the same whole
# file are not reported: a busy file gathers many lessons that do not disagree, and a notice on
# every write would teach people to ignore them.
_SAME_CODE = f"""
SELECT o.kind, o.record_id, o.path, min(o.line_start), max(o.line_end), o.symbol
FROM refs n JOIN refs o ON o.path = n.path AND o.record_id != n.record_id
WHERE n.record_id = ? AND o.kind IN ('decision', 'lesson') AND n.is_glob = 0 AND o.is_glob = 0 AND {_ACTIVE}
  AND ((n.symbol IS NOT NULL AND o.symbol = n.symbol)
    OR (n.line_start IS NOT NULL AND o.line_start IS NOT NULL AND n.symbol IS NULL AND o.symbol IS NULL
        AND o.line_start <= coalesce(n.line_end, n.line_start) AND n.line_start <= coalesce(o.line_end, o.line_start)))
GROUP BY o.record_id ORDER BY o.record_id LIMIT 5
"""


def related(store: Store, kind: str, record_id: str) -> list[dict]:
    """Active decisions and lessons that duplicate this one's text (same kind) or name the same code:
    [{"kind", "id", "relation": "duplicate" | "same code", "where"}]."""
    if kind not in CHECKED:
        return []
    column, table = _TEXT[kind], TABLES[kind]
    same_kind = " AND o.kind = n.kind" if kind == "decision" else ""  # a kill does not repeat a decision
    out = [{"kind": kind, "id": row[0], "relation": "duplicate", "where": ""} for row in store.execute(
        f"SELECT o.id FROM {table} o, {table} n WHERE n.id = ? AND o.id != n.id AND o.archived_at IS NULL "
        f"AND lower(o.{column}) = lower(n.{column}){same_kind} ORDER BY o.id LIMIT 5", (record_id,))]
    # (the live-text indexes of migration 7 answer this: lower(what) with kind, lower(what_went_wrong))
    seen = {r["id"] for r in out}
    for other_kind, other_id, path, start, end, symbol in store.execute(_SAME_CODE, (record_id,)):
        if other_id not in seen:
            where = path + (f"#{symbol}" if symbol else f":{start}-{end}" if start else "")
            out.append({"kind": other_kind, "id": other_id, "relation": "same code", "where": where})
    return out


def report(store: Store, kind: str, record_id: str) -> None:
    """Tell the writer (a notice) about each related record, with the command to resolve it."""
    for other in related(store, kind, record_id):
        keep = f"`imi archive {other['id']} --by {record_id}`"
        if other["relation"] == "duplicate":
            store.notice(f"{kind} {record_id} repeats {other['kind']} {other['id']} word for word: "
                         f"keep one ({keep}, or `imi delete {record_id}`)")
        else:
            store.notice(f"{kind} {record_id} and {other['kind']} {other['id']} both name {other['where']}: "
                         f"check they agree; if the new one replaces the old, {keep}")


def supersede(store: Store, new_kind: str, new_id: str, old_ref: str, at: int) -> tuple[str, str]:
    """Link a record to the one it replaces and archive that one (it stays readable by id); (kind, id)
    of the old record. Context then shows only the newest of a chain."""
    from .errors import Conflict, UsageError
    from .store import queries, writes

    old_kind, old_id = queries.resolve(store, old_ref, ["decision", "lesson", "note"])
    if old_id == new_id:
        raise UsageError("a record cannot supersede itself")
    if new_kind not in ("decision", "lesson", "note"):
        raise UsageError(f"only a decision, lesson or note can supersede another record, not a {new_kind}")
    if not writes.archive(store, old_kind, old_id, at):
        raise Conflict(f"{old_kind} {old_id} is archived already: nothing was written")
    writes.update(store, new_kind, new_id, {"supersedes": old_id})
    store.touch(new_kind, new_id)
    return old_kind, old_id


def chain(store: Store, kind: str, record_id: str, limit: int = 50) -> list[tuple[str, str]]:
    """The records this one replaced, newest first: [(kind, id)], following `supersedes` links."""
    from .errors import ImiError
    from .store import queries

    out, current = [], record_id
    for _ in range(limit):
        row = None
        for table in ("decisions", "lessons", "direction_notes"):
            row = store.one(f"SELECT supersedes FROM {table} WHERE id = ?", (current,))
            if row is not None:
                break
        if not row or not row[0] or any(row[0] == rid for _, rid in out):
            break
        try:
            out.append(queries.resolve(store, row[0], ["decision", "lesson", "note"]))
        except ImiError:  # a link to a record deleted since: the chain ends there
            break
        current = row[0]
    return out
