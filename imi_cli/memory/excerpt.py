"""Shortening a record's text for lists, lenses and context lines."""

from __future__ import annotations

ITEM_LIMIT = 700  # characters of one item before it is shortened


def shorten(text: str, limit: int = ITEM_LIMIT) -> str:
    """Cut long text at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


_STRUCTURE = ("#", "```", "~~~", "---", "===", ">")


def field(text: str | None, limit: int, indent: str = "    ") -> str:
    """A multi-line field under its item: later lines are indented, and a line that would read as
    a heading, a fence or a rule is escaped, so no record can fake a section of the context."""
    lines = shorten(text or "", limit).split("\n")
    rest = ("\\" + line if line.lstrip().startswith(_STRUCTURE) else line for line in lines[1:])
    return "\n".join([lines[0], *(f"{indent}{line}".rstrip() for line in rest)])


def one_line(text: str | None, limit: int) -> str:
    """A title, name or id on one line: line breaks become spaces."""
    return shorten(" ".join((text or "").split()), limit)
