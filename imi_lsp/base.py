"""The language server's state (`ImiLanguageServer`) and the guard every handler runs under.

The features live in their own modules, each with a `setup(server)`; `server.create_server()` wires them.

Every handler lives in the module of its feature and stays thin: it finds the
folder memory for a document, asks the data layer, and converts the answer to
protocol types. Handlers never raise into pygls: `guarded` turns any failure into
a log line (or a message for commands) and an empty answer, so the editor keeps
its server whatever happens to the database.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
from pathlib import Path
from typing import Any, Callable

import apsw
from lsprotocol import types
from pygls import uris
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcParseError
from pygls.lsp.server import LanguageServer

from imi_cli.memory import ImiError

from . import __version__
from .folders import FolderMemory
from .linecount import LineCounts
from .protocol import ImiProtocol
from .settings import Settings, merge

log = logging.getLogger("imi_lsp")

POLL_SECONDS = 0.5


class ImiLanguageServer(LanguageServer):
    """The server and everything it remembers between requests."""

    def __init__(self, db_path: Path | None = None, poll_seconds: float = POLL_SECONDS):
        super().__init__("imi-lsp", __version__, protocol_cls=ImiProtocol)
        self.db_override = db_path
        self.poll_seconds = poll_seconds
        self.settings = Settings()
        self.folders: list[FolderMemory] = []
        # uri -> lesson id -> the warning shown for it in that document
        self.warnings: dict[str, dict[str, types.Diagnostic]] = {}
        self.acknowledged: set[str] = set()
        # uri -> an open document's anchors, followed as it is edited (anchoring.py)
        self.documents: dict[str, Any] = {}
        self.last_uri: str | None = None
        self.line_counts = LineCounts()  # followed through edits: counting a huge text on a keystroke is slow
        self._tasks: set[asyncio.Task] = set()
        # what runs when the memory changed (the diagnostics feature re-publishes its warnings)
        self.memory_listeners: list[Callable[[ImiLanguageServer], None]] = []
        # `imi.readView` views that feature modules add: name -> (server, options, command) -> page
        self.pages: dict[str, Callable[[ImiLanguageServer, dict, str], dict]] = {}
        self.pending_sent: dict | None = None  # the pending-review count the client was last told (review.py)

    # talking to the user -----------------------------------------------------------------------
    def note(self, message: str, level: types.MessageType = types.MessageType.Info) -> None:
        """A line in the client's log (and in ours)."""
        log.log(_LOG_LEVELS[level], message)
        if level in (types.MessageType.Debug, types.MessageType.Log):
            return  # routine detail: our own log only (-v), not the editor's output channel
        self.window_log_message(types.LogMessageParams(type=level, message=f"imi: {message}"))

    def tell(self, message: str, level: types.MessageType = types.MessageType.Info) -> None:
        """A message the user sees (and the same line in the log)."""
        log.log(_LOG_LEVELS[level], message)
        self.window_show_message(types.ShowMessageParams(type=level, message=f"IMI: {message}"))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A client's bad message goes to the log, never into an "Error in server" pop-up; a body
        that is not JSON gets the Parse error reply (with a null id: its own cannot be read)."""
        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
            self.protocol._send_response(None, None, JsonRpcParseError(f"not JSON: {error}").to_response_error())
        self.note(f"ignored a bad message from the client: {error}", types.MessageType.Warning)

    def supports(self, field: str) -> bool:
        """Whether the client declared a capability (dotted snake_case path)."""
        return bool(get_capability(self.client_capabilities, field, False))

    def run_task(self, coro) -> asyncio.Task:
        """Run a coroutine in the background, keeping a reference and logging its failure."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self.note(f"background task failed: {t.exception()}", types.MessageType.Error)

        task.add_done_callback(done)
        return task

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # folders and documents ---------------------------------------------------------------------
    def setup_folders(self, params: types.InitializeParams) -> None:
        """One memory per workspace folder (or one for `--db`), opened now; problems become one message each."""
        folders: list[Path] = []
        for folder in params.workspace_folders or []:
            path = uris.to_fs_path(folder.uri)
            if path:
                folders.append(Path(path))
        if not folders:
            root = params.root_uri and uris.to_fs_path(params.root_uri) or params.root_path
            if root:
                folders.append(Path(root))
        if self.db_override is not None:
            memory = FolderMemory(folders[0] if folders else self.db_override.parent, self.db_override)
            self.folders = [memory]
        else:
            self.folders = [FolderMemory(folder) for folder in folders]
        # the deepest folder wins for a file in nested folders
        self.folders.sort(key=lambda f: len(str(f.folder)), reverse=True)
        for memory in self.folders:
            self.open_folder(memory)

    def open_folder(self, memory: FolderMemory) -> bool:
        try:
            return memory.open()
        except ImiError as exc:
            self.tell(str(exc), types.MessageType.Warning)
            return False

    def add_folder(self, folder: Path) -> FolderMemory:
        memory = FolderMemory(folder, self.db_override)
        self.folders.append(memory)
        self.folders.sort(key=lambda f: len(str(f.folder)), reverse=True)
        self.open_folder(memory)
        return memory

    def folder_of(self, uri: str) -> FolderMemory | None:
        """The memory whose workspace folder holds a document, whether or not it has a database."""
        path = uris.to_fs_path(uri)
        if not path:
            return None
        for memory in self.folders:
            if memory.contains(path) or (memory.explicit and memory.relative(path)):
                return memory
        return None

    def locate(self, uri: str) -> tuple[FolderMemory, str] | None:
        """The memory holding a document and the document's repo-relative path; None when there is none."""
        memory = self.folder_of(uri)
        if memory is None or memory.project is None:
            return None
        rel = memory.relative(uris.to_fs_path(uri))
        return (memory, rel) if rel else None

    def current_folder(self) -> FolderMemory | None:
        """The folder of the last document the user worked in, else the first with a memory."""
        if self.last_uri and (memory := self.folder_of(self.last_uri)) is not None:
            return memory
        with_project = [f for f in self.folders if f.project is not None]
        return with_project[0] if with_project else (self.folders[0] if self.folders else None)

    def line_count(self, uri: str) -> int:
        """How many lines an open document has (1 for an empty one)."""
        doc = self.workspace.text_documents.get(uri)
        if doc is None:
            return 1 << 30
        return self.line_counts.get(uri, doc.version, lambda: doc.source)

    # settings ----------------------------------------------------------------------------------
    def apply_settings(self, payload: Any, origin: str) -> None:
        self.settings, problems = merge(self.settings, payload)
        for problem in problems:
            self.tell(f"{problem} (from {origin})", types.MessageType.Warning)

    async def pull_settings(self) -> None:
        """Ask the client for the `imi` section when it can answer `workspace/configuration`."""
        if not self.supports("workspace.configuration"):
            return
        result = await asyncio.wait_for(self.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="imi")])), timeout=10)
        if result and result[0] is not None:
            self.apply_settings({"imi": result[0]}, "workspace/configuration")

    # reacting to change ------------------------------------------------------------------------
    async def memory_changed(self) -> None:
        """The memory changed (another process, or a command here): warnings and lenses follow."""
        for listener in self.memory_listeners:
            listener(self)
        if self.supports("workspace.code_lens.refresh_support"):
            try:
                await asyncio.wait_for(self.workspace_code_lens_refresh_async(None), timeout=5)
            except Exception as exc:  # the client may not answer; lenses refresh on its next request anyway
                self.note(f"code lens refresh was not answered: {exc}", types.MessageType.Debug)


