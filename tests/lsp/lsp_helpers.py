"""Helpers for the end-to-end tests: a recording test client and short ways to drive the server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Union

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

WAIT = 60.0  # seconds before a missing answer or notification fails the test (a bound, not a timing: a loaded machine is slow)


def _record_publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _count_refresh(client: LanguageClient, params: None):
    client.refreshes += 1


def _answer_first(client: LanguageClient, params: types.ShowMessageRequestParams):
    client.asked.append(params)
    return params.actions[0] if params.actions else None


def _command_or_code_action(obj, _type):
    # lsprotocol 2025.0.0 reads any object with a "command" key as a Command, so a CodeAction that
    # carries a command would arrive garbled; editors tell them apart by the type of "command".
    if isinstance(obj.get("command"), str):
        return _converter.structure(obj, types.Command)
    return _converter.structure(obj, types.CodeAction)


_converter = default_converter()


def make_client() -> LanguageClient:
    """pytest-lsp's test client, plus a log of every publishDiagnostics, lens refreshes and message requests."""
    client = LanguageClient(converter_factory=default_converter)
    client.protocol._converter.register_structure_hook(Union[types.Command, types.CodeAction], _command_or_code_action)
    register_lsp_features(client, {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record_publish,
        types.WORKSPACE_CODE_LENS_REFRESH: _count_refresh,
        types.WINDOW_SHOW_MESSAGE_REQUEST: _answer_first,
    })
    client.published = []
    client.refreshes = 0
    client.asked = []
    client.versions = {}
    return client


# driving the server ------------------------------------------------------------------------------
async def start(client: LanguageClient, *folders: Path, options: dict | None = None) -> types.InitializeResult:
    """initialize + initialized with the editor's capabilities and these workspace folders."""
    return await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(client.editor),
        root_uri=folders[0].as_uri() if folders else None,
        workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders] or None,
        initialization_options=options,
    ))


def open_doc(client: LanguageClient, path: Path, text: str | None = None) -> str:
    """didOpen a file with its content on disk (or `text`); returns its URI."""
    uri = path.as_uri()
    client.versions[uri] = 1
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=path.read_text() if text is None else text)))
    return uri


def change(client: LanguageClient, uri: str, line: int, text: str = "x", end_line: int | None = None) -> None:
    """An incremental edit: replace lines `line`..`end_line` (0-based, from column 0 to 0) with `text`."""
    client.versions[uri] = client.versions.get(uri, 1) + 1
    end = line if end_line is None else end_line
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=client.versions[uri]),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=line, character=0), end=types.Position(line=end, character=0)),
            text=text)]))


async def barrier(client: LanguageClient) -> None:
    """A round trip: every notification the server sent before answering has been received after this."""
    await asyncio.wait_for(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="")), WAIT)


async def published_after(client: LanguageClient, action) -> types.PublishDiagnosticsParams:
    """Run `action` and wait for the publishDiagnostics it causes."""
    waiter = asyncio.ensure_future(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS))
    await asyncio.sleep(0)  # register the waiter before anything can arrive
    result = action()
    if asyncio.iscoroutine(result):
        await result
    return await asyncio.wait_for(waiter, WAIT)


async def lenses(client: LanguageClient, uri: str, resolve: bool = True) -> list[types.CodeLens]:
    found = await asyncio.wait_for(client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))), WAIT)
    found = list(found or [])
    if resolve:
        found = [await asyncio.wait_for(client.code_lens_resolve_async(lens), WAIT) for lens in found]
    return found


async def hover(client: LanguageClient, uri: str, line: int) -> types.Hover | None:
    return await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=0))), WAIT)


async def command(client: LanguageClient, name: str, *arguments):
    """workspace/executeCommand with exactly these arguments (none: `[]`, as VS Code's palette sends)."""
    return await asyncio.wait_for(client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))), WAIT)


async def until(predicate, timeout: float = WAIT, every: float = 0.05):
    """Poll an async or plain predicate until it returns something truthy; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(every)


def shown_text(client: LanguageClient, index: int = -1) -> str:
    """The content of a document the server asked the editor to open."""
    from pygls import uris

    return Path(uris.to_fs_path(client.shown_documents[index].uri)).read_text()


def titles(found) -> list[str]:
    """The titles of resolved lenses."""
    return [lens.command.title for lens in found]


def messages(client: LanguageClient) -> str:
    return "\n".join(m.message for m in client.messages)
