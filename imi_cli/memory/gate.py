"""The one door into memory: every record, from every road, is cleaned and checked here.

Roads in: the CLI, MCP tools and editor commands (through `recording` and `claims`, which
end in `store.writes`), `imi import`, version files that git brought (`textsync.rows`), and
an IMI 0.3 database migrated in place (`store.migrations`). Each of them hands the
record's fields to `admit` before a row is written, so no road can store a terminal
escape, a spoofing format character, a secret or a value the code cannot read.
"""

from __future__ import annotations

from .priorities import NAMES as PRIORITIES
from .redaction import holds_secret, redact
from .text import scrub

# Fields that are structure, not prose: never redacted (ids, hashes, clock stamps, enums).
STRUCTURAL = frozenset({
    "id", "goal_id", "task_id", "record_id", "commit_sha", "fingerprint", "hlc", "base", "status", "priority",
    "kind", "type", "workspace_id", "origin", "is_glob",
})
# What each kind's enum fields may hold. A value outside these is refused, naming field and value.
ALLOWED = {
    ("task", "status"): ("todo", "in_progress", "review", "done", "blocked"),
    ("goal", "status"): ("todo", "ongoing", "in_progress", "done", "blocked"),
    ("task", "priority"): PRIORITIES,
    ("goal", "priority"): PRIORITIES,
    ("decision", "kind"): ("decision", "killed"),
    ("note", "kind"): ("note", "vision"),
}
REF_TEXT = ("path", "symbol", "anchor_text")
# Fields shown on one line everywhere (lists, lenses, hook reminders): their line breaks become spaces.
ONE_LINE = frozenset({("goal", "name"), ("task", "title"), ("memory", "key")})


class Refused(ValueError):
    """A record the gate will not store; the message says which field and why."""


def admit(kind: str, fields: dict, what: str = "", *, check_enums: bool = True) -> dict:
    """The record's fields as they may be stored: text scrubbed of escapes and spoofing characters,
    secrets redacted, enum fields checked. Raises Refused (a ValueError) with one clear line."""
    out = {}
    plan = _PLANS.get(kind) or _plan(kind)
    for name, value in fields.items():
        if isinstance(value, str):
            if not (value.isascii() and value.isprintable()):  # (scrub's own first test, without a call per field)
                value = scrub(value)
            one_line, allowed, prose = plan.get(name, _PROSE)
            if one_line:
                value = " ".join(value.split())
            if allowed is not None and check_enums and value not in allowed:
                raise Refused(f"{kind} {name} {value[:40]!r} is not one of {', '.join(allowed)}"
                              + (f" ({what})" if what else ""))
            if prose and value and holds_secret(value):  # (remembers recent texts: cheap twice)
                value = redact(value, name.replace("_", " "))
        elif name == "files" and isinstance(value, list):
            value = [admit_ref(ref) if isinstance(ref, dict) else ref for ref in value]
        out[name] = value
    return out


_PROSE = (False, None, True)  # a field named nowhere above: prose, redacted
_PLANS: dict[str, dict[str, tuple[bool, tuple | None, bool]]] = {}


def _plan(kind: str) -> dict[str, tuple[bool, tuple | None, bool]]:
    """name -> (kept on one line, the values it may hold or None, redacted) for the fields named above
    (a bulk load asks for every field of 100,000 records: one look-up each, not four)."""
    names = STRUCTURAL | {name for k, name in ALLOWED if k == kind} | {name for k, name in ONE_LINE if k == kind}
    plan = _PLANS[kind] = {name: ((kind, name) in ONE_LINE, ALLOWED.get((kind, name)), name not in STRUCTURAL)
                           for name in names}
    return plan


def admit_ref(ref: dict) -> dict:
    """A file reference's text (its path, symbol and the anchored lines shown) scrubbed and redacted."""
    out = dict(ref)
    for name in REF_TEXT:
        if isinstance(out.get(name), str):
            out[name] = redact(scrub(out[name]), "anchored code" if name == "anchor_text" else f"file {name}")
    return out


def cleanse_rows(conn, tables: dict[str, str]) -> int:
    """Pass every stored row of these tables ({kind: table}) through the gate, in place: what an
    IMI 0.3 database holds was never cleaned. Enum values are kept as IMI wrote them. Returns how
    many rows changed."""
    changed = 0
    for kind, table in tables.items():
        names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        for row in conn.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall():
            record = dict(zip(names, row))
            cleaned = admit(kind, record, check_enums=False)
            update = {k: v for k, v in cleaned.items() if v != record[k]}
            if update:
                conn.execute(f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in update)} WHERE rowid = "
                             f"(SELECT rowid FROM {table} WHERE id = ?)", (*update.values(), record["id"]))
                changed += 1
    return changed
