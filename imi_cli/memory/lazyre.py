"""Regular expressions compiled the first time they are used.

Compiling a pattern runs Python code (re's compiler) in every fresh process: a command that never
needs a pattern (most texts hold no credential, no escape sequence) should not pay for it.
"""

from __future__ import annotations


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`; compiles on the first method call (`search`, `sub`...)."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str):
        import re

        value = getattr(re.compile(self.pattern, self.flags), name)
        setattr(self, name, value)  # the next call goes straight to the compiled pattern's method
        return value


class _LazyRe:
    """Stands for the `re` module in modules whose patterns are rarely needed: `re` is imported on
    the first attribute read (importing it costs two thirds of Python's own start-up)."""

    def __getattr__(self, name: str):
        import re as module

        value = getattr(module, name)
        setattr(self, name, value)
        return value


re = _LazyRe()
