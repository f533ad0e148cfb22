"""The data layer's public API: everything a front (CLI, hooks, MCP, language server) may use.

    from imi_cli.memory import Project, ImiError
    with Project.open() as project:
        project.add_lesson("retries hid the outage", "fail fast on 5xx", files=["src/http.py"])

Fronts import from this package only, never from a module inside it (a test reads the
import graph to hold that). The names load lazily, so `imi context` pays only for what it uses.
This package imports no click, pygls, lsprotocol or mcp.
"""

from __future__ import annotations

import sys

# public name -> the module (inside this package) that defines it
_EXPORTS = {
    "Project": "api",
    # errors
    "ImiError": "errors", "UsageError": "errors", "NotFound": "errors", "Conflict": "errors",
    # records
    "Record": "store.records", "Goal": "store.records", "Task": "store.records", "Decision": "store.records",
    "Lesson": "store.records", "Note": "store.records", "Memory": "store.records", "FileRef": "store.records",
    # time and text
    "now_ms": "clock", "ago": "clock", "iso": "clock", "shorten": "excerpt", "one_line": "excerpt", "field": "excerpt",
    # start-up-light tools: patterns compiled on first use, JSON without the json package
    "LazyPattern": "lazyre", "json_loads": "jsontext", "json_dumps": "jsontext", "json_escaped_length": "jsontext",
    # small files in the user's cache folder (what hooks showed a session)
    "cache_folder": "usercache", "cache_checksum": "usercache", "read_cached": "usercache", "write_cached": "usercache",
    # context and work
    "DEFAULT_BUDGET": "context", "render_task_line": "context", "is_stale": "store.lease",
    "THINK_PROMPT": "signals",
    # where the memory lives
    "DB_DIR": "store.connection", "DB_NAME": "store.connection", "workspace_root_for": "store.connection",
    "records_without_database": "store.connection",
    "split_specs": "paths", "relative_to_root": "paths",
    # who writes, and secrets
    "agent_id": "identity", "secrets_policy": "secrets", "SecretsPolicy": "secrets",
    # settings from the environment, each checked
    "check_settings": "settings", "secrets_allowed": "settings",
    # a database that cannot be opened, and what `imi doctor` says about one that git tracks
    "CorruptDatabase": "store.connection", "tracked_warning": "tracked",
    # the language server's live view: references by path, anchors followed through edits
    "RefIndex": "refindex", "LiveIndex": "refindex", "Hit": "refindex", "Summary": "refindex",
    "KINDS": "refindex", "lines_overlap": "refindex",
    "DocumentAnchors": "anchors.live", "LiveAnchor": "anchors.live", "Edit": "anchors.live",
    "GONE": "anchors.live", "shift": "anchors.live", "read_lines": "anchors.text",
    "SUPERSEDABLE": "anchors.review", "follow_renames_at": "anchors.renames", "find_symbol": "anchors.symbols",
}
# public names that differ from the defining module's own name
_RENAMED = {"THINK_PROMPT": "PROMPT", "secrets_policy": "policy", "SecretsPolicy": "Policy", "check_settings": "check",
            "secrets_allowed": "allow_secrets", "json_loads": "loads", "json_dumps": "dumps",
            "json_escaped_length": "escaped_length", "cache_folder": "folder", "cache_checksum": "checksum",
            "read_cached": "read", "write_cached": "write"}

# modules that import no pathlib (what `imi --version` and every command's start load)
_NO_PATHS = {"errors", "settings", "secrets", "clock", "excerpt", "lazyre", "jsontext", "usercache"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module not in _NO_PATHS:  # the first module that needs pathlib: import it without urllib.parse
        from .pathimport import import_pathlib

        import_pathlib()
    qualified = f"{__name__}.{module}"
    __import__(qualified)  # not importlib.import_module: importing importlib costs more than this package
    value = getattr(sys.modules[qualified], _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
