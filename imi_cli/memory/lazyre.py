"""Regular expressions compiled, and modules imported, the first time they are used.

Compiling a pattern runs Python code (re's compiler) in every fresh process: a command that never
needs a pattern (most texts hold no credential, no escape sequence) should not pay for it.
"""

from __future__ import annotations

import sys


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`; compiles on the first method call (`search`, `sub`...)."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str):
        import re

        value = getattr(re.compile(self.pattern, self.flags), name)
        setattr(self, name, value)  # the next call goes straight to the compiled pattern's method
        return value


class LazyModule(type(sys)):
    """A module that imports the real module of its name the first time an attribute is read, and
    keeps what it read. Also a stand-in in `sys.modules` while another module imports it
    (pathimport.py)."""

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system probes __path__ and the like: not a use
            raise AttributeError(name)
        real = sys.modules.get(self.__name__)
        if real is None or real is self:
            sys.modules.pop(self.__name__, None)
            __import__(self.__name__)
            real = sys.modules[self.__name__]
        value = getattr(real, name)
        setattr(self, name, value)  # the next read goes straight to it
        return value


# For modules whose patterns are rarely needed: importing `re` costs two thirds of Python's start-up.
re = LazyModule("re")
