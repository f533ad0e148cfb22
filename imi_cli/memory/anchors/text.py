"""Reading a file's lines and comparing blocks of code the same way everywhere."""

from __future__ import annotations

from pathlib import Path

REDACTED = "[REDACTED:"  # what redaction puts where a credential was (imi_cli.redaction)


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


def masked(lines: list[str]) -> list[str]:
    """The lines with credentials replaced as a snapshot stores them (nothing is reported: this is a
    comparison, not a write)."""
    from ..redaction import policy, redact

    with policy():
        return redact("\n".join(lines), "anchored code").split("\n")


def same_code(snapshot: str, lines: list[str]) -> bool:
    """Whether `lines` are the code a snapshot was taken of. A snapshot stores credentials redacted,
    so where it has any, the lines are compared redacted the same way: redaction alone is no edit."""
    wanted = normalized(snapshot.splitlines())
    if normalized(lines) == wanted:
        return True
    return REDACTED in snapshot and normalized(masked(lines)) == wanted


def line_matchers(wanted: list[str]) -> list:
    """For each normalized snapshot line, what matches it: the line itself, or (a line where a credential
    was redacted) a pattern in which each redaction stands for any text."""
    import re

    out = []
    for line in wanted:
        if REDACTED not in line:
            out.append(line)
            continue
        parts = re.split(r"\[REDACTED:[\w-]+\]", line)
        out.append(re.compile(".+?".join(re.escape(p) for p in parts)))
    return out
