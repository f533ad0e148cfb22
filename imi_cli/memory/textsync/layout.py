"""Where team memory lives in git: one file per version, under `.imi/records/`.

A change to a record never edits a file: it adds one, named `<id>.<stamp>.json` by the record id
and the hybrid-clock stamp of the change. Two branches that change memory therefore never touch
the same file, so git merges, rebases and cherry-picks them without conflicts, whatever tool does
the merge. The newest version of a record is its state; the older ones are its history.

Two layouts, both read forever (docs/team.md, "How it is laid out"):
- flat (the first one): `<kind folder>/<name>`;
- sharded (a new project's `imi init`, or the first `imi pack`, writes the `LAYOUT` marker): new files go to
  `<kind folder>/<shard>/<name>`, the shard being the record id's last character, so a commit
  rewrites only the small trees of the shards it touches; and committed versions are folded into
  immutable packs, `packs/<content hash>.jsonl`, so disk use and file count stay small.
A version is known by its name wherever it is: loose in either place, in one pack or several.
"""

from __future__ import annotations

import os
from pathlib import Path


TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

FORMAT = 1
RECORDS = ".imi/records"
KIND_DIRS = {"goal": "goals", "task": "tasks", "decision": "decisions", "lesson": "lessons", "note": "notes",
             "memory": "memories"}
DIR_KINDS = {folder: kind for kind, folder in KIND_DIRS.items()}
MARKER = "LAYOUT"  # in .imi/records: present (holding "2") once the team moved to shards and packs
MARKER_TEXT = "2\n"
PACKS = "packs"
# Names are checked with sets, not regular expressions: `re` would cost every command its import.
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_ID_CHARS = frozenset(_BASE36 + _BASE36.upper() + "_-")  # a record id: 1 to 64 of these
_STAMP_CHARS = frozenset(_BASE36)  # a stamp: 18 of these (hlc.py)
_SHARDS = frozenset(_BASE36 + "_")  # a shard folder: one of these
_HEX = frozenset("0123456789abcdef")  # a pack: 40 of these, then ".jsonl"


def _split_name(name: str) -> tuple[str, str] | None:
    """(record id, stamp) when the name has the shape `<id>.<stamp>.json`, else None."""
    if not name.endswith(".json"):
        return None
    record_id, dot, stamp = name[:-5].partition(".")
    if not dot or not 0 < len(record_id) <= 64 or len(stamp) != 18 or not _ID_CHARS.issuperset(record_id) \
            or not _STAMP_CHARS.issuperset(stamp):
        return None
    return record_id, stamp


def _is_pack_name(name: str) -> bool:
    return len(name) == 46 and name.endswith(".jsonl") and _HEX.issuperset(name[:40])


class Version:
    """One version record as found on disk: its name, what it belongs to, where it is (a loose file
    or a pack, relative to .imi/records) and its content (None when it cannot be read). A plain class:
    this module loads on every command, and `dataclasses` would add milliseconds to each."""

    __slots__ = ("name", "kind", "record_id", "stamp", "where", "payload")

    def __init__(self, name: str, kind: str, record_id: str, stamp: str, where: str, payload: dict | None):
        self.name, self.kind, self.record_id, self.stamp, self.where, self.payload = (
            name, kind, record_id, stamp, where, payload)

    def __repr__(self) -> str:
        return f"Version({self.name!r} in {self.where!r})"


def records_dir(root: Path) -> Path:
    """The folder of version files."""
    return root / RECORDS


def file_name(record_id: str, stamp: str) -> str:
    return f"{record_id}.{stamp}.json"


def parse_name(name: str) -> tuple[str, str] | None:
    """(record id, stamp) of a version file's name, or None for anything else in the folder (the
    stamp's 18 lower-case base36 characters are what `hlc.is_stamp` accepts)."""
    return _split_name(name)


def shard(record_id: str) -> str:
    """The shard folder of a record's versions: the id's last character (ids end in random base36),
    lower-cased so that case-insensitive file systems see the same folders."""
    last = record_id[-1:].lower()
    return last if last in _SHARDS else "_"


def is_sharded(root: Path) -> bool:
    """Whether this checkout uses the sharded layout (`imi pack` wrote the marker; git carries it)."""
    return os.path.isfile(os.path.join(records_dir(root), MARKER))


def loose_rel(kind: str, name: str, sharded: bool = True) -> str:
    """Where a loose version file goes, relative to .imi/records."""
    folder = KIND_DIRS[kind]
    return f"{folder}/{shard(name.split('.', 1)[0])}/{name}" if sharded else f"{folder}/{name}"


def version_path(root: Path, kind: str, record_id: str, stamp: str) -> Path:
    """Where a new version file is written: in its shard once the project is sharded, else flat."""
    return records_dir(root) / loose_rel(kind, file_name(record_id, stamp), is_sharded(root))


def canonical(payload: dict) -> str:
    """One format for every file: sorted keys, two-space indent, UTF-8, a final newline."""
    from ..jsontext import dumps

    return dumps(payload, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str, durable: bool = True) -> None:
    """Write a whole file or nothing: a temporary file, flushed to disk, renamed into place.

    Bulk writers pass `durable=False` and call `os.sync()` once at the end: one flush
    instead of thousands (an fsync per file made exporting 20,000 records take minutes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk, say: leave no half-written file behind
        tmp.unlink(missing_ok=True)
        raise
    if durable and os.name != "nt":  # the new name too: a file the database counts on must survive a crash
        sync_to_disk(path.parent)


def sync_to_disk(path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def folder_names(path) -> list[str]:
    """The names in a folder; [] when it is missing or no folder (a listing, not Path.glob, whose
    pattern matching would import `re`)."""
    try:
        return os.listdir(path)
    except OSError:  # missing, or something else than a folder: nothing there
        return []


def loose_folders(root: Path) -> list[tuple[str, str]]:
    """(folder relative to .imi/records, kind) of every folder loose version files can be in: each
    kind's folder (the flat layout) and, once the project is sharded, its shard folders. (A flat
    project's kind folders hold every version: listing them on every command to look for shards
    would cost what the shards save.)"""
    base = str(records_dir(root))
    sharded = is_sharded(root)
    found = []
    for folder, kind in DIR_KINDS.items():
        found.append((folder, kind))
        if sharded:
            found += [(f"{folder}/{entry}", kind) for entry in folder_names(f"{base}/{folder}")
                      if entry in _SHARDS]
    return found


def loose_files(root: Path) -> list[tuple[str, str, str, str, str]]:
    """(path relative to .imi/records, name, kind, record id, stamp) of every loose version file."""
    base = str(records_dir(root))
    split = _split_name  # runs once per file on every sync: the shape alone decides (see parse_name)
    found = []
    for folder, kind in loose_folders(root):
        for name in folder_names(f"{base}/{folder}"):
            parsed = split(name)
            if parsed:
                found.append((f"{folder}/{name}", name, kind, parsed[0], parsed[1]))
    return found


# `imi status` and `imi sync` suggest `imi pack` from this many loose version files on: about 4 MiB of
# 4 KiB blocks for 1 MiB of text, and two to three weeks of an 8-person team's memory (issue 20's
# simulation wrote ~170 versions a day). Below it a pack saves too little to ask a person for a commit.
PACK_HINT_AT = 1000


def loose_count(root: Path) -> int:
    """How many loose version files the record folders hold, counted by their `.json` ending (what a
    hint needs: `loose_files` reads every name, 20 M instructions at 20,000 files)."""
    base = str(records_dir(root))
    count = 0
    for folder, _kind in loose_folders(root):
        names = folder_names(f"{base}/{folder}")
        if names:
            count += ("\n".join(names) + "\n").count(".json\n")  # one pass in C, not a Python loop per name
    return count


def pack_hint(root: Path) -> str | None:
    """One line suggesting `imi pack` when the loose version files are many, else None. Counts names in
    the record folders (a few hundred `listdir` calls at most): for status and sync, not every command."""
    loose = loose_count(root)
    if loose < PACK_HINT_AT:
        return None
    return (f"{loose} loose version files in .imi/records/: `imi pack` folds the committed ones into packs "
            "(then commit: git add -A .imi/records && git commit)")


def pack_files(root: Path) -> list[str]:
    """Every pack on disk, relative to .imi/records, in name order."""
    return sorted(f"{PACKS}/{name}" for name in folder_names(f"{records_dir(root)}/{PACKS}") if _is_pack_name(name))


def is_pack(rel: str) -> bool:
    folder, _, name = rel.rpartition("/")
    return folder == PACKS and _is_pack_name(name)


def list_versions(root: Path) -> dict[str, tuple[str, str, str]]:
    """Every version on disk, loose or packed (each once): name -> (kind, record id, stamp)."""
    found = {name: (kind, record_id, stamp) for _rel, name, kind, record_id, stamp in loose_files(root)}
    for rel in pack_files(root):  # (as `packed` finds them, without building its index: 100k names at a year)
        for name, kind in pack_names(root, rel):
            if name not in found:  # `<id>.<stamp>.json`: pack_names checked the shape
                found[name] = (kind, name[:-24], name[-23:-5])
    return found


_PACKED: dict[str, tuple[int, dict[str, tuple[str, str]]]] = {}  # root -> (packs folder mtime, index)


def packed(root: Path) -> dict[str, tuple[str, str]]:
    """name -> (the first pack holding it, kind) for every packed version (cached per process while
    the packs folder is unchanged: packs are immutable, named by their content)."""
    try:
        mtime = os.stat(f"{records_dir(root)}/{PACKS}").st_mtime_ns
    except OSError:
        return {}
    cached = _PACKED.get(str(root))
    if cached and cached[0] == mtime:
        return cached[1]
    index: dict[str, tuple[str, str]] = {}
    for rel in pack_files(root):
        for name, kind in pack_names(root, rel):
            index.setdefault(name, (rel, kind))
    _PACKED[str(root)] = (mtime, index)
    return index


def count_versions(root: Path) -> int:
    """How many versions are on disk (loose files by name; packs by their list of names), each once."""
    names = {name for _rel, name, _kind, _record, _stamp in loose_files(root)}
    names.update(packed(root))
    return len(names)


def locate(root: Path, kind: str, name: str) -> str | None:
    """Where a version is on disk, relative to .imi/records: its loose file (sharded, then flat),
    else the first pack holding it; None when it is nowhere."""
    base = str(records_dir(root))
    for rel in (loose_rel(kind, name), loose_rel(kind, name, sharded=False)):
        if os.path.isfile(f"{base}/{rel}"):
            return rel
    where = packed(root).get(name)
    return where[0] if where and where[1] == kind else None


def read_named(root: Path, kind: str, name: str) -> dict | None:
    """The content of one version wherever it is (None when it is nowhere or cannot be read)."""
    rel = locate(root, kind, name)
    if rel is None:
        return None
    if is_pack(rel):
        return _from_packs(root, rel, name)
    return read_version(f"{records_dir(root)}/{rel}")


def _from_packs(root: Path, rel: str, name: str) -> dict | None:
    """A packed version's content from the pack `rel`, else from any other pack that holds it readable
    (a damaged pack that `imi doctor` names must not hide a good copy elsewhere)."""
    payload = read_pack(root, rel).get(name)
    if payload is None:
        for other in pack_files(root):
            if other != rel and any(listed == name for listed, _kind in pack_names(root, other)):
                payload = read_pack(root, other).get(name)
                if payload is not None:
                    break
    return payload


def iter_versions(root: Path, kinds: Collection[str] | None = None) -> Iterator[Version]:
    """Every version on disk with its content (with `kinds`: only versions of those kinds): loose files,
    then packs; a version found in several places is yielded once (its loose file first)."""
    seen: set[str] = set()
    base = str(records_dir(root))
    for rel, name, kind, record_id, stamp in loose_files(root):
        if name not in seen and (kinds is None or kind in kinds):
            seen.add(name)
            yield Version(name, kind, record_id, stamp, rel, read_version(f"{base}/{rel}"))
    unreadable: dict[str, Version] = {}  # packed versions whose line could not be read: another pack may hold them
    for rel in pack_files(root):
        payloads = read_pack(root, rel) if kinds is None else read_pack_kinds(root, rel, kinds)
        for name, kind in pack_names(root, rel):
            if name not in seen and (kinds is None or kind in kinds):
                record_id, _, rest = name.partition(".")
                version = Version(name, kind, record_id, rest[:-5], rel, payloads.get(name))
                if version.payload is None:
                    unreadable.setdefault(name, version)
                    continue
                seen.add(name)
                yield version
    yield from (version for name, version in unreadable.items() if name not in seen)


def versions_at(root: Path, paths: list[str]) -> dict[str, tuple[str, str, str]]:
    """The versions that `paths` (relative to .imi/records, as `git diff` names them) hold on disk, as
    list_versions gives them: a loose file that is there (or whose version is packed), every version
    of a pack that is there."""
    found: dict[str, tuple[str, str, str]] = {}
    base = records_dir(root)
    in_packs: dict[str, tuple[str, str]] | None = None
    for path in paths:
        if is_pack(path):
            for name, kind in pack_names(root, path):
                record_id, _, rest = name.partition(".")
                found[name] = (kind, record_id, rest[:-5])
            continue
        parsed = _loose_path(path)
        if parsed is None:
            continue
        name, kind, record_id, stamp = parsed
        if os.path.isfile(base / path):
            found[name] = (kind, record_id, stamp)
            continue
        if in_packs is None:  # gone as a loose file: it may have been folded into a pack
            in_packs = packed(root)
        if in_packs.get(name, ("", ""))[1] == kind:
            found[name] = (kind, record_id, stamp)
    return found


def versions_in(root: Path, paths: list[str]) -> Iterator[Version]:
    """The versions among `paths` (as versions_at finds them) with their content: what the incremental
    hook sync reads after a merge, a checkout or a rebase."""
    base = str(records_dir(root))
    for name, (kind, record_id, stamp) in versions_at(root, paths).items():
        rel = locate(root, kind, name)
        if rel is None:
            continue
        payload = _from_packs(root, rel, name) if is_pack(rel) else read_version(f"{base}/{rel}")
        yield Version(name, kind, record_id, stamp, rel, payload)


def names_in(paths: list[str]) -> list[str]:
    """The version names that loose-file paths among `paths` carry (packs name theirs inside)."""
    return [parsed[0] for parsed in map(_loose_path, paths) if parsed]


def _loose_path(path: str) -> tuple[str, str, str, str] | None:
    """(name, kind, record id, stamp) of a loose version file's path, flat or sharded; else None."""
    parts = path.split("/")
    if len(parts) == 3 and parts[1] not in _SHARDS:
        return None
    if len(parts) not in (2, 3) or parts[0] not in DIR_KINDS:
        return None
    parsed = _split_name(parts[-1])
    return (parts[-1], DIR_KINDS[parts[0]], parsed[0], parsed[1]) if parsed else None


