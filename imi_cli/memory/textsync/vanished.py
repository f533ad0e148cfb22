"""Absence is never deletion: what to do with version files the database knows that left the disk.

A version file can leave `.imi/records/` in two ways that look the same on disk:
- git moved to a commit that does not have it (a branch switch, `git stash`): another branch or a
  stash entry still holds it, and the database follows the checked-out files;
- something removed it (`git clean`, `git reset --hard` after `git add`, a tool wiping untracked
  files, `rm`): no commit but the checked-out one holds it, or none at all. It is written back:
  from the checked-out commit when that has it, else from the database (which holds the record's
  current state, so its newest version can be written again byte for byte) when this clone wrote
  it (its stamp carries this clone's node id). A version another clone wrote came through git,
  and its author still has it.
Only an explicit delete (a tombstone) takes a record out of memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import hlc
from ..store import Store
from . import gitview, layout, rows, state


@dataclass(slots=True)
class Settled:
    forget: list[str] = field(default_factory=list)           # names that follow git (another branch, a stash)
    restored: list[str] = field(default_factory=list)         # names written back
    set_aside: dict[str, int] = field(default_factory=dict)   # where -> how many (a stash entry, a branch)


def settle(store: Store, gone: list[str], known: dict[str, tuple[str, str]]) -> Settled:
    """Sort vanished versions into those that follow git and those written back (now on disk)."""
    root = store.root
    result = Settled()
    gone = _back_in_packs(root, gone, result)
    candidates = {f"{layout.RECORDS}/{rel}": name for name in gone for rel in _loose_places(known[name][0], name)}
    from_head = gitview.in_head(root, list(candidates), layout.RECORDS)
    back = set(gitview.restore_from_head(root, sorted(from_head)))
    result.restored += sorted({candidates[path] for path in back})
    rest = [name for name in gone if name not in result.restored]
    wanted = [path for path, name in candidates.items() if name in rest]
    places = {candidates[path]: place for path, place in gitview.elsewhere(root, wanted, layout.RECORDS).items()}
    missing = [name for name in rest if name not in places]
    if missing:  # folded into a pack that another branch or a stash holds
        places.update(gitview.packed_elsewhere(root, missing, f"{layout.RECORDS}/{layout.PACKS}"))
    node = state.node_id(store)
    for name in rest:
        if name in places:
            result.forget.append(name)
            if places[name].startswith("stash"):
                result.set_aside[places[name]] = result.set_aside.get(places[name], 0) + 1
        elif hlc.parse(name.split(".")[1])[2] != node:
            result.forget.append(name)  # it came through git (a merge of FETCH_HEAD undone): its author has it
        elif _rewrite(store, known[name][0], known[name][1], name):
            result.restored.append(name)
        else:
            result.forget.append(name)  # an older state no commit holds: the record's current one stays
    return result


def _loose_places(kind: str, name: str) -> tuple[str, str]:
    """Where a loose version file can have been, relative to .imi/records: its shard, or flat."""
    return layout.loose_rel(kind, name), layout.loose_rel(kind, name, sharded=False)


def _back_in_packs(root, gone: list[str], result: Settled) -> list[str]:
    """Check out again the packs the checked-out commit holds that left the disk (removed by hand);
    returns the vanished names they do not bring back."""
    folder = f"{layout.RECORDS}/{layout.PACKS}"
    lost = sorted(path for path in gitview.in_folder(root, "HEAD", folder) if not (root / path).is_file())
    if not lost or not gitview.restore_from_head(root, lost):
        return gone
    packed = {name for rel in layout.pack_files(root) for name, _kind in layout.pack_names(root, rel)}
    result.restored += [name for name in gone if name in packed]
    return [name for name in gone if name not in packed]


def _rewrite(store: Store, kind: str, record_id: str, name: str) -> bool:
    """Write a vanished version again from the database, when the database holds exactly its state:
    a deletion, or the record's newest version made after every other one it knows (no concurrent
    branch could have put another state in the database)."""
    row = store.one("SELECT hlc, base, deleted, agent FROM text_versions WHERE name = ?", (name,))
    if row is None:
        return False
    stamp, base, deleted, agent = row
    versions = list(store.execute("SELECT hlc, base FROM text_versions WHERE record_id = ?", (record_id,)))
    record = None
    if not deleted:
        if stamp != max(v[0] for v in versions) or not _saw_all(stamp, versions):
            return False
        record = rows.read_record(store, kind, record_id)
        if record is None:
            return False
    payload = {"format": layout.FORMAT, "kind": kind, "id": record_id, "hlc": stamp, "base": base, "agent": agent,
               "deleted": bool(deleted), "record": record}
    layout.write_atomic(layout.version_path(store.root, kind, record_id, stamp), layout.canonical(payload))
    return True


def _saw_all(stamp: str, versions: list[tuple[str, str | None]]) -> bool:
    """Whether every other version is an ancestor of this one (reached through `base` links)."""
    base_of = dict(versions)
    seen, current = set(), stamp
    while current in base_of and current not in seen:
        seen.add(current)
        current = base_of[current]
    return all(v[0] in seen for v in versions)
