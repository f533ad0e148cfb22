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

from .. import usercache
from .languages import language_of

KEEP_SECONDS = 30 * 24 * 3600  # files of spans not read for this long go (checked on a few writes)


def find_symbol(lines: list[str], path: str, symbol: str) -> tuple[int, int] | None:
    """(first, last) 1-based lines of `symbol` in a file's lines, or None: `symbols.find_symbol`'s
    answer, from the cache when this text was outlined before."""
    language = language_of(path)
    if language is None or not symbol:
        return None
    text = "\n".join(lines).encode("utf-8", "surrogatepass")
    name = f"{language}-{usercache.checksum(text)}-{len(text):x}.json"
    file = f"{usercache.folder('symbol-spans')}/{name}"
    known = usercache.read(file)
    if symbol in known and _valid(known[symbol], len(lines)):
        span = known[symbol]
        return (span[0], span[1]) if span else None
    from .symbols import find_symbol as outline_and_find

    span = outline_and_find(lines, path, symbol)
    known[symbol] = list(span) if span else None
    usercache.write(file, known, KEEP_SECONDS)
    return span


def _valid(span, line_count: int) -> bool:
    """A span read back is used only when it could be an answer (a hand-edited file is outlined again)."""
    return span is None or (isinstance(span, list) and len(span) == 2 and all(type(n) is int for n in span)
                            and 1 <= span[0] <= span[1] <= line_count)