def signature(root: Path) -> str:
    """Changes whenever a version file or a pack is added or removed (git pull, checkout, merge,
    rebase): the modification times of the record folders. Cheap enough to check on every command."""
    base = str(records_dir(root))
    parts = []
    for folder in ("", PACKS, *(rel for rel, _kind in loose_folders(root))):
        try:
            parts.append(str(os.stat(f"{base}/{folder}").st_mtime_ns))
        except OSError:
            parts.append("-")
    return ":".join(parts)


def read_version(path: Path | str) -> dict | None:
    """A version file's content, or None when it is not a valid version (it is then ignored)."""
    from ..jsontext import loads

    try:
        with open(path, encoding="utf-8") as handle:
            payload = loads(handle.read())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return payload if valid(payload) else None


def valid(payload) -> bool:
    """Whether a parsed version is one imi can take in (format 1, plain fields)."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return False
    if payload.get("deleted"):
        return True
    record = payload.get("record")
    return isinstance(record, dict) and plain_record(record)


_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)  # (JSON gives these types exactly: one look-up, not five tests)


def plain_record(record: dict) -> bool:
    """Fields are plain values (files: a list of objects, blocked_by: a list of ids), as imi writes them."""
    scalar = _SCALAR_TYPES
    for key, value in record.items():  # (loops, not nested generators: a fresh clone checks 100k records)
        if type(value) in scalar or isinstance(value, _SCALARS):
            if key != "files" and key != "blocked_by":
                continue
            return False
        if key == "files":
            if not isinstance(value, list):
                return False
            for ref in value:
                if not isinstance(ref, dict):
                    return False
                for field in ref.values():
                    if not isinstance(field, _SCALARS):
                        return False
        elif key == "blocked_by":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return False
        else:
            return False
    return True


# Packs: `packs/<sha1 of the content>.jsonl`. The first line lists the versions, `{"format": 1,
# "versions": [[name, kind], ...]}` in name order; then one line per version, in the same order,
# its content as compact canonical JSON. The same versions always make the same bytes, hence the
# same name: two clones that pack the same versions add the same file, and git merges that cleanly.

# (root, rel) -> (stat key, names, payloads or None, the line of each name when the first line names
# something that is not a version (a hand edit), else None)
_PACKS_READ: dict[tuple[str, str], tuple] = {}


def pack_text(payloads: dict[str, dict]) -> str:
    """The bytes of a pack holding these versions (name -> content)."""
    import json

    names = sorted(payloads)
    dump = lambda value: json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # noqa: E731
    lines = [dump({"format": FORMAT, "versions": [[name, payloads[name]["kind"]] for name in names]})]
    lines += [dump(payloads[name]) for name in names]
    return "\n".join(lines) + "\n"


def pack_rel(text: str) -> str:
    """A pack's place, named by its content."""
    import hashlib

    return f"{PACKS}/{hashlib.sha1(text.encode('utf-8')).hexdigest()}.jsonl"


