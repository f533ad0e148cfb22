"""Code actions on a lesson warning (acknowledge it for this session, or open the lesson) and on a stale
anchor (re-anchor, verify, supersede: fixes.py)."""

from __future__ import annotations

from lsprotocol import types

from imi_cli.memory import shorten

from . import fixes
from .diagnostics import CODE, SOURCE
from .base import ImiLanguageServer, guarded

ACKNOWLEDGE = "imi.acknowledgeLesson"
SHOW_RECORD = "imi.showRecord"
SHOW_FILE = "imi.showFileMemory"


def lesson_id(ls: ImiLanguageServer, uri: str, diagnostic: types.Diagnostic) -> str | None:
    """The lesson a warning is about: from its data, or (for clients that drop data) from what we published."""
    if isinstance(diagnostic.data, dict) and isinstance(diagnostic.data.get("id"), str):
        return diagnostic.data["id"]
    for known_id, shown in ls.warnings.get(uri, {}).items():
        if shown.message == diagnostic.message:
            return known_id
    return None


@guarded(default=[])
def code_action(ls: ImiLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE or diagnostic.code != CODE:
            continue
        found = lesson_id(ls, uri, diagnostic)
        if found is None:
            continue
        first_line = shorten(diagnostic.message.splitlines()[0], 60)
        actions.append(types.CodeAction(
            title=f"Acknowledge lesson for this session ({first_line})", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic], is_preferred=True,
            command=types.Command(title="Acknowledge lesson", command=ACKNOWLEDGE, arguments=[found])))
        actions.append(types.CodeAction(
            title=f"Open lesson {found}", kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
            command=types.Command(title="Open lesson", command=SHOW_RECORD, arguments=[found])))
    actions.extend(fixes.actions(ls, params))
    where = ls.locate(uri)
    if where is not None and where[0].index.hits(where[1]):
        actions.append(types.CodeAction(
            title="Show IMI memory for this file", kind=types.CodeActionKind.Empty,
            command=types.Command(title="Show IMI memory for this file", command=SHOW_FILE, arguments=[uri])))
    return actions


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Empty]))(code_action)
