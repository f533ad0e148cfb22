"""`imi pack`: fold committed version files into packs, and move a project to the sharded layout.

A pack replaces loose version files that the checked-out commit already holds, unchanged, by one
file holding them all (layout.py describes the format). What it takes in is decided by what the
commit holds, not by this clone's clock: clones that pack the same commit write the same packs,
byte for byte, and git merges two identical additions cleanly. Clones that pack different commits
write different packs; the reader takes each version once, whichever packs hold it.

Why nothing is lost: a pack is written before any loose file goes, every file it replaces is in
the checked-out commit (so git's history keeps it), and versions a teammate has not pushed are
not in this clone at all: their loose files arrive with the next pull, beside the packs. Versions
written since the last commit stay loose until a later `imi pack` after they are committed.

The first `imi pack` in a project is the migration: it writes the `LAYOUT` marker, after which new
versions go to shard folders (`tasks/q/<id>.<stamp>.json`). A clone that has not pulled the marker
yet keeps writing flat files; both are read forever, and merges between the two add files only.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from ..store import Store
from . import gitview, layout, state

PACK_MAX = 4096  # versions per pack: a few MiB each (hosting sites refuse files of 100 MiB and more)


@dataclass(slots=True)
class PackReport:
    packed: int = 0                                  # loose version files folded into packs
    packs: list[str] = field(default_factory=list)   # packs written (relative to .imi/records)
    moved: int = 0                                   # uncommitted flat files moved into their shard
    migrated: bool = False                           # this run wrote the LAYOUT marker
    loose: int = 0                                   # loose version files left (not committed yet)

    def to_json(self) -> dict:
        return {"packed_versions": self.packed, "packs_written": self.packs, "moved_to_shards": self.moved,
                "migrated": self.migrated, "loose_versions_left": self.loose}

    def describe(self) -> str:
        lines = []
        if self.migrated:
            lines.append("Moved .imi/records/ to the sharded layout (new versions go to shard folders)")
        lines.append(f"Packed {self.packed} committed version files into {len(self.packs)} new "
                     f"pack{'' if len(self.packs) == 1 else 's'}; {self.loose} loose left (not committed yet)")
        if self.packed or self.migrated or self.moved:
            lines.append("Commit the change to share it: git add -A .imi/records && git commit")
        return "\n".join(lines)


def pack(store: Store) -> PackReport:
    """Fold every version file the checked-out commit holds (unchanged) into packs; write the
    sharded layout's marker; move uncommitted flat files into their shards."""
    root = store.root
    report = PackReport()
    base = layout.records_dir(root)
    folder = str(base)  # str paths: 100k pathlib joins cost seconds in a year's migration
    with store.write():  # no imi writer adds or removes version files meanwhile
        loose = layout.loose_files(root)
        committed = _clean_in_head(root, [rel for rel, *_ in loose])
        packed = {name for rel in layout.pack_files(root) for name, _kind in layout.pack_names(root, rel)}
        months: dict[str, dict[str, dict]] = {}
        folded: list[str] = []
        for rel, name, _kind, record_id, stamp in loose:
            if rel not in committed:
                continue
            if name not in packed:
                payload = layout.read_version(f"{folder}/{rel}")
                if payload is None or payload.get("id") != record_id or payload.get("hlc") != stamp:
                    continue  # unreadable: it stays where it is, for `imi doctor` to name
                months.setdefault(_month(stamp), {})[name] = payload
            folded.append(rel)
        for month in sorted(months):
            names = sorted(months[month])
            for start in range(0, len(names), PACK_MAX):
                chunk = {name: months[month][name] for name in names[start:start + PACK_MAX]}
                text = layout.pack_text(chunk)
                rel = layout.pack_rel(text)
                if not (base / rel).is_file():  # flushed to disk before a single loose file goes
                    layout.write_atomic(base / rel, text)
                    report.packs.append(rel)
        for rel in folded:
            try:
                os.unlink(f"{folder}/{rel}")
            except FileNotFoundError:
                pass
        for shard in {rel.rpartition("/")[0] for rel in folded if rel.count("/") == 2}:
            try:  # an emptied shard folder: git keeps no empty folders, and each takes a disk block
                os.rmdir(f"{folder}/{shard}")
            except OSError:  # not empty (uncommitted versions stay loose)
                pass
        report.packed = len(folded)
        if not layout.is_sharded(root):
            layout.write_atomic(base / layout.MARKER, layout.MARKER_TEXT)
            report.migrated = True
        for rel, name, kind, *_ in loose:
            if rel not in committed and rel.count("/") == 1 and (base / rel).is_file():
                target = base / layout.loose_rel(kind, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(base / rel, target)
                report.moved += 1
        report.loose = len(loose) - len(folded)
        state.mark_current(store)
    return report


def _month(stamp: str) -> str:
    """The UTC month a version was written in (its stamp's clock): old months' packs never change."""
    from .. import hlc

    return time.strftime("%Y-%m", time.gmtime(hlc.parse(stamp)[0] / 1000))


def _clean_in_head(root, rels: list[str]) -> set[str]:
    """The loose files (relative to .imi/records) that the checked-out commit holds and that are
    unchanged on disk (a file git left with conflict markers, or edited by hand, is not packed)."""
    prefix = f"{layout.RECORDS}/"
    held = gitview.in_head(root, [prefix + rel for rel in rels], layout.RECORDS)
    changed = gitview.changed(root, layout.RECORDS)
    return {path[len(prefix):] for path in held - changed}
