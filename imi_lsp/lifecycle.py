"""Start, settings and stop: open the folders' memories, pull settings, run the watcher, cancel it."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls import uris

from .documents import use_line_documents
from .folders import NO_MEMORY
from .base import ImiLanguageServer, describe, guarded
from .watch import watch


@guarded()
def initialize(ls: ImiLanguageServer, params: types.InitializeParams) -> None:
    use_line_documents(ls.workspace)  # a keystroke costs the same in a file of any size
    ls.apply_settings(params.initialization_options, "initializationOptions")
    ls.setup_folders(params)


@guarded()
async def initialized(ls: ImiLanguageServer, params: types.InitializedParams) -> None:
    ls.run_task(watch(ls))
    for memory in ls.folders:  # load the path indexes now: `initialize` has been answered already
        try:
            memory.preload()
        except Exception as exc:  # reported; the watcher notices if the database recovers
            ls.note(f"loading the memory of {memory.folder}: {describe(exc)}", types.MessageType.Warning)
    for memory in ls.folders:  # e.g. built the database from a fresh clone's .imi/records/
        for line in memory.project.notices if memory.project else ():
            ls.note(line)
    missing = [f for f in ls.folders if f.project is None and f.problem == NO_MEMORY]
    for memory in missing:
        ls.note(f"no project memory in {memory.folder} yet: the command imi.init creates it")
    await ls.pull_settings()


@guarded()
async def did_change_configuration(ls: ImiLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    before = ls.settings
    if isinstance(params.settings, dict) and params.settings:
        ls.apply_settings(params.settings, "didChangeConfiguration")
    await ls.pull_settings()
    if ls.settings != before:
        await ls.memory_changed()


@guarded()
async def did_change_folders(ls: ImiLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    """Memory follows the folders open now: a file of a removed nested folder goes to the outer one."""
    if ls.db_override is not None:  # one database for everything, whatever the folders
        return
    removed = {uris.to_fs_path(f.uri) for f in params.event.removed}
    for memory in [m for m in ls.folders if str(m.folder) in removed]:
        memory.close()
        ls.folders.remove(memory)
    for folder in params.event.added:
        path = uris.to_fs_path(folder.uri)
        if path and not any(str(m.folder) == path for m in ls.folders):
            ls.add_folder(Path(path))
    await ls.memory_changed()  # open documents follow their new memory: anchors, warnings, lenses


@guarded()
def shutdown(ls: ImiLanguageServer, params: None) -> None:
    ls.cancel_tasks()
    for memory in ls.folders:
        memory.close()


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_folders)
    server.feature(types.SHUTDOWN)(shutdown)
