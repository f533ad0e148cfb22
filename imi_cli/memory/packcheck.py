"""What `imi doctor` says about packs (`.imi/records/packs/`): one line for each pack imi cannot read
whole, naming its path; the reader meanwhile goes on with every good pack.

A pack whose content no longer gives its name (its sha1) is only a note, not a problem: the way
docs/team.md gives to purge a secret from packs, `git filter-repo --replace-text`, changes the
content and keeps the name, and imi reads such a pack as before (the name is how clones agree on
a pack, not a checksum). Failing a CI gate after every such purge would punish doing the right thing.
"""

from __future__ import annotations

import json
from pathlib import Path

from .textsync import layout

_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def problems(root: Path) -> list[tuple[str, str, str]]:
    """(kind, one line, pack path relative to .imi/records) for every pack that is not what `imi pack`
    writes; kind "pack_name_mismatch" is a note, the others are problems."""
    found = []
    for rel in layout.pack_files(root):
        kind, why = _check(layout.records_dir(root) / rel, rel)
        if kind:
            found.append((kind, f".imi/records/{rel} {why}", rel))
    return found


def _check(path: Path, rel: str) -> tuple[str, str]:
    """(kind, why) of what is wrong with one pack, ("", "") when nothing is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "unreadable_pack", f"cannot be read ({exc.strerror or exc}): restore it from git"
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return "unreadable_pack", "is not UTF-8 text: restore it from git (`git checkout -- FILE`)"
    if any(line.startswith(_MARKERS) for line in lines):
        return "conflict_markers", ("has conflict markers (two clones changed one pack: a history purge on one "
                                    "side?): keep one side whole, e.g. `git checkout --theirs FILE`, then `git add` it")
    if lines and lines[-1] == "":
        lines.pop()
    listed = _header(lines[0] if lines else "")
    if listed is None:
        return "unreadable_pack", ("has a bad first line (not the list of the versions it holds): "
                                   "restore it from git (`git checkout -- FILE`)")
    if len(lines) - 1 != len(listed):
        return "unreadable_pack", (f"lists {len(listed)} versions in its first line but holds {len(lines) - 1}: "
                                   "restore it from git (`git checkout -- FILE`)")
    for number, ((name, kind), line) in enumerate(zip(listed, lines[1:]), start=2):
        if not _is_version(line, name, kind):
            return "unreadable_pack", (f"line {number} is not the version its first line lists ({name}): "
                                       "restore it from git (`git checkout -- FILE`)")
    if layout.pack_rel(data.decode("utf-8")) != rel:
        return "pack_name_mismatch", ("does not hash to its name (expected after `git filter-repo --replace-text`; "
                                      "imi reads it as before)")
    return "", ""


def _header(line: str) -> list[tuple[str, str]] | None:
    """The (name, kind) pairs a pack's first line lists, or None when it is not such a line."""
    try:
        header = json.loads(line)
        listed = [(name, kind) for name, kind in header["versions"]]
    except (ValueError, KeyError, TypeError):
        return None
    if header.get("format") != layout.FORMAT:
        return None
    ok = all(isinstance(name, str) and layout.parse_name(name) and kind in layout.KIND_DIRS for name, kind in listed)
    return listed if ok else None


def _is_version(line: str, name: str, kind: str) -> bool:
    try:
        payload = json.loads(line)
    except ValueError:
        return False
    return (layout.valid(payload) and payload.get("kind") == kind
            and layout.file_name(str(payload.get("id")), str(payload.get("hlc"))) == name)