def pack_names(root: Path, rel: str) -> list[tuple[str, str]]:
    """(name, kind) of every version a pack holds, in order, from its first line (cached per process)."""
    from ..jsontext import loads

    path = f"{records_dir(root)}/{rel}"
    try:
        info = os.stat(path)
    except OSError:
        return []
    key = (str(root), rel)
    cached = _PACKS_READ.get(key)
    if cached and cached[0] == (info.st_mtime_ns, info.st_size):
        return cached[1]
    where = None
    try:
        with open(path, encoding="utf-8") as handle:
            header = loads(handle.readline())
        versions = header["versions"]
        listed = _well_named(versions)
        if len(listed) != len(versions):  # the lines of the names kept, so the others' lines are passed over
            where = [line for line, entry in enumerate(versions) if _well_named([entry])]
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        listed = []  # not a pack imi can read (conflict markers, a hand edit): `imi doctor` says so
    _PACKS_READ[key] = ((info.st_mtime_ns, info.st_size), listed, None, where)
    return listed


_MANY_NAMES = 2_000  # from this many names on, a pack's names are checked at once, with a regular expression
_NAME_LINES = r"(?:[0-9A-Za-z_-]{1,64}\.[0-9a-z]{18}\.json\n)*"  # the shape _split_name checks, one name a line


