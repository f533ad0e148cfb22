"""Import pathlib and apsw without the modules they need only later, or under another name.

On Python 3.11 and 3.12, importing pathlib imports re (which builds enum classes), fnmatch,
functools (with collections), warnings, urllib.parse (with ipaddress) and operator. Its module body
uses none of them but `functools.lru_cache` and `operator.attrgetter`; only `glob`, `match`,
`as_uri` and deprecated methods do. Together they cost as much as Python's own start-up, paid by
every command. While pathlib is imported, stand-in modules answer those imports and load the real
module on the first attribute use; `lru_cache` wraps its function the first time the function is
called, and `attrgetter` is the built-in `_operator`'s (operator.py only re-exports it).

apsw's extension imports `collections.abc` for its Mapping: that module only re-exports
`_collections_abc`, which Python's start-up has loaded, but importing it runs the whole
`collections` package first.

pathlib also imports ntpath, for PureWindowsPath only (its module body just keeps a reference):
on POSIX a stand-in answers it too (with operator.py's, 1.2 M instructions a command). When ntpath
does load, it tries five times to import the Windows modules `nt` and `_winapi`, each failed
attempt searching every folder of `sys.path`; while pathlib loads, those names are marked absent,
so each attempt fails at once.
"""

from __future__ import annotations

import os
import sys

from .lazyre import LazyModule

_DEFERRED = ("re", "fnmatch", "functools", "warnings", "urllib.parse", "operator")


def _lru_cache(*args, **kwargs):
    """`functools.lru_cache(...)` applied on the decorated function's first call."""

    def decorate(function):
        cached = None

        def call(*call_args, **call_kwargs):
            nonlocal cached
            if cached is None:
                import functools

                cached = functools.lru_cache(*args, **kwargs)(function)
            return cached(*call_args, **call_kwargs)

        return call

    return decorate


def _quote_from_bytes(*args, **kwargs):
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(*args, **kwargs)


def import_pathlib() -> None:
    """Import pathlib, deferring re, fnmatch, functools, warnings and urllib.parse until used."""
    if "pathlib" in sys.modules:
        return
    stand_ins: dict = {name: LazyModule(name) for name in _DEFERRED if name not in sys.modules}
    if os.name == "posix":
        stand_ins.update({name: None for name in ("nt", "_winapi") if name not in sys.modules})
        if "ntpath" not in sys.modules:
            stand_ins["ntpath"] = LazyModule("ntpath")
    if "functools" in stand_ins:
        stand_ins["functools"].lru_cache = _lru_cache
    if "operator" in stand_ins:  # its one name pathlib uses comes from the built-in _operator
        import _operator

        stand_ins["operator"].attrgetter = _operator.attrgetter
    if "urllib.parse" in stand_ins:
        stand_ins["urllib.parse"].quote_from_bytes = _quote_from_bytes
    sys.modules.update(stand_ins)
    try:
        import pathlib  # noqa: F401
    except ImportError:  # a pathlib that wants more at import time: import everything as it is
        _remove(stand_ins)
        sys.modules.pop("pathlib", None)
        import pathlib  # noqa: F401,F811
    finally:
        _remove(stand_ins)


def _remove(stand_ins: dict) -> None:
    for name, stand_in in stand_ins.items():
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


def import_apsw() -> None:
    """Import apsw, answering its import of `collections.abc` with `_collections_abc` itself."""
    if "apsw" in sys.modules or "collections" in sys.modules or "_collections_abc" not in sys.modules:
        import apsw  # noqa: F401
        return
    collections = LazyModule("collections")
    collections.abc = sys.modules["_collections_abc"]
    stand_ins = {"collections": collections, "collections.abc": collections.abc}
    sys.modules.update(stand_ins)
    try:
        import apsw  # noqa: F401,F811
    finally:
        _remove(stand_ins)
