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
