"""Reading a file's lines and comparing blocks of code the same way everywhere."""

from __future__ import annotations

from pathlib import Path

MAX_ANCHOR_LINES = 400


def read_lines(path: Path) -> list[str] | None:
    """The file's lines (without line ends), or None when it is missing, a folder or not text."""
    try:
        data = path.read_bytes()
    except (OSError, ValueError):
        return None
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace").splitlines()


def normalized(lines: list[str]) -> list[str]:
    """Lines as compared: surrounding blanks and empty lines do not count (reindenting is not a change)."""
    return [line.strip() for line in lines if line.strip()]


def fingerprint(lines: list[str]) -> str:
    """A short hash of a block's normalized lines."""
    import hashlib

    return hashlib.sha256("\n".join(normalized(lines)).encode("utf-8", "surrogatepass")).hexdigest()[:16]