_LOG_LEVELS = {
    types.MessageType.Error: logging.ERROR,
    types.MessageType.Warning: logging.WARNING,
    types.MessageType.Info: logging.INFO,
    types.MessageType.Log: logging.DEBUG,
    types.MessageType.Debug: logging.DEBUG,
}


def describe(exc: BaseException) -> str:
    """One line for a failure a user can act on (database problems included)."""
    if isinstance(exc, ImiError):
        return str(exc)
    if isinstance(exc, apsw.BusyError):
        return "the database is busy (another process holds a write lock); nothing was written, try again"
    if isinstance(exc, apsw.Error):
        return f"database error: {exc}"
    if isinstance(exc, OSError):
        return f"file system error: {exc}"
    return f"internal error: {type(exc).__name__}: {exc}"


def guarded(default: Any = None, *, loud: bool = False) -> Callable:
    """Wrap a handler so a failure is reported and answered with `default` instead of an exception.

    `loud` handlers (commands) show the message; the rest only log it, as a failing
    lens or hover should not pop up anything.
    """

    def wrap(func: Callable) -> Callable:
        def report(ls: ImiLanguageServer, exc: BaseException) -> None:
            message = describe(exc)
            if not isinstance(exc, (ImiError, apsw.Error, OSError)):
                log.exception("%s failed", func.__name__)
            if loud:
                ls.tell(message, types.MessageType.Error)
            else:
                ls.note(f"{func.__name__}: {message}", types.MessageType.Warning)

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(ls: ImiLanguageServer, *args):
                try:
                    return await func(ls, *args)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    report(ls, exc)
                    return default
            return run_async

        @functools.wraps(func)
        def run(ls: ImiLanguageServer, *args):
            try:
                return func(ls, *args)
            except Exception as exc:
                report(ls, exc)
                return default
        return run

    return wrap
