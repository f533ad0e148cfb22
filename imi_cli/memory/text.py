"""Cleaning text from users and agents before it is stored: one place for every entry point."""

from __future__ import annotations

import re

from .errors import UsageError
from .redaction import redact

MAX_TEXT = 100_000
# Terminal escape sequences first, so "\x1b[31m" goes whole rather than leaving "[31m" behind.
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


def scrub(text: str) -> str:
    """Text without terminal escape sequences and control characters (newlines and tabs stay;
    `\r\n` and `\r` become `\n`)."""
    if text.isprintable():  # the common case: nothing to remove, no regex run
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean(text: str | None, what: str, *, required: bool = True) -> str | None:
    """Strip control characters (terminal escapes too) and surrounding blanks, redact credentials,
    and enforce presence and size. Raises UsageError with one clear line."""
    if text is None:
        if required:
            raise UsageError(f"{what} is required")
        return None
    if not isinstance(text, str):
        raise UsageError(f"{what} must be text")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8, or a bad JSON escape
            raise UsageError(f"{what} is not valid UTF-8 text") from None
    value = scrub(text).strip()
    if required and not value:
        raise UsageError(f"{what} must not be empty")
    if len(value) > MAX_TEXT:
        raise UsageError(f"{what} is too long ({len(value)} characters; the limit is {MAX_TEXT})")
    return redact(value, what) if value else None
