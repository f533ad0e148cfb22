"""Workspace symbols: full-text search over the memory, each hit located at the first file its record names."""

from __future__ import annotations

from lsprotocol import types
from pygls import uris

from imi_cli.memory import FileRef, shorten

from . import render, views
from .folders import FolderMemory
from .base import ImiLanguageServer, guarded

LIMIT = 50
SYMBOL_KINDS = {
    "lesson": types.SymbolKind.Event,
    "decision": types.SymbolKind.Constant,
    "task": types.SymbolKind.Method,
    "goal": types.SymbolKind.Module,
    "note": types.SymbolKind.String,
    "memory": types.SymbolKind.Property,
}


def first_file(files: list[FileRef], root) -> FileRef | None:
    """The first concrete file (not a glob or folder) a record names that exists in the workspace."""
    for ref in files:
        if not ref.is_glob and (root / ref.path).is_file():
            return ref
    return None


def location(memory: FolderMemory, record) -> types.Location:
    """Where a hit opens: its first file (at its anchored line), else a markdown view of the record."""
    ref = first_file(getattr(record, "files", []), memory.root)
    if ref is not None:
        line = (ref.line_start or 1) - 1
        uri = uris.from_fs_path(str(memory.root / ref.path))
    else:
        line = 0
        uri = views.write(f"{record.kind}-{record.id}", render.record(record), str(memory.root))
    pos = types.Position(line=line, character=0)
    return types.Location(uri=uri, range=types.Range(start=pos, end=pos))


@guarded(default=[])
def workspace_symbol(ls: ImiLanguageServer, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
    symbols: list[types.WorkspaceSymbol] = []
    searched: set = set()
    for memory in ls.folders:
        if memory.project is None or memory.db_path in searched:  # nested folders may share one database
            continue
        searched.add(memory.db_path)
        for hit in memory.project.search(params.query, LIMIT):
            record = memory.project.get(hit.kind, hit.id)
            if record is None or getattr(record, "archived_at", None):
                continue
            symbols.append(types.WorkspaceSymbol(
                name=f"{hit.kind}: {shorten(' '.join(record.title.split()), 100)}",
                kind=SYMBOL_KINDS.get(hit.kind, types.SymbolKind.Object),
                location=location(memory, record),
                container_name=f"imi {hit.id}"))
    return symbols


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.WORKSPACE_SYMBOL)(workspace_symbol)
