"""Where a symbol is in a file, remembered across processes by the file's content.

Finding a symbol outlines the whole file with regular expressions, and importing `re` alone costs
two thirds of Python's start-up; `imi context` and the edit hook meet the same unchanged files
run after run. The span found for a symbol is kept in the user's cache folder
(`$XDG_CACHE_HOME/imi/symbol-spans`, else `~/.cache/imi/symbol-spans`), one small file per file
content, named by the language, two checksums and the length of the text: changed code has
another name, so a kept span always belongs to the text it was found in. Nothing there is
memory: removing the folder only costs outlining again.
"""

from __future__ import annotations

import os
import zlib

from ..jsontext import dumps, loads
from .languages import language_of

KEEP_SECONDS = 30 * 24 * 3600  # files of spans not read for this long go (checked on a few writes)


def find_symbol(lines: list[str], path: str, symbol: str) -> tuple[int, int] | None:
    """(first, last) 1-based lines of `symbol` in a file's lines, or None: `symbols.find_symbol`'s
    answer, from the cache when this text was outlined before."""
    language = language_of(path)
    if language is None or not symbol:
        return None
    text = "\n".join(lines).encode("utf-8", "surrogatepass")
    file = os.path.join(_folder(), f"{language}-{zlib.crc32(text):08x}{zlib.adler32(text):08x}-{len(text):x}.json")
    known = _read(file)
    if symbol in known and _valid(known[symbol], len(lines)):
        span = known[symbol]
        return (span[0], span[1]) if span else None
    from .symbols import find_symbol as outline_and_find

    span = outline_and_find(lines, path, symbol)
    known[symbol] = list(span) if span else None
    _write(file, known)
    return span


def _folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "imi", "symbol-spans")


def _valid(span, line_count: int) -> bool:
    """A span read back is used only when it could be an answer (a hand-edited file is outlined again)."""
    return span is None or (isinstance(span, list) and len(span) == 2 and all(type(n) is int for n in span)
                            and 1 <= span[0] <= span[1] <= line_count)


def _read(file: str) -> dict:
    try:
        with open(file, encoding="utf-8") as handle:
            known = loads(handle.read())
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return known if isinstance(known, dict) else {}


def _write(file: str, known: dict) -> None:
    """Replace the file atomically (another process may write it too: the last one wins, and a span
    it dropped is found again)."""
    folder = os.path.dirname(file)
    temporary = f"{file}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(dumps(known))
        os.replace(temporary, file)
    except OSError:  # a read-only or full cache folder: the span is found again next time
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return
    _prune(folder)


def _prune(folder: str) -> None:
    """Drop span files untouched for a month (on about one write in twenty)."""
    if os.urandom(1)[0] > 12:
        return
    import time

    cutoff = time.time() - KEEP_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name.endswith((".json", ".tmp")) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass
