"""Import pathlib without urllib.parse.

On Python 3.11 and 3.12, importing pathlib imports urllib.parse (which imports ipaddress) for one
function, `quote_from_bytes`, that only `Path.as_uri()` calls: a quarter of Python's own start-up,
paid by every command. While pathlib is imported, a stand-in module answers that one import with a
function that loads the real urllib.parse on its first call. Python 3.13 loads it lazily itself.
"""

from __future__ import annotations

import sys


def _quote_from_bytes(*args, **kwargs):
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(*args, **kwargs)


def import_pathlib() -> None:
    """Import pathlib, deferring urllib.parse until a path is turned into a URI."""
    if "pathlib" in sys.modules or "urllib.parse" in sys.modules:
        return
    stand_in = type(sys)("urllib.parse")
    stand_in.quote_from_bytes = _quote_from_bytes
    sys.modules["urllib.parse"] = stand_in
    try:
        import pathlib  # noqa: F401
    except ImportError:  # a pathlib that wants more of urllib.parse: import both as they are
        sys.modules.pop("urllib.parse", None)
        sys.modules.pop("pathlib", None)
        import pathlib  # noqa: F401,F811
    finally:
        if sys.modules.get("urllib.parse") is stand_in:
            del sys.modules["urllib.parse"]