def _well_named(versions: list) -> list[tuple[str, str]]:
    """The (name, kind) entries of a pack's first line that name a version of a known kind (100k names at
    a year, on every hook sync: the shape alone decides)."""
    if len(versions) >= _MANY_NAMES:
        try:
            names = [name for name, _kind in versions]
            text = "\n".join(names) + "\n"  # (a name holding a line break adds a line: the count tells)
            kinds = {kind for _name, kind in versions}
        except (TypeError, ValueError):
            pass  # an entry that is not a pair, a name that is not text: checked one by one below
        else:
            from ..lazyre import re

            if kinds.issubset(KIND_DIRS) and text.count("\n") == len(names) and re.fullmatch(_NAME_LINES, text):
                return [(name, kind) for name, kind in versions]
    match = _split_name
    return [(name, kind) for name, kind in versions if kind in KIND_DIRS and isinstance(name, str) and match(name)]


def read_pack(root: Path, rel: str) -> dict[str, dict | None]:
    """name -> content of every version in a pack (None for a line that cannot be read)."""
    key = (str(root), rel)
    listed = pack_names(root, rel)
    cached = _PACKS_READ.get(key)
    if cached and cached[2] is not None:
        return cached[2]
    payloads = _pack_lines(root, rel, listed, None)
    if cached:
        _PACKS_READ[key] = (cached[0], cached[1], payloads, cached[3])
    return payloads


def read_pack_kinds(root: Path, rel: str, kinds: Collection[str]) -> dict[str, dict | None]:
    """As read_pack, for the versions of these kinds only (the other lines are not parsed; not cached)."""
    return _pack_lines(root, rel, pack_names(root, rel), kinds)


def _pack_lines(root: Path, rel: str, listed: list[tuple[str, str]], kinds) -> dict[str, dict | None]:
    from ..jsontext import loads

    payloads: dict[str, dict | None] = {}
    cached = _PACKS_READ.get((str(root), rel))
    where = cached[3] if cached else None
    try:
        with open(f"{records_dir(root)}/{rel}", encoding="utf-8") as handle:
            handle.readline()
            for (name, kind), line in zip(listed, handle if where is None else _lines_at(handle, where)):
                if kinds is not None and kind not in kinds:
                    continue
                try:
                    payload = loads(line)
                except ValueError:
                    payload = None
                payloads[name] = payload if valid(payload) and file_name(
                    str(payload.get("id")), str(payload.get("hlc"))) == name else None
    except (OSError, UnicodeDecodeError):
        pass
    return payloads


def _lines_at(lines, wanted: list[int]) -> Iterator[str]:
    """The lines at these positions (ascending), in order."""
    positions = iter(wanted)
    at = next(positions, None)
    for index, line in enumerate(lines):
        if at is None:
            return
        if index == at:
            yield line
            at = next(positions, None)
