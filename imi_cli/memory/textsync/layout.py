"""Where team memory lives in git: `.imi/records/<kind>/<id>.<stamp>.json`, one file per version.

A change to a record never edits a file: it adds one, named by the record id and
the hybrid-clock stamp of the change. Two branches that change memory therefore
never touch the same file, so git merges, rebases and cherry-picks them without
conflicts, whatever tool does the merge. The newest version of a record is its
state; the older ones are its history.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import hlc

FORMAT = 1
RECORDS = ".imi/records"
KIND_DIRS = {"goal": "goals", "task": "tasks", "decision": "decisions", "lesson": "lessons", "note": "notes",
             "memory": "memories"}
DIR_KINDS = {folder: kind for kind, folder in KIND_DIRS.items()}
_NAME = re.compile(r"([0-9A-Za-z_-]{1,64})\.([0-9a-z]{18})\.json")  # a stamp is 18 of [0-9a-z] (hlc.py)


def records_dir(root: Path) -> Path:
    """The folder of version files."""
    return root / RECORDS


def file_name(record_id: str, stamp: str) -> str:
    return f"{record_id}.{stamp}.json"


def parse_name(name: str) -> tuple[str, str] | None:
    """(record id, stamp) of a version file's name, or None for anything else in the folder."""
    match = _NAME.fullmatch(name)
    if not match or not hlc.is_stamp(match.group(2)):
        return None
    return match.group(1), match.group(2)


def version_path(root: Path, kind: str, record_id: str, stamp: str) -> Path:
    return records_dir(root) / KIND_DIRS[kind] / file_name(record_id, stamp)


def canonical(payload: dict) -> str:
    """One format for every file: sorted keys, two-space indent, UTF-8, a final newline."""
    import json

    return json.dumps(payload, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


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
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def list_versions(root: Path) -> dict[str, tuple[str, str, str]]:
    """Every version file on disk: name -> (kind, record id, stamp)."""
    found: dict[str, tuple[str, str, str]] = {}
    base = records_dir(root)
    match = _NAME.fullmatch  # runs once per file on every sync: the pattern alone decides (see parse_name)
    for folder, kind in DIR_KINDS.items():
        try:
            names = os.listdir(base / folder)
        except OSError:  # missing, or something else than a folder: no versions there
            continue
        for name in names:
            parsed = match(name)
            if parsed:
                found[name] = (kind, parsed.group(1), parsed.group(2))
    return found


def signature(root: Path) -> str:
    """Changes whenever a version file is added or removed (git pull, checkout, merge, rebase):
    the modification times of the record folders. Cheap enough to check on every command."""
    base = records_dir(root)
    parts = []
    for folder in ("", *DIR_KINDS):
        try:
            parts.append(str(os.stat(base / folder).st_mtime_ns))
        except OSError:
            parts.append("-")
    return ":".join(parts)


def read_version(path: Path | str) -> dict | None:
    """A version file's content, or None when it is not a valid version (it is then ignored)."""
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return None
    if payload.get("deleted"):
        return payload
    record = payload.get("record")
    return payload if isinstance(record, dict) and plain_record(record) else None


_SCALARS = (str, int, float, bool, type(None))


def plain_record(record: dict) -> bool:
    """Fields are plain values (files: a list of objects, blocked_by: a list of ids), as imi writes them."""
    for key, value in record.items():
        if key == "files":
            if not isinstance(value, list) or not all(
                    isinstance(ref, dict) and all(isinstance(v, _SCALARS) for v in ref.values()) for ref in value):
                return False
        elif key == "blocked_by":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return False
        elif not isinstance(value, _SCALARS):
            return False
    return True
