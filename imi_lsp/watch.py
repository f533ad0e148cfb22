"""Noticing writes by other processes: poll each folder's `PRAGMA data_version` twice a second.

`data_version` changes only when another connection commits, so the poll costs one
pragma read (and one stat) per folder and never reads records. On a change the
folder's path index is reloaded in a worker thread (the old one answers meanwhile),
then warnings are re-published and lenses refreshed.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types

from imi_cli.memory import ImiError

from .base import ImiLanguageServer, describe


async def check_folders(ls: ImiLanguageServer) -> bool:
    """One poll of every folder; True when any memory changed (opened, reloaded, closed)."""
    changed = False
    for memory in list(ls.folders):
        try:
            state = memory.check()
            if state in ("stale", "synced"):
                await memory.reload_in_background()
            if state is not None:
                changed = True
                # another process wrote (routine: our own log only); opened, reopened or gone: the editor's log too
                routine = state in ("stale", "synced")
                ls.note(f"memory {state} from {memory.db_path}: {len(memory.index)} file references",
                        types.MessageType.Debug if routine else types.MessageType.Info)
        except ImiError as exc:
            ls.tell(str(exc), types.MessageType.Warning)
            changed = True
        except Exception as exc:  # never let the loop die
            ls.note(f"watching {memory.db_path}: {describe(exc)}", types.MessageType.Error)
    return changed


async def watch(ls: ImiLanguageServer) -> None:
    """Poll until cancelled (on shutdown)."""
    while True:
        await asyncio.sleep(ls.poll_seconds)
        if await check_folders(ls):
            await ls.memory_changed()
