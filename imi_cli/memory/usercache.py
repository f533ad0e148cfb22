"""Small JSON files imi keeps in the user's cache folder (`$XDG_CACHE_HOME/imi/<name>`, else
`~/.cache/imi/<name>`): what agent sessions were shown, where symbols were found. Nothing there is
memory: a lost or unreadable file only costs the work it saved, so reading and writing never fail.
"""

from __future__ import annotations

import os

from .jsontext import dumps, loads


def folder(name: str) -> str:
    """The cache folder `name`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "imi", name)


def checksum(data: bytes) -> str:
    """16 hex digits that change when the data does: two checksums of it (zlib; a cryptographic hash
    module would be a library more to load on every hook)."""
    import zlib

    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def read(file: str) -> dict:
    """The object a cache file holds; {} when it is missing, unreadable or not an object."""
    try:
        with open(file, encoding="utf-8") as handle:
            found = loads(handle.read())
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def write(file: str, value: dict, keep_seconds: int) -> None:
    """Replace the file (another process may write it too: the last one wins; a reader never sees half
    a file), readable by the user alone; then, on about one write in twenty, drop the folder's files
    untouched for `keep_seconds`. A read-only or full cache folder is no error."""
    where = os.path.dirname(file)
    temporary = f"{file}.{os.getpid()}.{os.urandom(4).hex()}.tmp"  # not tempfile: its import costs more
    data = dumps(value).encode("utf-8")
    try:
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:
            os.makedirs(where, mode=0o700, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if os.write(descriptor, data) != len(data):  # a full disk can take part of it: then none
                raise OSError("short write")
        finally:
            os.close(descriptor)
        # Renaming onto an existing file makes ext4 flush the new one first (its guard for programs
        # that replace files this way), a third of a millisecond; without the old file there is
        # nothing to guard. A reader in between finds no file: the same as a cache that lost it.
        try:
            os.unlink(file)
        except FileNotFoundError:
            pass
        os.rename(temporary, file)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return
    if os.urandom(1)[0] <= 12:
        _prune(where, keep_seconds)


def _prune(where: str, keep_seconds: int) -> None:
    import time

    cutoff = time.time() - keep_seconds
    try:
        entries = list(os.scandir(where))  # not Path.glob: its pattern matching would import `re`
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name.endswith((".json", ".tmp")) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass
