"""Which language family a file is written in, by its extension (what the symbol outliner reads)."""

from __future__ import annotations

LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".ts": "ts", ".tsx": "ts", ".js": "ts", ".jsx": "ts", ".mjs": "ts", ".cjs": "ts", ".mts": "ts", ".cts": "ts",
    ".go": "go", ".rs": "rust",
}


def language_of(path: str) -> str | None:
    """The language family of a file by its extension, or None."""
    dot = path.rfind(".")
    return LANGUAGES.get(path[dot:].lower()) if dot != -1 else None
