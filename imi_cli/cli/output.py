"""How commands print: JSON when asked, plain text otherwise (bold headings only on a colour terminal)."""

from __future__ import annotations

import os
import sys


class Output:
    """Shared by every command: `--json`, colour, and where text goes."""

    def __init__(self, as_json: bool = False):
        self.as_json = as_json
        self.color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def json(self, payload) -> None:
        """Print one JSON document (sorted keys, UTF-8)."""
        from ..memory import json_dumps

        indent = 2 if sys.stdout.isatty() else None  # pipes get one compact line: agents parse it, people read a terminal
        sys.stdout.write(json_dumps(payload, ensure_ascii=False, sort_keys=True, indent=indent) + "\n")

    def text(self, text: str = "") -> None:
        """Print text; `## ` headings are bold on a colour terminal."""
        if self.color:
            text = "\n".join(f"\x1b[1m{line}\x1b[0m" if line.startswith(("#", "##")) else line
                             for line in text.split("\n"))
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))

    def result(self, payload: dict, text: str) -> None:
        """Print `payload` as JSON or `text`, whichever the user asked for."""
        if self.as_json:
            self.json(payload)
        else:
            self.text(text)
