"""When memory was last used, and which memory is aging.

A decision or lesson is used when it is shown to an agent (session context, a file's memory
through hooks or MCP) or to a person (a hover, a view), and renewed when it is verified.
One that has been neither used nor verified for the aging time (90 days unless the setting
`aging_days` or IMI_AGING_DAYS says otherwise) is marked aging in context and listed by
`imi think`. Nothing is deleted: a person decides.

Last-used times are this clone's own (the `record_usage` table, not the version files):
reading memory must not write files to commit. A time is written at most once a day per
record, and never waits for another writer: a busy database only skips the renewal.
"""

from __future__ import annotations

import os

from .errors import ImiError
from .store import Store

DAY_MS = 86_400_000
DEFAULT_DAYS = 90
AGED = ("decisions", "lessons", "direction_notes")
_WAIT_MS = 50  # how long a renewal waits for another writer before it gives up


def aging_days(store: Store) -> int:
    """The aging time in days: IMI_AGING_DAYS, else the project's `aging_days` setting, else 90.
    ImiError (one line) when the value is not a whole number from 1 to 36500."""
    raw = os.environ.get("IMI_AGING_DAYS")
    where = "IMI_AGING_DAYS"
    if raw is None:
        raw = store.scalar("SELECT value FROM settings WHERE key = 'aging_days'")
        where = "the setting aging_days"
    if raw is None:
        return DEFAULT_DAYS
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= 36_500:
        raise ImiError(f"{where} must be a whole number of days from 1 to 36500, not {text[:40]!r}")
    return int(text)


def last_used(store: Store, ids: list[str]) -> dict[str, int]:
    """{record id: last-used time} for the records that have one."""
    out: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update(store.execute(f"SELECT record_id, used_at FROM record_usage WHERE record_id IN "
                                 f"({','.join('?' * len(chunk))})", tuple(chunk)))
    return out


def mark_used(store: Store, ids, now: int, created: dict[str, int] | None = None) -> int:
    """Note that these records were just shown; returns how many times were written. Best effort:
    a read-only database or a busy one skips it. `created` (record id -> creation time, when the
    caller has the records) spares the write for records made within the day: their age counts from
    their creation (`idle_days`), so a time of use would change nothing yet."""
    day_ago = now - DAY_MS
    ids = list(dict.fromkeys(i for i in ids if i and (created or {}).get(i, 0) < day_ago))
    if not ids or store.readonly:
        return 0
    known = last_used(store, ids)
    due = [i for i in ids if known.get(i, 0) < day_ago]
    if not due:
        return 0
    import apsw

    conn = store.conn
    try:
        conn.set_busy_timeout(_WAIT_MS)
        conn.execute("BEGIN IMMEDIATE")  # not store.write(): a time of use is no record change
        try:
            conn.executemany("INSERT INTO record_usage(record_id, used_at) VALUES (?, ?) ON CONFLICT(record_id) "
                             "DO UPDATE SET used_at = max(used_at, excluded.used_at)", [(i, now) for i in due])
            conn.execute("COMMIT")
        except BaseException:
            if not conn.getautocommit():  # a failed COMMIT (a full disk) has rolled back already
                conn.execute("ROLLBACK")
            raise
    except apsw.Error:  # busy, read-only, a full disk: the renewal waits for the next use
        return 0
    finally:
        from .store.connection import BUSY_TIMEOUT_MS

        conn.set_busy_timeout(getattr(store, "busy_ms", BUSY_TIMEOUT_MS))
    return len(due)


def idle_days(record, used: dict[str, int], now: int) -> int:
    """Whole days since the record was written, last used or verified, whichever is latest."""
    latest = max(record.created_at or 0, used.get(record.id, 0))
    return max(0, (now - latest) // DAY_MS)


def mark_aging(store: Store, records, now: int, limit: int | None = None) -> None:
    """Set `aging` (days idle) on the records idle for longer than the aging time (`limit` days, when the
    caller has looked it up already)."""
    records = [r for r in records if hasattr(r, "aging")]
    if not records:
        return
    limit = aging_days(store) if limit is None else limit
    used = last_used(store, [r.id for r in records])
    for record in records:
        days = idle_days(record, used, now)
        record.aging = days if days >= limit else None


def aging(store: Store, now: int, limit: int = 200) -> list[tuple[str, str, int, str]]:
    """Active decisions, lessons and notes neither used nor verified within the aging time, oldest
    first: [(kind, id, days idle, text)]."""
    cutoff = now - aging_days(store) * DAY_MS
    # `+archived_at`: every live row is read whole, so one pass over each table beats the live-row
    # indexes context uses (a lookup per row, several times slower at 100k records)
    rows = store.execute(
        "SELECT kind, id, max(coalesce(created_at, 0), coalesce(used_at, 0)) AS latest, text FROM ("
        "  SELECT 'decision' AS kind, id, created_at, what AS text FROM decisions WHERE +archived_at IS NULL"
        "  UNION ALL SELECT 'lesson', id, created_at, what_went_wrong FROM lessons WHERE +archived_at IS NULL"
        "  UNION ALL SELECT 'note', id, created_at, content FROM direction_notes WHERE +archived_at IS NULL"
        ") LEFT JOIN record_usage ON record_id = id WHERE latest < ? ORDER BY latest LIMIT ?", (cutoff, limit))
    return [(kind, record_id, (now - latest) // DAY_MS, text) for kind, record_id, latest, text in rows]
