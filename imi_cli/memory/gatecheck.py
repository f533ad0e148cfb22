"""What `imi doctor --check` adds for a CI gate: problems in the memory a pull request would share.

Besides `health.examine` (unreadable record files, conflict markers, orphan rows), a gate refuses
one record id filed under two kinds, links to records that exist nowhere, and secrets in the text
of version files (a hand edit or a foreign tool can put one there; imi never writes one). All
read-only: a gate changes nothing.
"""

from __future__ import annotations

from .health import Finding
from .store import Store
from .textsync import layout

_LINKS = (("task", "tasks", "goal_id"), ("memory", "memories", "goal_id"), ("memory", "memories", "task_id"),
          ("decision", "decisions", "supersedes"), ("lesson", "lessons", "supersedes"),
          ("note", "direction_notes", "supersedes"))
_ALL_IDS = ("SELECT id FROM goals UNION ALL SELECT id FROM tasks UNION ALL SELECT id FROM decisions UNION ALL "
            "SELECT id FROM lessons UNION ALL SELECT id FROM direction_notes UNION ALL SELECT id FROM memories")


def _duplicate_ids(store: Store) -> list[Finding]:
    """One record id with version files in two kinds' folders (a hand edit, a bad merge)."""
    kinds: dict[str, set[str]] = {}
    packed = [(kind, record_id) for rel in layout.pack_files(store.root)
              for name, kind in layout.pack_names(store.root, rel) for record_id in [name.split(".", 1)[0]]]
    for kind, record_id in [(kind, record_id) for _rel, _name, kind, record_id, _stamp in
                            layout.loose_files(store.root)] + packed:
        kinds.setdefault(record_id, set()).add(kind)
    return [Finding("duplicate_id", f"record id {rid} is filed as {' and '.join(sorted(k))} in .imi/records", False, rid)
            for rid, k in sorted(kinds.items()) if len(k) > 1]


def _dangling(store: Store) -> list[Finding]:
    """Links the text keeps to records that exist in neither the text nor the database."""
    out = []
    for kind, table, column in _LINKS:
        for record_id, target in store.execute(
                f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN ({_ALL_IDS})"):
            out.append(Finding("dangling_reference", f"{kind} {record_id}: {column} names {target}, which exists "
                                                     "nowhere", False, record_id))
    return out


def _secrets(store: Store) -> list[Finding]:
    from .redaction import find

    out = []
    base = layout.records_dir(store.root)
    for rel in sorted([rel for rel, *_ in layout.loose_files(store.root)] + layout.pack_files(store.root)):
        try:
            text = (base / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        labels = sorted({label for label, _start, _end in find(text)})
        if labels:
            out.append(Finding("secret", f".imi/records/{rel} holds what looks like a secret ({', '.join(labels)}): "
                                         "remove it from the file and from git history", False, rel))
    return out


def examine(store: Store) -> list[Finding]:
    """The problems a gate refuses beyond `health.examine`."""
    return _duplicate_ids(store) + _dangling(store) + _secrets(store)
